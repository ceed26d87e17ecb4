package io.imr.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.option.InvalidOptionException;
import io.imr.api.option.OptionSpec;
import io.imr.engine.ClientEngineConfig;
import io.imr.engine.ServerEngineConfig;
import io.imr.testkit.OptionSpecWalk;
import io.imr.transport.vertx.BackPressure;
import io.imr.wire.FrameCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The embedded client's and server's options")
class EmbedOptionsTest {

    @TempDir
    Path dir;

    private ImrClient.Builder client() {
        return ImrClient.builder().server("127.0.0.1:7000").user("bob").device("phone").token("t")
                .dataDir(dir.resolve("bob")).strategies("ack");
    }

    private ImrServer.Builder server() {
        return ImrServer.builder().dataDir(dir.resolve("server"));
    }

    private static Map<String, String> pairs(String... namesAndValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return m;
    }

    private static ImrConfig settings(String prefix, Map<String, String> byName) {
        Map<String, String> m = new HashMap<>();
        byName.forEach((name, value) -> m.put(prefix + name, value));
        return ImrConfig.of(m);
    }

    @Test
    @DisplayName("every engine and wire option is a setting named after its spec, with its default and range in"
            + " the help, and nothing else is")
    void everyOptionIsASetting() {
        List<String> expected = new ArrayList<>();
        ServerEngineConfig.OPTIONS.forEach(o -> expected.add(ImrConfig.SERVER + o.name()));
        ClientEngineConfig.OPTIONS.forEach(o -> expected.add(ImrConfig.CLIENT + o.name()));
        TransportOptions.OPTIONS.forEach(o -> expected.add(ImrConfig.SERVER + o.name()));
        TransportOptions.OPTIONS.forEach(o -> expected.add(ImrConfig.CLIENT + o.name()));
        WireOptions.OPTIONS.forEach(o -> expected.add(ImrConfig.WIRE + o.name()));
        AuthOptions.OPTIONS.forEach(o -> expected.add(ImrConfig.SERVER + o.name()));
        assertThat(ImrConfig.OPTIONS.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        ImrConfig.OPTIONS.forEach((key, spec) -> {
            assertThat(ImrConfig.KNOWN).containsKey(key);
            assertThat(ImrConfig.KNOWN.get(key)).as(key).endsWith("(" + spec.describe() + ")");
        });
        assertThat(ImrConfig.KNOWN.get(ImrConfig.CLIENT_SEND_WINDOW))
                .isEqualTo("sends in flight at most (default 1024, a whole number from 1 to 65536)");
    }

    @Test
    @DisplayName("a client's settings and its builder agree with the engine's option specs (imr.client.NAME)")
    void clientWalk() {
        new OptionSpecWalk<>(ClientEngineConfig.class,
                m -> client().config(settings(ImrConfig.CLIENT, m)).build().engineConfig(),
                () -> ClientEngineConfig.builder().strategies(List.of("ack")))
                .companions(Map.of("reconnect-initial", "1ms", "reconnect-max", "1d"))
                .check(ClientEngineConfig.OPTIONS);
    }

    @Test
    @DisplayName("a server's settings and its builder agree with the engine's option specs (imr.server.NAME)")
    void serverWalk() {
        new OptionSpecWalk<>(ServerEngineConfig.class,
                m -> server().config(settings(ImrConfig.SERVER, m)).build().engineConfig(),
                ServerEngineConfig::builder)
                .check(ServerEngineConfig.OPTIONS);
    }

    /** The transport's bounds as a record named after the options, for the walk (BackPressure's limit is a long). */
    public record Bounds(int writeHighWater, int writeLimit, int socketBuffer, int frameRate) {
        static Bounds of(BackPressure b) {
            assertThat(b.writeLowWater()).as("the low-water mark is half the high one")
                    .isEqualTo(b.writeHighWater() / 2);
            return new Bounds(b.writeHighWater(), Math.toIntExact(b.writeLimit()), b.socketBuffer(), b.frameRate());
        }
    }

    /** The transport's setters of a server's or a client's builder, building {@link Bounds}. */
    public static final class TransportSetters {
        private final ImrServer.Builder server;
        private final ImrClient.Builder client;

        TransportSetters(ImrServer.Builder server, ImrClient.Builder client) {
            this.server = server;
            this.client = client;
        }

        public TransportSetters writeHighWater(int bytes) {
            if (server != null) {
                server.writeHighWater(bytes);
            } else {
                client.writeHighWater(bytes);
            }
            return this;
        }

        public TransportSetters frameRate(int framesPerSecond) {
            if (server != null) {
                server.frameRate(framesPerSecond);
            } else {
                client.frameRate(framesPerSecond);
            }
            return this;
        }

        public TransportSetters writeLimit(int bytes) {
            if (server != null) {
                server.writeLimit(bytes);
            } else {
                client.writeLimit(bytes);
            }
            return this;
        }

        public TransportSetters socketBuffer(int bytes) {
            if (server != null) {
                server.socketBuffer(bytes);
            } else {
                client.socketBuffer(bytes);
            }
            return this;
        }

        public Bounds build() {
            return Bounds.of(server != null ? server.build().backPressure() : client.build().backPressure());
        }
    }

    @Test
    @DisplayName("a server's and a client's transport settings and builders agree with the transport's option specs")
    void transportWalk() {
        // A limit as high as it goes, so that the high-water mark reaches its top; a high-water mark as low as it
        // goes, so that the limit reaches its bottom.
        Map<String, String> loose = Map.of("write-high-water", "1024", "write-limit", String.valueOf(Integer.MAX_VALUE));
        new OptionSpecWalk<>(Bounds.class,
                m -> Bounds.of(server().config(settings(ImrConfig.SERVER, m)).build().backPressure()),
                () -> new TransportSetters(server(), null))
                .companions(loose).check(TransportOptions.OPTIONS);
        new OptionSpecWalk<>(Bounds.class,
                m -> Bounds.of(client().config(settings(ImrConfig.CLIENT, m)).build().backPressure()),
                () -> new TransportSetters(null, client()))
                .companions(loose).check(TransportOptions.OPTIONS);
    }

    @Test
    @DisplayName("the client's and the server's builder methods set what the same settings set")
    void buildersAndSettingsAgree() {
        ImrConfig c = ImrConfig.of(pairs(ImrConfig.CLIENT_RECONNECT_INITIAL, "50ms", ImrConfig.CLIENT_RECONNECT_MAX,
                "500ms", ImrConfig.CLIENT_RESEND_AFTER, "1s", ImrConfig.CLIENT_WELCOME_TIMEOUT, "2s",
                ImrConfig.CLIENT_SEND_WINDOW, "64", ImrConfig.CLIENT_MAX_OUTBOX, "100", ImrConfig.MAX_FRAME_BYTES,
                "65536", ImrConfig.CLIENT_INBOUND_FRAMES, "64", ImrConfig.CLIENT_WRITE_HIGH_WATER, "4096",
                ImrConfig.CLIENT_WRITE_LIMIT, "8192", ImrConfig.CLIENT_SOCKET_BUFFER, "2048"));
        ImrClient fromSettings = client().config(c).strategies("ack").build();
        ImrClient fromBuilder = client().reconnect(Duration.ofMillis(50), Duration.ofMillis(500))
                .resendAfter(Duration.ofSeconds(1)).welcomeTimeout(Duration.ofSeconds(2)).sendWindow(64).maxOutbox(100)
                .maxFrameBytes(65536).inboundFrames(64).writeHighWater(4096).writeLimit(8192).socketBuffer(2048).build();
        assertThat(fromSettings.engineConfig()).isEqualTo(fromBuilder.engineConfig());
        assertThat(fromSettings.engineConfig().inboundFrames()).isEqualTo(64);
        assertThat(fromSettings.backPressure()).isEqualTo(fromBuilder.backPressure())
                .isEqualTo(new BackPressure(4096, 2048, 8192, 2048));
        assertThat(fromSettings.maxFrameBytes()).isEqualTo(fromBuilder.maxFrameBytes()).isEqualTo(65536);

        ImrConfig s = ImrConfig.of(pairs(ImrConfig.SERVER_HEARTBEAT, "1s", ImrConfig.SERVER_HELLO_TIMEOUT, "2s",
                ImrConfig.SERVER_MAX_PENDING_SENDS, "10", ImrConfig.SERVER_DEVICE_IDLE_EVICTION, "1m",
                ImrConfig.MAX_FRAME_BYTES, "2048", ImrConfig.SERVER_INBOUND_FRAMES, "100",
                ImrConfig.SERVER_INBOUND_ENGINE_FRAMES, "1000", ImrConfig.SERVER_INBOUND_SENDS, "8",
                ImrConfig.SERVER_WRITE_HIGH_WATER, "65536", ImrConfig.SERVER_WRITE_LIMIT, "131072",
                ImrConfig.SERVER_SOCKET_BUFFER, "16384"));
        ImrServer serverFromSettings = server().config(s).build();
        ImrServer serverFromBuilder = server().heartbeat(Duration.ofSeconds(1)).helloTimeout(Duration.ofSeconds(2))
                .maxPendingSends(10).deviceIdleEviction(Duration.ofMinutes(1)).maxFrameBytes(2048).inboundFrames(100)
                .inboundEngineFrames(1000).inboundSends(8).writeHighWater(65536).writeLimit(131072).socketBuffer(16384)
                .build();
        assertThat(serverFromSettings.engineConfig()).isEqualTo(serverFromBuilder.engineConfig());
        assertThat(serverFromSettings.engineConfig().inboundSends()).isEqualTo(8);
        assertThat(serverFromSettings.backPressure()).isEqualTo(serverFromBuilder.backPressure())
                .isEqualTo(new BackPressure(65536, 32768, 131072, 16384));
        assertThat(serverFromSettings.maxFrameBytes()).isEqualTo(serverFromBuilder.maxFrameBytes()).isEqualTo(2048);
    }

    @Test
    @DisplayName("start from the named defaults")
    void defaults() {
        ImrClient c = client().build();
        assertThat(c.engineConfig()).isEqualTo(ClientEngineConfig.of("ack"));
        assertThat(c.maxFrameBytes()).isEqualTo(FrameCodec.DEFAULT_MAX_FRAME_BYTES);
        ImrServer s = server().build();
        assertThat(s.engineConfig()).isEqualTo(ServerEngineConfig.DEFAULT);
        assertThat(s.maxFrameBytes()).isEqualTo(FrameCodec.DEFAULT_MAX_FRAME_BYTES);
        assertThat(s.strategy()).isEqualTo(ImrServer.DEFAULT_STRATEGY);
        assertThat(s.backPressure()).isEqualTo(BackPressure.DEFAULT);
        assertThat(c.backPressure()).isEqualTo(BackPressure.DEFAULT);
    }

    @Test
    @DisplayName("the frame limit: each bound passes, one beyond fails naming the setting or the option")
    void frameLimit() {
        int min = FrameCodec.MIN_MAX_FRAME_BYTES;
        int max = FrameCodec.MAX_MAX_FRAME_BYTES;
        for (int ok : new int[] {min, max}) {
            ImrConfig c = ImrConfig.of(Map.of(ImrConfig.MAX_FRAME_BYTES, String.valueOf(ok)));
            assertThat(client().config(c).build().maxFrameBytes()).isEqualTo(ok);
            assertThat(server().config(c).build().maxFrameBytes()).isEqualTo(ok);
            assertThat(client().maxFrameBytes(ok).build().maxFrameBytes()).isEqualTo(ok);
        }
        for (int bad : new int[] {min - 1, max + 1}) {
            ImrConfig c = ImrConfig.of(Map.of(ImrConfig.MAX_FRAME_BYTES, String.valueOf(bad)));
            assertThatThrownBy(() -> client().config(c)).isInstanceOf(ConfigException.class)
                    .hasMessage("imr.wire.max-frame-bytes must be a whole number from " + min + " to " + max
                            + ", got \"" + bad + "\"");
            assertThatThrownBy(() -> server().maxFrameBytes(bad).build()).isInstanceOf(InvalidOptionException.class)
                    .hasMessage("option max-frame-bytes must be a whole number from " + min + " to " + max + ", got "
                            + bad);
        }
    }

    @Test
    @DisplayName("reads every option from its environment variable too")
    void environment() {
        Map<String, String> env = new HashMap<>();
        ImrConfig.OPTIONS.forEach((key, spec) -> env.put(ImrConfig.envName(key), text(spec)));
        ImrConfig c = ImrConfig.load(null, env, new Properties());
        ImrConfig.OPTIONS.forEach((key, spec) -> assertThat(c.get(key)).as(ImrConfig.envName(key)).isEqualTo(text(spec)));
        assertThat(ImrConfig.envName(ImrConfig.CLIENT_WELCOME_TIMEOUT)).isEqualTo("IMR_CLIENT_WELCOME_TIMEOUT");
    }

    @SuppressWarnings("unchecked")
    private static String text(OptionSpec<?> spec) {
        return ((OptionSpec<Object>) spec).format(spec.defaultValue());
    }

    @Test
    @DisplayName("a built client keeps its settings when the builder changes afterwards")
    void clientCopiesAtBuild() {
        ImrClient.Builder b = client().sendWindow(64).reconnect(Duration.ofMillis(50), Duration.ofSeconds(1));
        ImrClient built = b.build();
        ClientEngineConfig before = built.engineConfig();
        b.sendWindow(8).reconnect(Duration.ofSeconds(1), Duration.ofSeconds(2)).resendAfter(Duration.ofSeconds(1))
                .strategies("seqid", "hybrid").server("127.0.0.1:9999").maxFrameBytes(2048);
        assertThat(built.engineConfig()).isSameAs(before);
        assertThat(built.engineConfig().sendWindow()).isEqualTo(64);
        assertThat(built.engineConfig().reconnectInitial()).isEqualTo(Duration.ofMillis(50));
        assertThat(built.engineConfig().strategies()).containsExactly("ack");
        assertThat(built.server()).isEqualTo("127.0.0.1:7000");
        assertThat(built.maxFrameBytes()).isEqualTo(FrameCodec.DEFAULT_MAX_FRAME_BYTES);
        ImrClient second = b.build();
        assertThat(second.engineConfig().sendWindow()).as("the builder's new settings go to the next client").isEqualTo(8);
        assertThat(second.engineConfig().strategies()).containsExactly("seqid", "hybrid");
    }

    @Test
    @DisplayName("a built server keeps its settings when the builder changes afterwards")
    void serverCopiesAtBuild() {
        ImrServer.Builder b = server().heartbeat(Duration.ofSeconds(1)).strategy("ack");
        ImrServer built = b.build();
        b.heartbeat(Duration.ofSeconds(5)).strategy("seqid").maxFrameBytes(2048);
        assertThat(built.engineConfig().heartbeat()).isEqualTo(Duration.ofSeconds(1));
        assertThat(built.strategy()).isEqualTo("ack");
        assertThat(built.maxFrameBytes()).isEqualTo(FrameCodec.DEFAULT_MAX_FRAME_BYTES);
        assertThat(b.build().engineConfig().heartbeat()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    @DisplayName("an option out of range fails at build, naming it")
    void refusedAtBuild() {
        assertThatThrownBy(() -> client().sendWindow(0).build()).isInstanceOf(InvalidOptionException.class)
                .hasMessage("option send-window must be a whole number from 1 to 65536, got 0");
        assertThatThrownBy(() -> server().heartbeat(Duration.ofMillis(1)).build())
                .isInstanceOf(InvalidOptionException.class)
                .hasMessage("option heartbeat must be from 10ms to 1h, got 1ms");
    }
}
