package io.imr.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.engine.ClientEngineConfig;
import io.imr.engine.ServerEngineConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The configuration")
class ImrConfigTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("takes the file, overridden by the environment, overridden by system properties")
    void precedence() throws IOException {
        Path file = dir.resolve("imr.properties");
        Files.writeString(file, "imr.strategy=ack\nimr.server.listen=127.0.0.1:7000\nimr.server.heartbeat=5s\n"
                + "imr.strategy.ack.window=64\nimr.strategy.hybrid.ack-every=16\n");
        Properties system = new Properties();
        system.setProperty("imr.server.heartbeat", "7s");
        system.setProperty("unrelated.property", "x");
        ImrConfig c = ImrConfig.load(file, Map.of("IMR_SERVER_LISTEN", "127.0.0.1:8000", "IMR_SERVER_HEARTBEAT", "6s",
                "IMR_STRATEGY_ACK_HOLD_BACK", "99", "PATH", "/bin"), system);
        assertThat(c.hostPort(ImrConfig.SERVER_LISTEN)).isEqualTo(new HostPort("127.0.0.1", 8000));
        assertThat(c.option(ImrConfig.SERVER, ServerEngineConfig.HEARTBEAT)).contains(Duration.ofSeconds(7));
        assertThat(c.option(ImrConfig.SERVER, ServerEngineConfig.HELLO_TIMEOUT)).as("unset").isEmpty();
        assertThat(c.strategyOptions().forStrategy("ack").asMap()).as("each strategy's options in its own namespace")
                .isEqualTo(Map.of("window", "64", "hold-back", "99"));
        assertThat(c.strategyOptions().forStrategy("hybrid").asMap()).isEqualTo(Map.of("ack-every", "16"));
        assertThat(ImrConfig.envName(ImrConfig.SERVER_WS_LISTEN)).isEqualTo("IMR_SERVER_WS_LISTEN");
    }

    @Test
    @DisplayName("says in one line what is wrong with a value and what is allowed")
    void badValues() {
        ImrConfig c = ImrConfig.of(Map.of(ImrConfig.SERVER_HEARTBEAT, "soon", ImrConfig.SERVER_LISTEN, "localhost",
                ImrConfig.CLIENT_SEND_WINDOW, "0"));
        assertThatThrownBy(() -> c.option(ImrConfig.SERVER, ServerEngineConfig.HEARTBEAT))
                .isInstanceOf(ConfigException.class)
                .hasMessage("imr.server.heartbeat must be a whole number with a unit ms, s, m, h or d (like 500ms or 30d),"
                        + " got \"soon\"");
        assertThatThrownBy(() -> c.hostPort(ImrConfig.SERVER_LISTEN))
                .hasMessage("imr.server.listen must be HOST:PORT (like 127.0.0.1:7000), got \"localhost\"");
        assertThatThrownBy(() -> c.option(ImrConfig.CLIENT, ClientEngineConfig.SEND_WINDOW))
                .hasMessage("imr.client.send-window must be a whole number from 1 to 65536, got \"0\"");
        assertThatThrownBy(() -> ImrServer.builder().config(c))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("imr.server.listen must be HOST:PORT");
    }

    @Test
    @DisplayName("refuses an unknown setting, listing the known ones")
    void unknownSetting() {
        assertThatThrownBy(() -> ImrConfig.of(Map.of("imr.server.lisen", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("unknown setting imr.server.lisen; known settings: ")
                .hasMessageContaining("imr.server.listen");
        assertThatThrownBy(() -> ImrConfig.load(dir.resolve("missing.properties"), Map.of(), new Properties()))
                .hasMessageContaining("does not exist");
    }

    @Test
    @DisplayName("skips the imr command's own system properties (-Dimr.log, -Dimr.debug), which are no settings")
    void commandProperties() {
        Properties system = new Properties();
        system.setProperty("imr.log", "FINE");
        system.setProperty("imr.debug", "true");
        system.setProperty(ImrConfig.SERVER_HEARTBEAT, "3s");
        ImrConfig c = ImrConfig.load(null, Map.of(), system);
        assertThat(c.asMap()).containsOnlyKeys(ImrConfig.SERVER_HEARTBEAT);
        assertThatThrownBy(() -> ImrConfig.of(Map.of("imr.log", "FINE"))).as("in a file it would do nothing: refused")
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("unknown setting imr.log");
    }
}
