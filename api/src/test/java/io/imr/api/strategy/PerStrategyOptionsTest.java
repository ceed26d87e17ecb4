package io.imr.api.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imr.api.option.InvalidOptionException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PerStrategyOptionsTest {

    /** Accepts only "size", and only whole numbers. */
    static final class Sized extends TestProviders.Base {
        private final String name;

        Sized(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> optionNames() {
            return Set.of("size");
        }

        @Override
        public void validate(StrategyOptions options) {
            options.requireKnown(name, optionNames());
            options.intValue("size", 1, 1, 100);
        }
    }

    private final StrategyRegistry registry = StrategyRegistry.of(List.of(new Sized("alpha"), new Sized("beta")));

    @Test
    void eachStrategyGetsOnlyItsOwnNamespace() {
        PerStrategyOptions o = PerStrategyOptions.parse(Map.of("alpha.size", "5", "beta.size", "7"));
        assertEquals(Map.of("size", "5"), o.forStrategy("alpha").asMap());
        assertEquals(Map.of("size", "7"), o.forStrategy("beta").asMap());
        assertTrue(o.forStrategy("gamma").asMap().isEmpty());
        o.validate(registry, List.of("alpha", "beta"));
    }

    @Test
    void anOptionIsValidatedOnlyByItsOwnStrategy() {
        // beta would refuse "size=500", but it is alpha's option: beta validates none of it.
        PerStrategyOptions o = PerStrategyOptions.parse(Map.of("alpha.size", "50"));
        o.validate(registry, List.of("alpha", "beta"));
        PerStrategyOptions bad = PerStrategyOptions.parse(Map.of("beta.size", "500"));
        InvalidOptionException e = assertThrows(InvalidOptionException.class,
                () -> bad.validate(registry, List.of("alpha", "beta")));
        assertTrue(e.getMessage().contains("size"), e.getMessage());
    }

    @Test
    void optionsOfAnUnknownStrategyAreRefusedWithTheNamesAvailable() {
        PerStrategyOptions o = PerStrategyOptions.parse(Map.of("alhpa.size", "5"));
        StrategyRegistry.UnknownStrategyException e = assertThrows(StrategyRegistry.UnknownStrategyException.class,
                () -> o.validate(registry, List.of("alpha")));
        assertTrue(e.getMessage().contains("available: alpha, beta"), e.getMessage());
    }

    @Test
    void aNameWithoutStrategyOrOptionIsRefused() {
        assertThrows(InvalidOptionException.class, () -> PerStrategyOptions.parse(Map.of("size", "5")));
        assertThrows(InvalidOptionException.class, () -> PerStrategyOptions.parse(Map.of("alpha.", "5")));
    }
}
