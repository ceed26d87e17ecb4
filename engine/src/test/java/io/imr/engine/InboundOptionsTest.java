package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.frame.Ping;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The engines' inbound gates take their marks from the engines' options")
class InboundOptionsTest {

    @TempDir
    Path dir;

    /** Hands the engine a hello and pings without letting it run; returns the connection. */
    private static ServerFixture.Connection flood(ServerFixture server, int frames) {
        ServerFixture.Connection c = server.hello("bob", "phone", "quiet", 0, "");
        for (int i = 1; i < frames; i++) {
            c.handler.onFrame(new Ping(i));
        }
        return c;
    }

    @Test
    @DisplayName("inbound-frames: a connection stops being read once that many of its frames wait, not before")
    void inboundFrames() {
        ServerEngineConfig config = ServerEngineConfig.builder().inboundFrames(8).build();
        try (ServerFixture server = new ServerFixture(dir, config, new QuietStrategy())) {
            ServerFixture.Connection c = flood(server, 7);
            assertThat(c.channel.pauses).as("7 frames wait, below the mark of 8").isZero();
            c.handler.onFrame(new Ping(8));
            assertThat(c.channel.paused).as("8 frames wait").isEqualTo(1);
            server.runtime.runDue();
            assertThat(c.channel.paused).as("read again once the engine processed them").isZero();
            assertThat(c.channel.pauses).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("at the default (1024), the same 8 frames do not pause the connection")
    void defaults() {
        try (ServerFixture server = new ServerFixture(dir, ServerEngineConfig.DEFAULT, new QuietStrategy())) {
            ServerFixture.Connection c = flood(server, 8);
            assertThat(c.channel.pauses).isZero();
            server.runtime.runDue();
        }
    }

    @Test
    @DisplayName("inbound-engine-frames: the connection that brings the engine's frames past it stops being read")
    void inboundEngineFrames() {
        ServerEngineConfig config = ServerEngineConfig.builder().inboundEngineFrames(6).build();
        try (ServerFixture server = new ServerFixture(dir, config, new QuietStrategy())) {
            ServerFixture.Connection a = flood(server, 3);
            ServerFixture.Connection b = flood(server, 2);
            assertThat(a.channel.pauses + b.channel.pauses).as("5 frames wait for the engine").isZero();
            b.handler.onFrame(new Ping(9));
            assertThat(b.channel.paused).as("6 frames wait for the engine").isEqualTo(1);
            server.runtime.runDue();
            assertThat(b.channel.paused).isZero();
        }
    }

    @Test
    @DisplayName("a client's inbound-frames: its connection stops being read once that many of the server's frames"
            + " wait, and is read again once they are processed")
    void clientInboundFrames() {
        ClientHarness client = new ClientHarness(new ManualClientStore("bob", "phone"), 1_000_000, 1024, 8).up();
        for (int i = 0; i < 7; i++) {
            client.handler.onFrame(new Ping(i));
        }
        assertThat(client.channel.pauses).as("7 frames wait, below the mark of 8").isZero();
        client.handler.onFrame(new Ping(7));
        assertThat(client.channel.paused).as("8 frames wait").isEqualTo(1);
        client.runtime.runDue();
        assertThat(client.channel.paused).as("read again once the engine processed them").isZero();
        assertThat(client.channel.pauses).isEqualTo(1);
    }
}
