package io.imr.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.ClientIds;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.SendAck;
import io.imr.api.Message;
import io.imr.api.strategy.PerStrategyOptions;
import io.imr.api.strategy.StrategyRegistry;
import io.imr.engine.ClientEngine;
import io.imr.engine.ClientEngineConfig;
import io.imr.engine.ThreadedRuntime;
import io.imr.engine.internal.InboundGate;
import io.imr.engine.metrics.MetricNames;
import io.imr.store.mapdb.MapDbClientStore;
import io.imr.strategy.hybrid.HybridStrategyProvider;
import io.imr.wire.FrameCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Back-pressure over real sockets on 127.0.0.1, against the real server engine, MapDB store and
 * strategy: what the server holds for a peer that does not read stays under the configured bounds
 * in bytes, whatever it is sent.
 */
@DisplayName("Back-pressure: a peer that does not read cannot grow the server")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BackPressureTest {

    /**
     * Small marks, and small fixed socket buffers (the kernel's auto-tuned ones park megabytes), so ten
     * thousand messages are far beyond them.
     */
    static final BackPressure LIMITS = new BackPressure(128 << 10, 64 << 10, 1 << 20, 64 << 10);
    /** The server pushes everything to a device without waiting for its confirmations. */
    static final Map<String, String> PUSH_ALL = Map.of("window", "65536", "window-bytes", String.valueOf(1 << 30));

    @TempDir
    Path dir;

    static String id(int i) {
        // Send-acks are runs of consecutive counters: counters two apart make one run per send, and
        // counters near 2^62 the longest runs (20 bytes each), so fewer sends fill the socket buffers.
        return "o".repeat(ClientIds.MAX_OUTBOX_ID) + "-" + ((1L << 62) + 2L * i);
    }

    static java.util.function.Supplier<String> diagnostics;

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what + (diagnostics == null ? "" : ": " + diagnostics.get()));
            }
            Thread.sleep(20);
        }
    }

    /** Sends n messages to a user from a raw device that reads its send-acks; returns once all are confirmed. */
    static void sendAll(ServerFixture server, String to, int n, int size) {
        try (RawDevice sender = new RawDevice(server.port, 256 << 10)) {
            sender.hello(server.token("alice", "laptop"), "alice", "laptop", "hybrid");
            CompletableFuture<Integer> acks = CompletableFuture.supplyAsync(() -> {
                int count = 0;
                while (count < n) {
                    Frame f = sender.read();
                    if (f instanceof SendAck ack) {
                        count += (int) ack.messages();
                    } else if (f instanceof ErrorFrame e) {
                        throw new AssertionError("the server refused a send: " + e);
                    }
                }
                return count;
            });
            byte[] payload = new byte[size];
            for (int i = 0; i < n; i++) {
                payload[0] = (byte) i;
                sender.write(RawDevice.send("m-" + (i + 1), to, payload));
            }
            sender.flush();
            assertThat(acks.join()).isEqualTo(n);
        }
    }

    static String describe(ServerFixture s) {
        TransportStats t = s.transport.stats();
        return "queued " + t.queuedBytes() + " max " + t.maxQueuedBytes() + " paused " + t.pausedConnections()
                + " write pauses " + t.writePauses() + " engine pauses " + t.enginePauses() + " slow " + t.slowConsumerCloses()
                + " gate pending " + s.inbound(MetricNames.INBOUND_PENDING) + " gate paused "
                + s.inbound(MetricNames.INBOUND_PAUSED) + " gate pauses " + s.inbound(MetricNames.INBOUND_PAUSES)
                + " sessions " + s.engine.sessions();
    }

    @Test
    @DisplayName("a device that stops reading while 20,000 messages (3 MB) are pushed to it: the server never "
            + "queues more than its limit for it, closes it as a slow consumer, and goes on serving the others")
    void stoppedReader() throws Exception {
        try (ServerFixture server = new ServerFixture(dir.resolve("server"), LIMITS, PUSH_ALL);
             RawDevice reader = new RawDevice(server.port, 8 << 10)) {
            reader.hello(server.token("bob", "phone"), "bob", "phone", "hybrid");
            // From here on bob's device reads nothing.
            sendAll(server, "bob", 20_000, 100);
            TransportStats stats = server.transport.stats();
            diagnostics = () -> describe(server);
            await("the server closed bob's device", () -> stats.slowConsumerCloses() == 1);
            assertThat(stats.maxQueuedBytes()).as("bytes ever queued for one peer")
                    .isLessThanOrEqualTo(LIMITS.writeLimit());
            assertThat(stats.writePauses()).as("bob's connection stopped being read first").isGreaterThanOrEqualTo(1);
            await("the closed connection's bytes are released", () -> stats.queuedBytes() == 0);
            await("the engine saw the close", () -> server.engine.sessions() == 0);
            long read = reader.readToEnd();
            assertThat(read).as("what bob's socket held, then the end: less than was pushed")
                    .isLessThan(20_000L * 100);
        }
    }

    @Test
    @DisplayName("a sender that never reads its send-acks stops being read; the server's queues stay bounded; "
            + "once it reads, each of its 20,000 sends is confirmed once")
    void senderThatDoesNotReadItsAcks() throws Exception {
        int n = 20_000;
        try (ServerFixture server = new ServerFixture(dir.resolve("server"), LIMITS, Map.of());
             RawDevice sender = new RawDevice(server.port, 4 << 10)) {
            sender.hello(server.token("alice", "laptop"), "alice", "laptop", "hybrid");
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                byte[] payload = new byte[16];
                for (int i = 0; i < n; i++) {
                    sender.write(RawDevice.send(id(i), "bob", payload));
                }
                sender.flush();
            });
            TransportStats stats = server.transport.stats();
            diagnostics = () -> describe(server);
            await("the server stops reading the sender", () -> stats.writePauses() >= 1 && stats.pausedConnections() == 1);
            assertThat(server.store.inbox("bob").maxSeq()).as("the server has not taken every send: the rest wait in "
                    + "the sockets, not in its memory").isLessThan(n);
            assertThat(stats.maxQueuedBytes()).isLessThanOrEqualTo(LIMITS.writeLimit());
            assertThat(server.inbound(MetricNames.INBOUND_PENDING)).as("frames waiting for the engine")
                    .isLessThanOrEqualTo(InboundGate.DEFAULT_ENGINE_HIGH_WATER);
            // Now it reads: everything goes through, each send confirmed once.
            Set<String> confirmed = new HashSet<>();
            while (confirmed.size() < n) {
                Frame f = sender.read();
                assertThat(f).isInstanceOf(SendAck.class);
                SendAck ack = (SendAck) f;
                for (SendAck.Run r : ack.runs()) {
                    for (long c = r.firstCounter(); c <= r.lastCounter(); c++) {
                        assertThat(confirmed.add(ClientIds.of(ack.outboxId(), c))).as("confirmed once").isTrue();
                    }
                }
            }
            writing.get(1, TimeUnit.MINUTES);
            assertThat(server.inbound(MetricNames.INBOUND_PAUSES)).as("the engine too stopped reading the sender "
                    + "while thousands of its sends waited for their commit (instead of closing it)").isGreaterThanOrEqualTo(1);
            assertThat(stats.slowConsumerCloses()).isZero();
            assertThat(stats.maxQueuedBytes()).isLessThanOrEqualTo(LIMITS.writeLimit());
            assertThat(server.store.inbox("bob").maxSeq()).isEqualTo(n);
        }
    }

    @Test
    @DisplayName("a real client whose replies are held while 20,000 messages are pushed to it: the server pushes back "
            + "(stops reading it, closes it as a slow consumer), and once it reads again it gets every message once, in order")
    void heldReaderCatchesUp() throws Exception {
        int n = 20_000;
        List<Message> received = Collections.synchronizedList(new ArrayList<>());
        ExecutorService listenerThread = Executors.newSingleThreadExecutor();
        try (ServerFixture server = new ServerFixture(dir.resolve("server"), LIMITS, PUSH_ALL);
             FaultyProxy proxy = new FaultyProxy(server.vertx, "127.0.0.1", server.port, true, 1);
             MapDbClientStore store = MapDbClientStore.open(dir.resolve("bob"), "bob", "phone");
             ThreadedRuntime runtime = new ThreadedRuntime("bp-client")) {
            proxy.holdReplies(true);
            VertxClientConnector connector = VertxClientConnector.of(server.vertx, new FrameCodec(),
                    "127.0.0.1:" + proxy.port(), () -> WireMeter.NONE);
            // Waits for its welcome as long as the test holds it: the connection stays, and the server pushes to it.
            ClientEngineConfig config = new ClientEngineConfig(List.of("hybrid"), PerStrategyOptions.none(),
                    Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofMinutes(3), 1024, Duration.ofSeconds(10),
                    1_000_000, ClientEngineConfig.DEFAULT_INBOUND_FRAMES);
            ClientEngine bob = new ClientEngine(config, store,
                    StrategyRegistry.of(List.of(new HybridStrategyProvider())), server.token("bob", "phone"), connector,
                    runtime, new SimpleMeterRegistry(), received::add, listenerThread, c -> { });
            bob.start();
            TransportStats stats = server.transport.stats();
            diagnostics = () -> describe(server) + " received " + received.size();
            await("bob's device said hello", () -> server.engine.sessions() == 1);
            sendAll(server, "bob", n, 100);
            await("the server pushed back on bob's device", () -> stats.slowConsumerCloses() >= 1);
            assertThat(received).as("nothing reached bob while its replies were held").isEmpty();
            assertThat(stats.maxQueuedBytes()).isLessThanOrEqualTo(LIMITS.writeLimit());

            proxy.holdReplies(false);
            await("bob has every message", () -> received.size() >= n);
            List<Message> all = new ArrayList<>(received);
            assertThat(all).hasSize(n);
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < n; i++) {
                assertThat(all.get(i).seq()).as("in order, nothing skipped").isEqualTo(i + 1);
                assertThat(ids.add(all.get(i).id())).as("nothing twice").isTrue();
            }
            assertThat(store.state().count()).isEqualTo(n);
            assertThat(stats.maxQueuedBytes()).isLessThanOrEqualTo(LIMITS.writeLimit());
            bob.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
            connector.close();
        } finally {
            listenerThread.shutdownNow();
        }
    }
}
