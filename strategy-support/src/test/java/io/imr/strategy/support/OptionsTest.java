package io.imr.strategy.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.strategy.StrategyOptions;
import io.imr.api.strategy.StrategyOptions.InvalidOptionException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("An option spec")
class OptionsTest {

    @Nested
    @DisplayName("of a whole number")
    class Int {

        private final Options.Int window = new Options.Int("window", 64, 1, 1000);

        @Test
        @DisplayName("reads its default when unset and the value when set")
        void reads() {
            assertThat(window.read(StrategyOptions.none())).isEqualTo(64);
            assertThat(window.read(StrategyOptions.of(Map.of("window", "1000")))).isEqualTo(1000);
            assertThat(window.read(StrategyOptions.of(Map.of("window", " 1 ")))).isEqualTo(1);
            assertThat(window.read(StrategyOptions.of(Map.of("other", "0")))).isEqualTo(64);
        }

        @Test
        @DisplayName("refuses a value out of range or not a number, naming the option and the range")
        void refusesRead() {
            assertThatThrownBy(() -> window.read(StrategyOptions.of(Map.of("window", "0"))))
                    .isInstanceOf(InvalidOptionException.class)
                    .hasMessage("option window must be a whole number from 1 to 1000, got \"0\"");
            assertThatThrownBy(() -> window.read(StrategyOptions.of(Map.of("window", "many"))))
                    .hasMessage("option window must be a whole number from 1 to 1000, got \"many\"");
        }

        @Test
        @DisplayName("checks a value given in code the same way")
        void checks() {
            assertThat(window.check(1)).isEqualTo(1);
            assertThat(window.check(1000)).isEqualTo(1000);
            assertThatThrownBy(() -> window.check(1001)).isInstanceOf(InvalidOptionException.class)
                    .hasMessage("option window must be a whole number from 1 to 1000, got 1001");
        }

        @Test
        @DisplayName("refuses a default outside its own range")
        void badDefault() {
            assertThatThrownBy(() -> new Options.Int("window", 0, 1, 10)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("window").hasMessageContaining("outside its range");
        }
    }

    @Nested
    @DisplayName("of a duration")
    class Time {

        private final Options.Time delay = new Options.Time("ack-delay", Duration.ofMillis(20), Duration.ofMillis(1),
                Duration.ofSeconds(10));

        @Test
        @DisplayName("reads its default when unset and the value in any unit when set")
        void reads() {
            assertThat(delay.read(StrategyOptions.none())).isEqualTo(Duration.ofMillis(20));
            assertThat(delay.read(StrategyOptions.of(Map.of("ack-delay", "10s")))).isEqualTo(Duration.ofSeconds(10));
            assertThat(delay.read(StrategyOptions.of(Map.of("ack-delay", "1ms")))).isEqualTo(Duration.ofMillis(1));
        }

        @Test
        @DisplayName("refuses a value out of range or without a unit, naming the option and what is allowed")
        void refusesRead() {
            assertThatThrownBy(() -> delay.read(StrategyOptions.of(Map.of("ack-delay", "11s"))))
                    .isInstanceOf(InvalidOptionException.class)
                    .hasMessage("option ack-delay must be from 1ms to 10s, got \"11s\"");
            assertThatThrownBy(() -> delay.read(StrategyOptions.of(Map.of("ack-delay", "20"))))
                    .isInstanceOf(InvalidOptionException.class)
                    .hasMessageStartingWith("option ack-delay must be a whole number with a unit");
        }

        @Test
        @DisplayName("checks a value given in code the same way, and a missing one")
        void checks() {
            assertThat(delay.check(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(10));
            assertThatThrownBy(() -> delay.check(Duration.ZERO)).isInstanceOf(InvalidOptionException.class)
                    .hasMessage("option ack-delay must be from 1ms to 10000ms, got 0ms");
            assertThatThrownBy(() -> delay.check(null)).isInstanceOf(InvalidOptionException.class)
                    .hasMessage("option ack-delay must be from 1ms to 10000ms, got nothing");
        }

        @Test
        @DisplayName("refuses a default outside its own range")
        void badDefault() {
            assertThatThrownBy(() -> new Options.Time("t", Duration.ZERO, Duration.ofMillis(1), Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside its range");
        }
    }
}
