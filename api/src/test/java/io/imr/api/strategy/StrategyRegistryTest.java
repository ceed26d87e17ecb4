package io.imr.api.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.option.InvalidOptionException;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The strategy registry")
class StrategyRegistryTest {

    @TempDir
    Path dir;

    /** A class loader whose only provider listing names these classes, as a jar on the class path would. */
    private ClassLoader classPathListing(String... classNames) throws IOException {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.write(services.resolve(ReliabilityStrategyProvider.class.getName()), List.of(classNames));
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
    }

    @Test
    @DisplayName("finds each provider on the class path by its name")
    void findsByName() throws IOException {
        StrategyRegistry registry = StrategyRegistry.load(classPathListing(
                TestProviders.Alpha.class.getName(), TestProviders.Beta.class.getName()));

        assertThat(registry.names()).containsExactly("alpha", "beta");
        assertThat(registry.get("alpha")).isInstanceOf(TestProviders.Alpha.class);
        assertThat(registry.get("beta")).isInstanceOf(TestProviders.Beta.class);
        assertThat(registry.problems()).isEmpty();
    }

    @Test
    @DisplayName("refuses an unknown name with the list of names available")
    void unknownNameListsAvailable() throws IOException {
        StrategyRegistry registry = StrategyRegistry.load(classPathListing(
                TestProviders.Beta.class.getName(), TestProviders.Alpha.class.getName()));

        assertThatThrownBy(() -> registry.get("gamma"))
                .isInstanceOf(StrategyRegistry.UnknownStrategyException.class)
                .hasMessage("unknown strategy \"gamma\"; available: alpha, beta")
                .satisfies(e -> assertThat(((StrategyRegistry.UnknownStrategyException) e).available())
                        .containsExactly("alpha", "beta"));
    }

    @Test
    @DisplayName("fails to load when two providers claim one name, naming both classes")
    void duplicateNameFails() throws IOException {
        ClassLoader loader = classPathListing(TestProviders.Alpha.class.getName(),
                TestProviders.AlphaTwin.class.getName(), TestProviders.Beta.class.getName());

        assertThatThrownBy(() -> StrategyRegistry.load(loader))
                .isInstanceOf(StrategyRegistry.DuplicateStrategyException.class)
                .hasMessageContaining("more than one provider for strategy alpha")
                .hasMessageContaining(TestProviders.Alpha.class.getName())
                .hasMessageContaining(TestProviders.AlphaTwin.class.getName())
                .hasMessageContaining("Strategies found: alpha, beta");
    }

    @Test
    @DisplayName("keeps the good providers when one is broken, and names the broken one in errors")
    void brokenProviderDoesNotHideOthers() throws IOException {
        StrategyRegistry registry = StrategyRegistry.load(classPathListing(TestProviders.Broken.class.getName(),
                "io.imr.example.MissingProvider", TestProviders.Alpha.class.getName()));

        assertThat(registry.names()).containsExactly("alpha");
        assertThat(registry.problems()).hasSize(2);
        assertThatThrownBy(() -> registry.get("broken"))
                .isInstanceOf(StrategyRegistry.UnknownStrategyException.class)
                .hasMessageContaining("available: alpha")
                .hasMessageContaining("providers that failed to load")
                .hasMessageContaining(TestProviders.Broken.class.getName())
                .hasMessageContaining("needs a class that is not on the class path")
                .hasMessageContaining("io.imr.example.MissingProvider");
    }

    @Test
    @DisplayName("refuses a provider built for an incompatible SPI version")
    void incompatibleVersionFails() throws IOException {
        ClassLoader loader = classPathListing(TestProviders.FromTheFuture.class.getName());

        assertThatThrownBy(() -> StrategyRegistry.load(loader))
                .isInstanceOf(StrategyRegistry.InvalidStrategyException.class)
                .hasMessageContaining("strategy future")
                .hasMessageContaining("needs SPI version " + (ApiVersion.CURRENT.major() + 1) + ".0")
                .hasMessageContaining("this imr has " + ApiVersion.CURRENT);
    }

    @Test
    @DisplayName("refuses a provider whose name configuration could not choose")
    void invalidNameFails() {
        assertThatThrownBy(() -> StrategyRegistry.of(List.of(new TestProviders.BadName())))
                .isInstanceOf(StrategyRegistry.InvalidStrategyException.class)
                .hasMessageContaining(TestProviders.BadName.class.getName())
                .hasMessageContaining("\"Bad Name\"");
    }

    @Test
    @DisplayName("says how to fix an empty class path")
    void emptyClassPath() throws IOException {
        StrategyRegistry registry = StrategyRegistry.load(classPathListing());

        assertThat(registry.names()).isEmpty();
        assertThatThrownBy(() -> registry.get("ack"))
                .hasMessageContaining("unknown strategy \"ack\"; available: (none: put a strategy module");
    }

    @Test
    @DisplayName("a provider's default validation refuses options it does not know")
    void unknownOptionRefused() {
        TestProviders.Alpha alpha = new TestProviders.Alpha();
        assertThatThrownBy(() -> alpha.validate(StrategyOptions.of(java.util.Map.of("window", "10"))))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessage("strategy alpha has no option window; its options are: (none)");
    }
}
