package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.embed.ImrConfig;
import io.imr.embed.TransportOptions;
import io.imr.embed.WireOptions;
import io.imr.engine.ServerEngineConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("imr server --help")
class ServerHelpTest {

    @Test
    @DisplayName("lists every server and wire setting with the default and range of its spec, and no client setting")
    void settings() {
        String help = Imr.commandLine().getSubcommands().get("server").getUsageMessage().replaceAll("\\s+", " ");
        for (var spec : ServerEngineConfig.OPTIONS) {
            assertThat(help).contains(ImrConfig.SERVER + spec.name()).contains("(" + spec.describe() + ")");
        }
        for (var spec : TransportOptions.OPTIONS) {
            assertThat(help).contains(ImrConfig.SERVER + spec.name()).contains("(" + spec.describe() + ")");
        }
        assertThat(help).contains("imr.server.write-limit bytes queued for a device beyond which it is closed as a slow"
                + " consumer; above write-high-water (default 16777216, a whole number from 2048 to 2147483647)");
        assertThat(help).contains(ImrConfig.MAX_FRAME_BYTES + " the largest frame accepted, in bytes ("
                + WireOptions.MAX_FRAME_BYTES.describe() + ")");
        assertThat(help).contains("imr.server.heartbeat the interval devices ping at; three silent ones close a session"
                + " (default 10s, from 10ms to 1h)");
        assertThat(help).contains("(default: hybrid)").doesNotContain(ImrConfig.CLIENT_SEND_WINDOW)
                .doesNotContain(ImrConfig.CLIENT_WRITE_LIMIT);
    }
}
