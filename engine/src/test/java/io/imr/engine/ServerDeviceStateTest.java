package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Welcome;
import io.imr.api.store.Accepted;
import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.ServerStore;
import io.imr.api.store.Submission;
import io.imr.api.strategy.ApiVersion;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.ClientSetup;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.ServerActions;
import io.imr.api.strategy.ServerEvent;
import io.imr.api.strategy.ServerReliability;
import io.imr.api.strategy.ServerSetup;
import io.imr.api.strategy.StrategyOptions;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.store.mapdb.MapDbServerStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-device state is the engine's, the same for every strategy: the watermark a half persisted is
 * what the next half of the device starts from, after a restart of the server, with another strategy
 * too (real MapDB files).
 */
@DisplayName("A device's state on the server")
class ServerDeviceStateTest {

    @TempDir
    Path dir;

    private final ManualRuntime runtime = new ManualRuntime();
    private final byte[] secret = new byte[32];
    /** What each server half was started from: "strategy:epoch/watermark". */
    private final List<String> starts = new ArrayList<>();

    /** A strategy whose server half records its start and persists the cursor each session starts at. */
    private final class Recording implements ReliabilityStrategyProvider {
        private final String name;

        Recording(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return "records";
        }

        @Override
        public ApiVersion requiredApiVersion() {
            return ApiVersion.CURRENT;
        }

        @Override
        public ClientReliability newClient(ClientSetup setup) {
            throw new UnsupportedOperationException("server-side tests only");
        }

        @Override
        public ServerReliability newServer(ServerSetup setup) {
            return ServerReliability.of(new io.imr.api.strategy.ReliabilityHalf<ServerEvent, ServerActions>() {
                long epoch;
                long toPersist = -1;

                @Override
                public void on(ServerEvent event, ServerActions out) {
                    if (event instanceof Event.Started s) {
                        starts.add(name + ":" + s.epoch() + "/" + s.cursor());
                    } else if (event instanceof Event.Connected c) {
                        epoch = c.epoch();
                        toPersist = c.cursor();
                    } else if (event instanceof Event.ReadyToPersist && toPersist >= 0) {
                        out.persistWatermark(1, epoch, toPersist);
                        toPersist = -1;
                    }
                }

                @Override
                public int held() {
                    return 0;
                }
            });
        }
    }

    /** The real store, its commits awaited on the caller's thread so the test's runtime stays single-threaded. */
    private static final class Awaited implements ServerStore {
        final MapDbServerStore store;

        Awaited(MapDbServerStore store) {
            this.store = store;
        }

        @Override
        public CompletionStage<List<Accepted>> commit(ServerCommit commit) {
            return CompletableFuture.completedFuture(store.commit(commit).toCompletableFuture().join());
        }

        @Override
        public List<Message> read(String user, long fromSeq, int limit) {
            return store.read(user, fromSeq, limit);
        }

        @Override
        public InboxState inbox(String user) {
            return store.inbox(user);
        }

        @Override
        public Optional<DeviceState> device(String user, String device) {
            return store.device(user, device);
        }

        @Override
        public Optional<Message> findBySender(String sender, String clientId) {
            return store.findBySender(sender, clientId);
        }

        @Override
        public String generation() {
            return store.generation();
        }

        @Override
        public boolean vouches(String user, long seq, String id, String generation) {
            return store.vouches(user, seq, id, generation);
        }

        @Override
        public void close() {
            store.close();
        }
    }

    private ServerEngine engine(ServerStore store, String strategy) {
        return new ServerEngine(ServerEngineConfig.DEFAULT, store, new Recording(strategy), StrategyOptions.none(),
                new HmacTokens(secret), runtime, new SimpleMeterRegistry());
    }

    private void hello(ServerEngine engine, String strategy, long cursor, String idAtCursor, String generation) {
        String token = new HmacTokens(secret).mint(new Principal("bob", "phone"), Duration.ofHours(1),
                runtime.currentTimeMillis());
        ServerSessionRulesTest.FakeChannel c = new ServerSessionRulesTest.FakeChannel();
        engine.accept(c).onFrame(new Hello(Frame.PROTOCOL_VERSION, token, "bob", "phone", List.of(strategy), 1, cursor,
                idAtCursor, generation, 1));
        runtime.runDue();
        assertThat(c.sent).first().isInstanceOf(Welcome.class);
    }

    @Test
    @DisplayName("a restarted server, with another strategy, starts the device's half from the persisted watermark")
    void restartedServerResumesFromThePersistedWatermark() {
        Arrays.fill(secret, (byte) 3);
        String id3;
        String generation;
        try (Awaited store = new Awaited(MapDbServerStore.open(dir))) {
            List<Submission> five = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                byte[] p = ("m" + i).getBytes(StandardCharsets.UTF_8);
                five.add(new Submission("alice", "out-" + i, "bob", p, Checksums.crc32c(p), 0));
            }
            id3 = store.commit(ServerCommit.append(five)).toCompletableFuture().join().get(2).message().id();

            generation = store.generation();
            ServerEngine first = engine(store, "one");
            hello(first, "one", 3, id3, generation);
            assertThat(starts).as("a device never seen starts from nothing").containsExactly("one:0/0");
            assertThat(store.device("bob", "phone")).hasValueSatisfying(d -> assertThat(d.confirmed()).isEqualTo(3));
            first.close();
        }
        try (Awaited store = new Awaited(MapDbServerStore.open(dir))) {
            ServerEngine second = engine(store, "two");
            // The device committed its cursor in a session of the first opening: the second vouches for it.
            hello(second, "two", 3, id3, generation);
            assertThat(starts).as("the restarted server's half, of another strategy").containsExactly("one:0/0",
                    "two:1/3");
            second.close();
        }
    }
}
