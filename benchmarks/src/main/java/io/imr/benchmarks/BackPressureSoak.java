package io.imr.benchmarks;

import io.imr.api.Checksums;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Send;
import io.imr.api.frame.SendAck;
import io.imr.api.frame.Welcome;
import io.imr.api.strategy.StrategyOptions;
import io.imr.embed.ImrClient;
import io.imr.engine.ServerEngine;
import io.imr.engine.ServerEngineConfig;
import io.imr.engine.ThreadedRuntime;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.engine.metrics.MetricNames;
import io.imr.store.mapdb.MapDbServerStore;
import io.imr.transport.vertx.BackPressure;
import io.imr.transport.vertx.FaultyProxy;
import io.imr.transport.vertx.TransportStats;
import io.imr.transport.vertx.VertxServerTransport;
import io.imr.transport.vertx.WireMeter;
import io.imr.wire.FrameCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Back-pressure under load (issue 9, G7): the server's heap while devices do not read.
 *
 * <p>This JVM runs only the server (engine, strategy, MapDB store, Vert.x TCP transport with its
 * default bounds); a child JVM runs the devices, so the heap measured is the server's alone, after
 * a full GC ({@link MemoryMXBean}) every two seconds.
 * <ol>
 *   <li>Stopped reader: bob's device connects through a proxy that stops reading what the server
 *       sends it (the device reads nothing), and alice sends N messages to bob. Then the proxy
 *       reads again: bob catches up, and the run prints how fast.</li>
 *   <li>A sender that does not read its send-acks: carol writes M sends on a raw socket without
 *       reading anything for 20 s, then reads: every send must be confirmed exactly once.</li>
 * </ol>
 *
 * <pre>java [-Dimr.strategy.hybrid.OPTION=VALUE ...] -cp benchmarks/target/benchmarks.jar
 *     io.imr.benchmarks.BackPressureSoak [messages] [size] [raw-sends]</pre>
 * Defaults: 1,000,000 messages of 64 bytes; 200,000 raw sends; the strategy's default options (a window of
 * {@code window=65536} and {@code window-bytes=1073741824} makes the server push far more to the stopped reader);
 * {@code -Dimr.soak.socket-buffer=BYTES} fixes the server's socket buffers (0: the system's auto-tuning), so what
 * the stopped reader does not take stays in the server's own queue instead of the kernel's.
 */
public final class BackPressureSoak {

    /** The outbox id of the raw sender's sends. */
    static final String OUTBOX = "soak";

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final String STRATEGY = "hybrid";

    private BackPressureSoak() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("devices")) {
            Devices.main(args);
            return;
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int rawSends = args.length > 2 ? Integer.parseInt(args[2]) : 200_000;
        Path dir = Files.createTempDirectory("imr-backpressure-");
        byte[] secret = new byte[32];
        new java.security.SecureRandom().nextBytes(secret);
        HmacTokens tokens = new HmacTokens(secret);

        Vertx vertx = Vertx.vertx();
        MapDbServerStore store = MapDbServerStore.open(dir.resolve("server"));
        ThreadedRuntime runtime = new ThreadedRuntime("server");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ServerEngine engine = new ServerEngine(ServerEngineConfig.DEFAULT, store,
                io.imr.api.strategy.StrategyRegistry.load().get(STRATEGY), strategyOptions(), tokens, runtime, meters);
        BackPressure limits = BackPressure.DEFAULT.withSocketBuffer(Integer.getInteger("imr.soak.socket-buffer", 0));
        VertxServerTransport transport = new VertxServerTransport(vertx, new FrameCodec(), engine::accept,
                WireMeter.NONE, limits);
        LongSupplier enginePauses = () -> (long) meters.get(MetricNames.INBOUND_PAUSES).gauge().value();
        int port = transport.listenTcp("127.0.0.1", 0).await().getPort();
        TransportStats stats = transport.stats();

        System.out.printf("server: %s %s, MapDB in %s, TCP 127.0.0.1:%d, bounds per connection %s and the engine's "
                        + "defaults (docs/back-pressure.md), max heap %d MiB%n", STRATEGY, strategyOptions().asMap(), dir, port, limits,
                Runtime.getRuntime().maxMemory() >> 20);
        long before = heapAfterGc();
        System.out.printf("server heap before: %.1f MiB (after GC)%n", mib(before));

        AtomicLong peak = new AtomicLong(before);
        AtomicReference<String> phase = new AtomicReference<>("start");
        Thread sampler = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(2_000);
                    long used = heapAfterGc();
                    peak.accumulateAndGet(used, Math::max);
                    System.out.printf("  [%s] server heap %.1f MiB after GC; queued for peers %d B (most on one "
                                    + "connection so far %d B), connections not read %d, write pauses %d, engine "
                                    + "pauses %d, slow consumers closed %d, sessions %d%n", phase.get(), mib(used),
                            stats.queuedBytes(), stats.maxQueuedBytes(), stats.pausedConnections(), stats.writePauses(),
                            enginePauses.getAsLong(), stats.slowConsumerCloses(), engine.sessions());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                BackPressureSoak.class.getName(), "devices", String.valueOf(port), HexFormat.of().formatHex(secret),
                String.valueOf(n), String.valueOf(size), String.valueOf(rawSends), dir.resolve("devices").toString()));
        Process devices = new ProcessBuilder(command).redirectErrorStream(true).start();
        Map<String, Long> peaks = new java.util.LinkedHashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(devices.getInputStream()))) {
            for (String line; (line = out.readLine()) != null; ) {
                System.out.println("devices: " + line);
                if (line.startsWith("PHASE ")) {
                    peaks.put(phase.get(), peak.getAndSet(heapAfterGc()));
                    phase.set(line.substring(6));
                }
            }
        }
        int exit = devices.waitFor();
        peaks.put(phase.get(), peak.get());
        sampler.interrupt();
        long after = heapAfterGc();
        System.out.printf("%nserver heap: before %.1f MiB, peak after GC per phase %s, after %.1f MiB%n", mib(before),
                peaks.entrySet().stream().map(e -> e.getKey() + " " + String.format("%.1f MiB", mib(e.getValue())))
                        .toList(), mib(after));
        System.out.printf("server pushed back: most bytes queued on one connection %d (limit %d), write pauses %d, "
                        + "engine pauses %d, slow consumers closed %d%n", stats.maxQueuedBytes(),
                limits.writeLimit(), stats.writePauses(), enginePauses.getAsLong(), stats.slowConsumerCloses());
        transport.close();
        engine.close();
        runtime.close();
        store.close();
        vertx.close().await();
        System.exit(exit);
    }

    /** The server's strategy options from {@code -Dimr.strategy.hybrid.NAME=VALUE} (none: the defaults). */
    private static StrategyOptions strategyOptions() {
        String prefix = "imr.strategy." + STRATEGY + ".";
        Map<String, String> set = new java.util.TreeMap<>();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(prefix))
                .forEach(k -> set.put(k.substring(prefix.length()), System.getProperty(k)));
        return StrategyOptions.of(set);
    }

    private static long heapAfterGc() {
        MEMORY.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    /** The child JVM: the devices, talking to the server over TCP. */
    static final class Devices {

        public static void main(String[] args) {
            try {
                run(args);
                System.exit(0);
            } catch (Throwable e) {
                e.printStackTrace(System.out);
                System.exit(1);
            }
        }

        private static void run(String[] args) throws Exception {
            int port = Integer.parseInt(args[1]);
            HmacTokens tokens = new HmacTokens(HexFormat.of().parseHex(args[2]));
            int n = Integer.parseInt(args[3]);
            int size = Integer.parseInt(args[4]);
            int rawSends = Integer.parseInt(args[5]);
            Path dir = Path.of(args[6]);
            Vertx vertx = Vertx.vertx();
            stoppedReader(vertx, tokens, port, n, size, dir);
            if (rawSends > 0) {
                senderThatDoesNotRead(tokens, port, rawSends);
            }
            vertx.close().await();
            System.out.println("PHASE done");
        }

        private static String token(HmacTokens tokens, String user, String device) {
            return tokens.mint(new Principal(user, device), Duration.ofHours(2), System.currentTimeMillis());
        }

        private static void stoppedReader(Vertx vertx, HmacTokens tokens, int port, int n, int size, Path dir)
                throws Exception {
            FaultyProxy proxy = new FaultyProxy(vertx, "127.0.0.1", port, true, 1);
            proxy.holdReplies(true);
            AtomicLong received = new AtomicLong();
            AtomicLong lastSeq = new AtomicLong();
            AtomicLong outOfOrder = new AtomicLong();
            CompletableFuture<Void> all = new CompletableFuture<>();
            ImrClient bob = ImrClient.builder().vertx(vertx).server("127.0.0.1:" + proxy.port()).user("bob")
                    .device("phone").strategies(STRATEGY).token(token(tokens, "bob", "phone"))
                    .dataDir(dir.resolve("bob")).meterRegistry(new SimpleMeterRegistry())
                    .listener(m -> {
                        if (m.seq() != lastSeq.get() + 1) {
                            outOfOrder.incrementAndGet();
                        }
                        lastSeq.set(m.seq());
                        if (received.incrementAndGet() == n) {
                            all.complete(null);
                        }
                    }).build();
            ImrClient alice = ImrClient.builder().vertx(vertx).server("127.0.0.1:" + port).user("alice")
                    .device("laptop").strategies(STRATEGY).token(token(tokens, "alice", "laptop"))
                    .dataDir(dir.resolve("alice")).meterRegistry(new SimpleMeterRegistry()).build();
            bob.start(); // completes at its first welcome, which the proxy holds
            alice.start().toCompletableFuture().get(1, TimeUnit.MINUTES);
            System.out.println("PHASE sending " + n + " to a reader that reads nothing");
            Semaphore inFlight = new Semaphore(20_000);
            AtomicLong failed = new AtomicLong();
            long t0 = System.nanoTime();
            byte[] payload = new byte[size];
            for (int i = 0; i < n; i++) {
                inFlight.acquire();
                payload[0] = (byte) i;
                alice.send("bob", payload).whenComplete((seq, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                    }
                    inFlight.release();
                });
                if ((i + 1) % 100_000 == 0) {
                    System.out.printf("sent %d (%.0f/s), bob received %d%n", i + 1,
                            (i + 1) / ((System.nanoTime() - t0) / 1e9), received.get());
                }
            }
            inFlight.acquire(20_000);
            double sendSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("all %d confirmed to alice in %.1f s (%.0f messages/s), %d failed; bob received %d "
                    + "while not reading%n", n, sendSeconds, n / sendSeconds, failed.get(), received.get());
            Thread.sleep(6_000); // the server's heap is sampled while bob still reads nothing
            System.out.println("PHASE catch-up: bob reads again");
            long t1 = System.nanoTime();
            long atRelease = received.get();
            proxy.holdReplies(false);
            all.get(30, TimeUnit.MINUTES);
            double catchUp = (System.nanoTime() - t1) / 1e9;
            System.out.printf("bob caught up: %d messages in %.1f s after it read again (%.0f messages/s), %d out of "
                            + "order, last seq %d, %d in bob's store%n", n - atRelease, catchUp, (n - atRelease) / catchUp,
                    outOfOrder.get(), lastSeq.get(), bob.state().count());
            long stored = bob.state().count();
            alice.close().toCompletableFuture().get(1, TimeUnit.MINUTES);
            bob.close().toCompletableFuture().get(1, TimeUnit.MINUTES);
            proxy.close();
            if (received.get() != n || outOfOrder.get() != 0 || stored != n) {
                throw new IllegalStateException("bob did not get every message once, in order");
            }
        }

        /** Writes sends on a raw socket without reading for 20 s, then reads every send-ack. */
        private static void senderThatDoesNotRead(HmacTokens tokens, int port, int count) throws Exception {
            FrameCodec codec = new FrameCodec();
            try (Socket socket = new Socket()) {
                socket.setReceiveBufferSize(8 << 10);
                socket.connect(new InetSocketAddress("127.0.0.1", port));
                OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 << 10);
                DataInputStream in = new DataInputStream(socket.getInputStream());
                out.write(codec.encodeWithLength(new Hello(Frame.PROTOCOL_VERSION, token(tokens, "carol", "tablet"),
                        "carol", "tablet", List.of(STRATEGY), 0, 0, "", "", 1)));
                out.flush();
                Frame welcome = read(in, codec);
                if (!(welcome instanceof Welcome)) {
                    throw new IllegalStateException("expected a welcome, got " + welcome);
                }
                System.out.println("PHASE raw sender writes " + count + " sends and reads nothing for 20 s");
                AtomicLong written = new AtomicLong();
                CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                    try {
                        byte[] payload = new byte[64];
                        for (int i = 0; i < count; i++) {
                            // One send a frame, as a sender that batches nothing would write them.
                            out.write(codec.encodeWithLength(Send.of(OUTBOX, i + 1, "bob", payload,
                                    Checksums.crc32c(payload))));
                            written.incrementAndGet();
                        }
                        out.flush();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                for (int s = 0; s < 10; s++) {
                    Thread.sleep(2_000);
                    System.out.printf("raw sender: %d sends written into its socket, reads nothing%n", written.get());
                }
                System.out.println("PHASE raw sender reads its send-acks");
                long t0 = System.nanoTime();
                Set<Long> confirmed = new HashSet<>();
                while (confirmed.size() < count) {
                    Frame f = read(in, codec);
                    if (!(f instanceof SendAck a) || !a.outboxId().equals(OUTBOX)) {
                        throw new IllegalStateException("expected a send-ack of outbox " + OUTBOX + ", got " + f);
                    }
                    for (SendAck.Run r : a.runs()) {
                        for (long c = r.firstCounter(); c <= r.lastCounter(); c++) {
                            if (!confirmed.add(c)) {
                                throw new IllegalStateException("send " + c + " confirmed twice: " + f);
                            }
                        }
                    }
                }
                writing.get(1, TimeUnit.MINUTES);
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf("raw sender: all %d sends confirmed once each, %.1f s after it read again (%.0f/s)%n",
                        count, seconds, count / seconds);
            }
        }

        private static Frame read(DataInputStream in, FrameCodec codec) throws IOException {
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            return codec.decode(body);
        }
    }
}
