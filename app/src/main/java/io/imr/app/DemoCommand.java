package io.imr.app;

import io.imr.api.Message;
import io.imr.api.strategy.StrategyRegistry;
import io.imr.embed.HostPort;
import io.imr.embed.ImrClient;
import io.imr.embed.ImrServer;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.engine.metrics.MetricNames;
import io.imr.testkit.StrategyComparison;
import io.imr.transport.vertx.FaultyProxy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imr demo}: the real components under faults, in temporary folders, once per installed
 * strategy. An embedded server, senders and a receiver over real TCP sockets through a proxy that
 * drops frames and cuts connections, MapDB stores, and a receiver restarted now and then; a summary
 * per strategy, then a table comparing them and the line naming the one that cost least. Every
 * strategy gets the same seed, proxy settings and message counts, each run its own folders and
 * meters. Exits 0 only when no strategy lost, duplicated or reordered anything.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the real components under faults in a temporary folder and shows what arrived.",
            "Once per installed strategy, with the same seed and faults: an embedded server, two senders and a"
                + " receiver over real sockets and MapDB stores, through a proxy that drops frames and cuts"
                + " connections; the receiver is restarted now and then. Ends with a table comparing the strategies"
                + " and the one that cost least. Exits 0 only when no strategy lost, duplicated or reordered anything."})
final class DemoCommand implements Callable<Integer> {

    /** Connection cuts per run (every connection through the proxy each time). */
    private static final int CUTS = 12;
    /** Receiver restarts per run. */
    private static final int RESTARTS = 3;
    /** How long one strategy's run may take before it counts as failed. */
    private static final long RUN_DEADLINE_SECONDS = 120;

    @Option(names = "--messages", paramLabel = "N", description = "messages per sender and strategy (default 1000)")
    int perSender = 1_000;

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
        List<String> strategies = new ArrayList<>(StrategyRegistry.load().names());
        String faults = 2 + " senders x " + perSender + " messages to 1 receiver, " + percent(dropRate)
                + " of frames dropped, connections cut " + CUTS + " times and the receiver restarted " + RESTARTS
                + " times at the same points of its progress; seed " + s;
        out.println("imr demo: " + strategies.size() + " strategies (" + String.join(", ", strategies)
                + ") one after the other, each with " + faults);
        StrategyComparison table = new StrategyComparison("strategies compared, " + faults);
        boolean clean = true;
        for (int i = 0; i < strategies.size(); i++) {
            String name = strategies.get(i);
            Path dir = Files.createTempDirectory("imr-demo-" + name + "-");
            out.println();
            out.println("strategy " + name + " (" + (i + 1) + " of " + strategies.size() + "), working in " + dir);
            Result r;
            try {
                r = run(name, dir, s);
            } finally {
                if (!keep) {
                    Folders.deleteTree(dir);
                }
            }
            out.println();
            r.print(out);
            table.add(r.row());
            clean &= r.clean();
        }
        out.println();
        out.print(table.text());
        out.println(table.verdict());
        out.println(clean ? "OK: with every strategy, every message confirmed to a sender was stored exactly once,"
                + " in order." : "FAILED: see the summaries above.");
        return clean ? Imr.OK : Imr.FAILED;
    }

    private static String percent(double rate) {
        return new java.math.BigDecimal(Double.toString(rate * 100)).stripTrailingZeros().toPlainString() + "%";
    }

    private Result run(String strategy, Path dir, long seed) throws Exception {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        MeterRegistry serverMeters = new SimpleMeterRegistry();
        MeterRegistry receiverMeters = new SimpleMeterRegistry();
        Vertx vertx = Vertx.vertx();
        ImrServer server = ImrServer.builder().dataDir(dir.resolve("server")).secret(secret).strategy(strategy)
                .tcp(new HostPort("127.0.0.1", 0)).meterRegistry(serverMeters).vertx(vertx)
                .heartbeat(Duration.ofSeconds(1)).helloTimeout(Duration.ofSeconds(2))
                .build();
        server.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
        FaultyProxy proxy = new FaultyProxy(vertx, "127.0.0.1", server.tcpAddress().getPort(), true, seed);
        proxy.dropRate(dropRate);
        Random random = new Random(seed);
        HmacTokens tokens = new HmacTokens(secret);
        Map<String, Integer> seenTimes = new HashMap<>();
        List<Long> seqsSeen = new ArrayList<>();
        Result result = new Result(strategy);
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_DEADLINE_SECONDS);
        // The faults follow the receiver's progress, not the wall clock, so that every strategy meets the
        // same ones at the same points: a slower strategy meets no more cuts and restarts than a faster one.
        long[] cutsAt = milestones(random, CUTS, total);
        long[] restartsAt = milestones(random, RESTARTS, total);
        int cutsDone = 0;
        while (System.nanoTime() < deadline) {
            long stored = bob.state().count();
            long confirmed = confirmations.stream().filter(CompletableFuture::isDone).count();
            progress(strategy, stored, confirmed, total, proxy, result.restarts);
            if (stored >= total && confirmed >= total && cutsDone == CUTS && result.restarts == RESTARTS) {
                break;
            }
            if (cutsDone < CUTS && stored >= cutsAt[cutsDone]) {
                proxy.cutAll();
                cutsDone++;
            }
            if (result.restarts < RESTARTS && stored >= restartsAt[result.restarts]) {
                bob.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
                bob = receiver.meterRegistry(receiverMeters).build();
                bob.start();
                result.restarts++;
            }
            Thread.sleep(50);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        progress(strategy, bob.state().count(), confirmations.stream().filter(CompletableFuture::isDone).count(), total, proxy,
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
        result.pulls = count(receiverMeters, MetricNames.PULLS); // sent by the receiver
        // The server sees every connection, both ways.
        result.controlBytes = count(serverMeters, MetricNames.BYTES_CONTROL);
        result.confirmationBytes = count(serverMeters, MetricNames.BYTES_CONFIRMATION);
        result.latencyP50 = latencyMillis(receiverMeters, strategy, 0.5);
        result.latencyP99 = latencyMillis(receiverMeters, strategy, 0.99);
        for (ImrClient sender : senders) {
            sender.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        bob.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
        proxy.close();
        server.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
        vertx.close().await();
        return result;
    }

    /**
     * {@code n} counts of stored messages, rising, one in each of {@code n} equal slices of 1..total-1
     * at a random place within it: where the faults fall.
     */
    static long[] milestones(Random random, int n, int total) {
        long[] at = new long[n];
        double slice = (double) Math.max(1, total - 1) / n;
        for (int i = 0; i < n; i++) {
            at[i] = 1 + (long) (slice * i + random.nextDouble() * slice);
        }
        return at;
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

    /**
     * A percentile of the receiver's delivery latency timer (server accept to commit), in milliseconds. The
     * timer publishes its percentiles over a window of minutes, longer than a run; restarted receivers
     * record into the same timer, since they share the registry. Only the timer of the strategy that ran:
     * a client registers its meters under the strategy it offers first before the server has picked one.
     */
    private static double latencyMillis(MeterRegistry registry, String strategy, double percentile) {
        for (Timer t : Search.in(registry).name(MetricNames.DELIVERY_LATENCY)
                .tag(MetricNames.TAG_STRATEGY, strategy).timers()) {
            for (var v : t.takeSnapshot().percentileValues()) {
                if (v.percentile() == percentile) {
                    return v.value(TimeUnit.MILLISECONDS);
                }
            }
        }
        return 0;
    }

    private void progress(String strategy, long stored, long confirmed, int total, FaultyProxy proxy, int restarts) {
        int width = 30;
        int filled = (int) (width * stored / Math.max(1, total));
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        out.print("\r" + strategy + " [" + bar + "] stored " + stored + "/" + total + "  confirmed to senders " + confirmed
                + "  frames dropped " + proxy.framesDropped() + "  cuts " + proxy.cuts() + "  receiver restarts "
                + restarts + "   ");
        out.flush();
    }

    /** What the demo found. */
    static final class Result {
        final String strategy;
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
        double pulls;
        double controlBytes;
        double confirmationBytes;
        double latencyP50;
        double latencyP99;
        long framesDropped;
        long cuts;
        int restarts;

        Result(String strategy) {
            this.strategy = strategy;
        }

        boolean clean() {
            return lost == 0 && duplicates == 0 && orderViolations == 0 && confirmed == sent && delivered == sent;
        }

        void print(PrintStream out) {
            out.println("summary (strategy " + strategy + ")");
            row(out, "sent", sent);
            row(out, "confirmed to senders", confirmed);
            row(out, "delivered (stored once)", delivered);
            row(out, "lost", lost);
            row(out, "duplicates", duplicates);
            row(out, "order violations", orderViolations);
            out.printf(Locale.ROOT, "  %-28s %.0f%n", "messages per second", delivered / Math.max(seconds, 1e-9));
            out.printf(Locale.ROOT, "  %-28s %.0f%n", "retransmissions", retransmits);
            out.printf(Locale.ROOT, "  %-28s %.0f%n", "acks sent", acks);
            out.printf(Locale.ROOT, "  %-28s %.0f%n", "pulls", pulls);
            out.printf(Locale.ROOT, "  %-28s %.1f%n", "control bytes per message", controlBytes / Math.max(1, delivered));
            out.printf(Locale.ROOT, "  %-28s %s%n", "confirmation bytes per msg",
                    StrategyComparison.bytesPerMessage(perMessage(confirmationBytes)));
            out.printf(Locale.ROOT, "  %-28s %.1f ms / %.1f ms%n", "latency p50 / p99", latencyP50, latencyP99);
            row(out, "frames dropped", framesDropped);
            row(out, "connections cut", cuts);
            row(out, "receiver restarts", restarts);
            out.println(clean() ? "OK: every message confirmed to a sender was stored exactly once, in order."
                    : "FAILED: see the lines above.");
        }

        private double perMessage(double bytes) {
            return bytes / Math.max(1, delivered);
        }

        /**
         * The row of the comparison. A run that did not finish (not everything confirmed and stored) counts
         * its missing messages as lost, so it can never be named the cheapest.
         */
        StrategyComparison.Row row() {
            long missing = Math.max(lost, sent - delivered);
            return new StrategyComparison.Row(strategy, delivered, missing, duplicates, orderViolations,
                    perMessage(controlBytes), perMessage(confirmationBytes), Math.round(pulls), Math.round(retransmits),
                    latencyP50, latencyP99);
        }

        private static void row(PrintStream out, String name, long value) {
            out.printf(Locale.ROOT, "  %-28s %d%n", name, value);
        }
    }
}
