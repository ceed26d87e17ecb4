package io.imr.benchmarks;

import io.imr.api.strategy.PerStrategyOptions;
import java.util.Map;
import java.util.TreeMap;

import io.imr.embed.HostPort;
import io.imr.embed.ImrClient;
import io.imr.embed.ImrServer;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.engine.metrics.MetricNames;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One sender to one receiver over TCP loopback inside one JVM, with the real engine, transport,
 * strategy and MapDB stores (durable commits): messages per second from the first send to the
 * receiver's commit of the last, and the commit batch sizes on each side.
 *
 * <pre>java [-Dimr.strategy.NAME.OPTION=VALUE ...] -cp benchmarks/target/benchmarks.jar
 *     io.imr.benchmarks.LoopbackThroughput [messages] [size] [strategy]</pre>
 *
 * <p>Also prints the control and confirmation bytes per message the server counted (it sees every frame
 * of both devices), so options such as {@code hybrid}'s {@code ack-every} and {@code ack-delay} can be
 * compared by what they cost.
 */
public final class LoopbackThroughput {

    private LoopbackThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        String strategy = args.length > 2 ? args[2] : "ack";
        Path dir = Files.createTempDirectory("imr-loopback-");
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) 1);
        HmacTokens tokens = new HmacTokens(secret);
        MeterRegistry serverMeters = new SimpleMeterRegistry();
        MeterRegistry receiverMeters = new SimpleMeterRegistry();
        MeterRegistry senderMeters = new SimpleMeterRegistry();
        Map<String, String> set = new TreeMap<>();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("imr.strategy."))
                .forEach(k -> set.put(k.substring("imr.strategy.".length()), System.getProperty(k)));
        PerStrategyOptions options = PerStrategyOptions.parse(set);
        ImrServer server = ImrServer.builder().dataDir(dir.resolve("server")).secret(secret).strategy(strategy)
                .strategyOptions(options).tcp(new HostPort("127.0.0.1", 0)).meterRegistry(serverMeters).build();
        server.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
        String address = "127.0.0.1:" + server.tcpAddress().getPort();
        CountDownLatch received = new CountDownLatch(n);
        ImrClient receiver = client(address, tokens, dir, "bob", "phone", strategy, receiverMeters)
                .strategyOptions(options).listener(m -> received.countDown()).build();
        ImrClient sender = client(address, tokens, dir, "alice", "laptop", strategy, senderMeters)
                .strategyOptions(options).build();
        receiver.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
        sender.start().toCompletableFuture().get(30, TimeUnit.SECONDS);

        byte[] payload = new byte[size];
        long t0 = System.nanoTime();
        CompletableFuture<?>[] sends = new CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            payload[0] = (byte) i;
            sends[i] = sender.send("bob", payload).toCompletableFuture();
        }
        CompletableFuture.allOf(sends).get(10, TimeUnit.MINUTES);
        long confirmed = System.nanoTime();
        if (!received.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the receiver did not get every message");
        }
        long done = System.nanoTime();
        System.out.printf("%s %s, %d messages of %d bytes, one JVM, TCP loopback, durable MapDB commits%n", strategy,
                options.forStrategy(strategy).asMap(), n, size);
        System.out.printf("  all confirmed to the sender after %.2f s (%.0f messages/s)%n", (confirmed - t0) / 1e9,
                n / ((confirmed - t0) / 1e9));
        System.out.printf("  all handed to the receiver's listener after %.2f s (%.0f messages/s)%n", (done - t0) / 1e9,
                n / ((done - t0) / 1e9));
        print("server commits", serverMeters);
        print("receiver commits", receiverMeters);
        System.out.printf("  delivery latency (server accept to receiver commit) p50 %.1f ms, p99 %.1f ms%n",
                percentile(receiverMeters, 0.5), percentile(receiverMeters, 0.99));
        System.out.printf("  bytes per message on the server's wire: control %.1f, confirmation %.2f%n",
                count(serverMeters, MetricNames.BYTES_CONTROL) / n, count(serverMeters, MetricNames.BYTES_CONFIRMATION) / n);
        sender.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
        receiver.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
        server.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static ImrClient.Builder client(String address, HmacTokens tokens, Path dir, String user, String device,
                                            String strategy, MeterRegistry meters) {
        return ImrClient.builder().server(address).user(user).device(device).strategies(strategy)
                .token(tokens.mint(new Principal(user, device), Duration.ofHours(1), System.currentTimeMillis()))
                .dataDir(dir.resolve(user)).meterRegistry(meters);
    }

    private static double count(MeterRegistry meters, String name) {
        double sum = 0;
        for (var c : Search.in(meters).name(name).counters()) {
            sum += c.count();
        }
        return sum;
    }

    private static void print(String what, MeterRegistry meters) {
        for (DistributionSummary d : Search.in(meters).name(MetricNames.COMMIT_BATCH_SIZE).summaries()) {
            HistogramSnapshot s = d.takeSnapshot();
            System.out.printf("  %s: %d messages in %d commits, mean batch %.1f, p50 %.0f, p99 %.0f%n", what,
                    (long) s.total(), s.count(), s.mean(), value(s, 0.5), value(s, 0.99));
        }
    }

    private static double value(HistogramSnapshot s, double p) {
        for (var v : s.percentileValues()) {
            if (v.percentile() == p) {
                return v.value();
            }
        }
        return Double.NaN;
    }

    private static double percentile(MeterRegistry meters, double p) {
        for (var t : Search.in(meters).name(MetricNames.DELIVERY_LATENCY).timers()) {
            for (var v : t.takeSnapshot().percentileValues()) {
                if (v.percentile() == p) {
                    return v.value(TimeUnit.MILLISECONDS);
                }
            }
        }
        return Double.NaN;
    }
}
