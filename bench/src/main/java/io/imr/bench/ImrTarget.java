package io.imr.bench;

import io.imr.embed.ImrClient;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.engine.auth.SecretFile;
import io.imr.engine.metrics.MetricNames;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * imr with one strategy: {@code imr server} in its own JVM, and {@link ImrClient}s with MapDB stores in the
 * worker processes, all clients of a worker sharing one Vert.x instance.
 */
final class ImrTarget implements Target {

    /** A saturating sender keeps at most this many sends unconfirmed in its outbox. */
    static final int SEND_WINDOW = 20_000;
    /** The meter the stores count their syncs with. */
    static final String STORE_SYNCS = MetricNames.STORE_SYNCS;

    private final String strategy;
    private final List<String> serverJvmArgs;
    private Vertx vertx;

    ImrTarget(String strategy, List<String> serverJvmArgs) {
        this.strategy = strategy;
        this.serverJvmArgs = List.copyOf(serverJvmArgs);
    }

    @Override
    public String name() {
        return "imr:" + strategy;
    }

    @Override
    public Broker startBroker(Path dir) throws Exception {
        return ImrBroker.start(dir, strategy, serverJvmArgs);
    }

    @Override
    public Sender openSender(ClientSpec spec) throws Exception {
        return new ImrSender(start(spec, builder(spec)));
    }

    @Override
    public Receiver openReceiver(ClientSpec spec, Receiver.Delivered delivered) throws Exception {
        return new ImrReceiver(start(spec, builder(spec).listener(m -> delivered.committed(m.payload()))));
    }

    /** A started client and what its meters counted. */
    private abstract static class Opened implements AutoCloseable {
        final ImrClient client;

        Opened(ImrClient client) {
            this.client = client;
        }

        public WireCount wire() {
            return wireOf(client.meterRegistry());
        }

        public long syncs() {
            return (long) count(client.meterRegistry(), STORE_SYNCS);
        }

        public SyncTimes syncTimes() {
            java.util.TreeMap<Double, Long> m = new java.util.TreeMap<>();
            for (io.micrometer.core.instrument.Timer t : Search.in(client.meterRegistry())
                    .name(MetricNames.STORE_SYNC_DURATION).timers()) {
                io.micrometer.core.instrument.distribution.HistogramSnapshot s = t.takeSnapshot();
                for (io.micrometer.core.instrument.distribution.CountAtBucket b : s.histogramCounts()) {
                    m.merge(b.bucket(TimeUnit.SECONDS), (long) b.count(), Long::sum);
                }
                // Slower than the last bound: counted only in the total.
                m.merge(Double.POSITIVE_INFINITY, s.count(), Long::sum);
            }
            return new SyncTimes(m);
        }

        @Override
        public void close() throws Exception {
            client.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private static final class ImrSender extends Opened implements Sender {
        private final Semaphore window = new Semaphore(SEND_WINDOW);

        ImrSender(ImrClient client) {
            super(client);
        }

        @Override
        public void send(String toUser, byte[] payload, Runnable onConfirmed) throws InterruptedException {
            window.acquire();
            client.send(toUser, payload).whenComplete((seq, e) -> {
                window.release();
                if (e == null) {
                    onConfirmed.run();
                }
            });
        }
    }

    private static final class ImrReceiver extends Opened implements Receiver {
        ImrReceiver(ImrClient client) {
            super(client);
        }

        @Override
        public long commits() {
            return Search.in(client.meterRegistry()).name(MetricNames.COMMIT_BATCH_SIZE).summaries().stream()
                    .mapToLong(s -> s.count()).sum();
        }
    }

    private ImrClient.Builder builder(ClientSpec spec) throws Exception {
        String token = new HmacTokens(SecretFile.read(spec.secretFile())).mint(new Principal(spec.user(), spec.device()), Duration.ofDays(1),
                System.currentTimeMillis());
        return ImrClient.builder().server(spec.address()).user(spec.user()).device(spec.device()).token(token)
                .dataDir(spec.dir()).strategies(strategy).meterRegistry(registry()).vertx(vertx());
    }

    /**
     * A client's registry. Its sync durations count from the start, as Prometheus' do (a registry's histograms
     * otherwise count the last two minutes only), so that two readings tell what happened between them.
     */
    static MeterRegistry registry() {
        return registry(io.micrometer.core.instrument.Clock.SYSTEM);
    }

    static MeterRegistry registry(io.micrometer.core.instrument.Clock clock) {
        MeterRegistry registry = new SimpleMeterRegistry(io.micrometer.core.instrument.simple.SimpleConfig.DEFAULT, clock);
        registry.config().meterFilter(new io.micrometer.core.instrument.config.MeterFilter() {
            @Override
            public io.micrometer.core.instrument.distribution.DistributionStatisticConfig configure(
                    io.micrometer.core.instrument.Meter.Id id,
                    io.micrometer.core.instrument.distribution.DistributionStatisticConfig config) {
                if (!id.getName().equals(MetricNames.STORE_SYNC_DURATION)) {
                    return config;
                }
                return io.micrometer.core.instrument.distribution.DistributionStatisticConfig.builder()
                        .expiry(Duration.ofDays(3650)).bufferLength(1).build().merge(config);
            }
        });
        return registry;
    }

    private static ImrClient start(ClientSpec spec, ImrClient.Builder builder) throws Exception {
        ImrClient client = builder.build();
        client.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
        return client;
    }

    private synchronized Vertx vertx() {
        if (vertx == null) {
            vertx = Vertx.vertx();
        }
        return vertx;
    }

    static WireCount wireOf(MeterRegistry meters) {
        long payload = (long) count(meters, MetricNames.BYTES_PAYLOAD);
        long control = (long) count(meters, MetricNames.BYTES_CONTROL);
        return new WireCount(payload + control, payload, (long) count(meters, MetricNames.BYTES_CONFIRMATION));
    }

    static double count(MeterRegistry meters, String name) {
        double sum = 0;
        for (var c : Search.in(meters).name(name).counters()) {
            sum += c.count();
        }
        for (FunctionCounter c : Search.in(meters).name(name).functionCounters()) {
            sum += c.count();
        }
        return sum;
    }
}
