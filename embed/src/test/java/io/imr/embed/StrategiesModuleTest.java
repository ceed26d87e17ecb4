package io.imr.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.StrategyRegistry;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The strategies module")
class StrategiesModuleTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("keeps the providers that failed to load, so an unknown strategy says why it is missing (bug 5)")
    void keepsProblems() throws IOException {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve(ReliabilityStrategyProvider.class.getName()),
                "com.example.imr.MissingStrategyProvider\n");
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        StrategyRegistry registry;
        try (URLClassLoader broken = new URLClassLoader(new URL[] {dir.toUri().toURL()}, before)) {
            thread.setContextClassLoader(broken);
            registry = Guice.createInjector(new StrategiesModule()).getInstance(StrategyRegistry.class);
        } finally {
            thread.setContextClassLoader(before);
        }
        assertThat(registry.names()).as("the providers that did load").contains("ack", "seqid", "hybrid");
        assertThat(registry.problems()).singleElement().asString().contains("com.example.imr.MissingStrategyProvider");
        assertThatThrownBy(() -> registry.get("missing"))
                .isInstanceOf(StrategyRegistry.UnknownStrategyException.class)
                .hasMessageContaining("providers that failed to load")
                .hasMessageContaining("com.example.imr.MissingStrategyProvider");
    }
}
