package io.imr.app;

import io.imr.api.Message;
import io.imr.embed.HostPort;
import io.imr.embed.ImrClient;
import io.imr.embed.ImrServer;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.engine.metrics.MetricNames;
import io.imr.transport.vertx.FaultyProxy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imr demo}: the real components under faults, in a temporary folder. An embedded server,
 * senders and a receiver over real TCP sockets through a proxy that drops frames and cuts
 * connections, MapDB stores, and a receiver restarted now and then; then a summary. Exits 0
 * only when nothing was lost, duplicated or reordered.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the real components under faults in a temporary folder and shows what arrived.",
            "An embedded server, two senders and a receiver over real sockets and MapDB stores, through a proxy that"
                + " drops frames and cuts connections; the receiver is restarted now and then. Exits 0 only when"
                + " nothing was lost, duplicated or reordered."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--messages", paramLabel = "N", description = "messages per sender (default 10000)")
    int perSender = 10_000;

    @Option(names = "--drop", paramLabel = "RATE", description = "share of frames dropped each way (default 0.01)")
    double dropRate = 0.01;

    @Option(names = "--seed", paramLabel = "S", description = "seed of the faults (default: random)")
    Long seed;

    @Option(names = "--keep", description = "keep the temporary folder")
    boolean keep;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        if (perSender < 1 || dropRate < 0 || dropRate > 0.5) {
            throw new Imr.UsageError("--messages must be 1 or more and --drop 0 to 0.5");
        }
        long s = seed != null ? seed : new SecureRandom().nextLong() & Long.MAX_VALUE;
        Path dir = Files.createTempDirectory("imr-demo-");
        out.println("imr demo: strategy ack, 2 senders x " + perSender + " messages to 1 receiver, "
                + (dropRate * 100) + "% of frames dropped, connections cut, receiver restarted; seed " + s);
        out.println("working in " + dir);
        Result r;
        try {
            r = run(dir, s);
        } finally {
            if (!keep) {
                deleteTree(dir);
            }
        }
        out.println();
        r.print(out);
        return r.clean() ? Imr.OK : Imr.FAILED;
    }

    private Result run(Path dir, long seed) throws Exception {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        MeterRegistry serverMeters = new SimpleMeterRegistry();
        MeterRegistry receiverMeters = new SimpleMeterRegistry();
        Vertx vertx = Vertx.vertx();
        ImrServer server = ImrServer.builder().dataDir(dir.resolve("server")).secret(secret).strategy("ack")
                .tcp(new HostPort("127.0.0.1", 0)).meterRegistry(serverMeters).vertx(vertx)
                .engineConfig(io.imr.engine.ServerEngineConfig.DEFAULT.withHeartbeat(Duration.ofSeconds(1))
                        .withHelloTimeout(Duration.ofSeconds(2)))
                .build();
        server.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
        FaultyProxy proxy = new FaultyProxy(vertx, "127.0.0.1", server.tcpAddress().getPort(), true, seed);
        proxy.dropRate(dropRate);
        Random random = new Random(seed);
        HmacTokens tokens = new HmacTokens(secret);
        Map<String, Integer> seenTimes = new HashMap<>();
        List<Long> seqsSeen = new ArrayList<>();
        Result result = new Result();
        Object lock = new Object();

        ImrClient.Builder receiver = client(proxy, tokens, dir, "bob", "phone", receiverMeters).listener(m -> {
            synchronized (lock) {
                seenTimes.merge(m.id(), 1, Integer::sum);
                seqsSeen.add(m.seq());
            }
        });
        ImrClient bob = receiver.build();
        bob.start();
        List<ImrClient> senders = List.of(
                client(proxy, tokens, dir, "alice", "laptop", new SimpleMeterRegistry()).build(),
                client(proxy, tokens, dir, "carol", "tablet", new SimpleMeterRegistry()).build());
        long started = System.nanoTime();
        List<CompletableFuture<Long>> confirmations = new ArrayList<>();
        for (ImrClient sender : senders) {
            sender.start();
            for (int k = 1; k <= perSender; k++) {
                confirmations.add(sender.send("bob", payload(k)).toCompletableFuture());
            }
        }
        int total = perSender * senders.size();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        long nextCut = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500 + random.nextInt(1500));
        long nextRestart = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2000 + random.nextInt(3000));
        while (System.nanoTime() < deadline) {
            long stored = bob.state().count();
            long confirmed = confirmations.stream().filter(CompletableFuture::isDone).count();
            progress(stored, confirmed, total, proxy, result.restarts);
            if (stored >= total && confirmed >= total) {
                break;
            }
            long now = System.nanoTime();
            if (now > nextCut) {
                proxy.cutAll();
                nextCut = now + TimeUnit.MILLISECONDS.toNanos(500 + random.nextInt(2500));
            }
            if (now > nextRestart && result.restarts < 3) {
                bob.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
                bob = receiver.meterRegistry(receiverMeters).build();
                bob.start();
                result.restarts++;
                nextRestart = now + TimeUnit.MILLISECONDS.toNanos(3000 + random.nextInt(4000));
            }
            Thread.sleep(100);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        progress(bob.state().count(), confirmations.stream().filter(CompletableFuture::isDone).count(), total, proxy,
                result.restarts);

        // Judge from the receiver's store: every confirmed message exactly once, contiguous, intact.
        result.sent = total;
        result.confirmed = confirmations.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
        Map<String, Integer> stored = new HashMap<>();
        long expectedSeq = 1;
        for (long from = 1; ; ) {
            List<Message> page = bob.store().read(from, 1024);
            if (page.isEmpty()) {
                break;
            }
            for (Message m : page) {
                stored.merge(m.id(), 1, Integer::sum);
                if (m.seq() != expectedSeq || !m.payloadIntact()) {
                    result.orderViolations++;
                }
                expectedSeq = m.seq() + 1;
                from = m.seq() + 1;
            }
        }
        result.delivered = stored.size();
        result.duplicates = stored.values().stream().filter(n -> n > 1).mapToLong(n -> n - 1).sum();
        result.lost = Math.max(0, result.confirmed - result.delivered);
        synchronized (lock) {
            result.listenerCalls = seqsSeen.size();
        }
        result.seconds = seconds;
        result.retransmits = count(serverMeters, MetricNames.RETRANSMITS);
        result.framesDropped = proxy.framesDropped();
        result.cuts = proxy.cuts();
        result.acks = count(receiverMeters, MetricNames.ACKS_SENT);
        result.controlBytes = count(serverMeters, MetricNames.BYTES_CONTROL); // the server sees every connection
        for (ImrClient sender : senders) {
            sender.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        bob.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
        proxy.close();
        server.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
        vertx.close().await();
        return result;
    }

    private static ImrClient.Builder client(FaultyProxy proxy, HmacTokens tokens, Path dir, String user, String device,
                                            MeterRegistry meters) {
        return ImrClient.builder().server("127.0.0.1:" + proxy.port()).user(user).device(device)
                .token(tokens.mint(new Principal(user, device), Duration.ofHours(1), System.currentTimeMillis()))
                .dataDir(dir.resolve(user + "-" + device)).meterRegistry(meters)
                .reconnect(Duration.ofMillis(50), Duration.ofMillis(500)).resendAfter(Duration.ofSeconds(1))
                .welcomeTimeout(Duration.ofSeconds(2));
    }

    private static byte[] payload(int k) {
        return Payloads.payload(k, 256);
    }

    private static double count(MeterRegistry registry, String name) {
        return Search.in(registry).name(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private void progress(long stored, long confirmed, int total, FaultyProxy proxy, int restarts) {
        int width = 30;
        int filled = (int) (width * stored / Math.max(1, total));
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        out.print("\r[" + bar + "] stored " + stored + "/" + total + "  confirmed to senders " + confirmed
                + "  frames dropped " + proxy.framesDropped() + "  cuts " + proxy.cuts() + "  receiver restarts "
                + restarts + "   ");
        out.flush();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** What the demo found. */
    static final class Result {
        long sent;
        long confirmed;
        long delivered;
        long lost;
        long duplicates;
        long orderViolations;
        long listenerCalls;
        double seconds;
        double retransmits;
        double acks;
        double controlBytes;
        long framesDropped;
        long cuts;
        int restarts;

        boolean clean() {
            return lost == 0 && duplicates == 0 && orderViolations == 0 && confirmed == sent && delivered == sent;
        }

        void print(PrintStream out) {
            out.println("summary (strategy ack)");
            row(out, "sent", sent);
            row(out, "confirmed to senders", confirmed);
            row(out, "delivered (stored once)", delivered);
            row(out, "lost", lost);
            row(out, "duplicates", duplicates);
            row(out, "order violations", orderViolations);
            out.printf("  %-28s %.0f%n", "messages per second", delivered / Math.max(seconds, 1e-9));
            out.printf("  %-28s %.0f%n", "retransmissions", retransmits);
            out.printf("  %-28s %.0f%n", "acks sent", acks);
            out.printf("  %-28s %.1f%n", "control bytes per message", controlBytes / Math.max(1, delivered));
            row(out, "frames dropped", framesDropped);
            row(out, "connections cut", cuts);
            row(out, "receiver restarts", restarts);
            out.println(clean() ? "OK: every message confirmed to a sender was stored exactly once, in order."
                    : "FAILED: see the lines above.");
        }

        private static void row(PrintStream out, String name, long value) {
            out.printf("  %-28s %d%n", name, value);
        }
    }
}
