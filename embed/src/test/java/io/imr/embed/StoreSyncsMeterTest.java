package io.imr.embed;

import static io.imr.embed.Cluster.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.engine.metrics.MetricNames;
import io.imr.store.mapdb.MapDbClientStore;
import io.imr.store.mapdb.SyncingStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code imr.store.syncs} on a server and on clients that opened their MapDB stores from a data folder. */
@DisplayName("The store syncs meter")
@Timeout(60)
class StoreSyncsMeterTest {

    @TempDir
    Path dir;

    private ImrServer server;

    @BeforeEach
    void startServer() {
        server = ImrServer.builder().dataDir(dir.resolve("server")).secret(Cluster.SECRET)
                .tcp(new HostPort("127.0.0.1", 0)).build();
        join(server.start());
    }

    @AfterEach
    void closeServer() {
        join(server.close());
    }

    private ImrClient.Builder client(String user, Recorder listener) {
        String token = new HmacTokens(Cluster.SECRET).mint(new Principal(user, "phone"), Duration.ofHours(1),
                System.currentTimeMillis());
        return ImrClient.builder().server("127.0.0.1:" + server.tcpAddress().getPort()).user(user).device("phone")
                .token(token).dataDir(dir.resolve(user)).listener(listener);
    }

    private static ImrClient started(ImrClient.Builder builder) {
        ImrClient c = builder.build();
        join(c.start());
        return c;
    }

    private static FunctionCounter syncs(MeterRegistry registry, String side) {
        return registry.find(MetricNames.STORE_SYNCS).tag(MetricNames.TAG_SIDE, side).functionCounter();
    }

    private static long count(MeterRegistry registry, String side) {
        return (long) syncs(registry, side).count();
    }

    @Test
    @DisplayName("a started server (side=server) and started clients (side=client) have it, and it grows with a message")
    void serverAndClients() throws Exception {
        Recorder bobSaw = new Recorder(1);
        ImrClient alice = started(client("alice", new Recorder(0)));
        ImrClient bob = started(client("bob", bobSaw));
        try {
            FunctionCounter onServer = syncs(server.meterRegistry(), MetricNames.SIDE_SERVER);
            assertThat(onServer).isNotNull();
            assertThat(onServer.getId().getDescription())
                    .isEqualTo("Syncs (fsync/fdatasync) the store made to make its commits durable");
            assertThat(onServer.getId().getBaseUnit()).isNull();
            assertThat(onServer.getId().getTags()).extracting(t -> t.getKey() + "=" + t.getValue())
                    .containsExactly("side=server");
            assertThat(syncs(server.meterRegistry(), MetricNames.SIDE_CLIENT)).isNull();
            for (ImrClient c : new ImrClient[] {alice, bob}) {
                assertThat(syncs(c.meterRegistry(), MetricNames.SIDE_CLIENT)).isNotNull();
                assertThat(syncs(c.meterRegistry(), MetricNames.SIDE_SERVER)).isNull();
                // Creating and opening a store: 9 syncs (see SyncingStore).
                assertThat(count(c.meterRegistry(), MetricNames.SIDE_CLIENT)).isGreaterThanOrEqualTo(9);
            }
            assertThat(count(server.meterRegistry(), MetricNames.SIDE_SERVER)).isGreaterThanOrEqualTo(9);

            long serverBefore = count(server.meterRegistry(), MetricNames.SIDE_SERVER);
            long aliceBefore = count(alice.meterRegistry(), MetricNames.SIDE_CLIENT);
            long bobBefore = count(bob.meterRegistry(), MetricNames.SIDE_CLIENT);
            join(alice.send("bob", "hello".getBytes(StandardCharsets.UTF_8)));
            assertThat(bobSaw.await(30)).isTrue();

            // Each store made at least one commit of 1 sync (its journal record): alice's outbox, the
            // server's inbox, bob's messages.
            assertThat(count(server.meterRegistry(), MetricNames.SIDE_SERVER)).isGreaterThanOrEqualTo(serverBefore + 1);
            assertThat(count(alice.meterRegistry(), MetricNames.SIDE_CLIENT)).isGreaterThanOrEqualTo(aliceBefore + 1);
            assertThat(count(bob.meterRegistry(), MetricNames.SIDE_CLIENT)).isGreaterThanOrEqualTo(bobBefore + 1);
        } finally {
            join(alice.close());
            join(bob.close());
        }
        // Closed, the stores sync no more: the meters say exactly what the stores counted.
        assertThat(count(alice.meterRegistry(), MetricNames.SIDE_CLIENT))
                .isEqualTo(((SyncingStore) alice.store()).syncs());
        assertThat(count(bob.meterRegistry(), MetricNames.SIDE_CLIENT)).isEqualTo(((SyncingStore) bob.store()).syncs());
        join(server.close());
        assertThat(count(server.meterRegistry(), MetricNames.SIDE_SERVER))
                .isEqualTo(((SyncingStore) server.store()).syncs());
    }

    private static io.micrometer.core.instrument.Timer durations(MeterRegistry registry, String side) {
        return registry.find(MetricNames.STORE_SYNC_DURATION).tag(MetricNames.TAG_SIDE, side).timer();
    }

    @Test
    @DisplayName("each sync counted after the store was registered is timed, in buckets from 50 µs to 10 s")
    void durations() throws Exception {
        Recorder bobSaw = new Recorder(1);
        ImrClient alice = started(client("alice", new Recorder(0)));
        ImrClient bob = started(client("bob", bobSaw));
        MeterRegistry[] registries = {server.meterRegistry(), alice.meterRegistry(), bob.meterRegistry()};
        String[] sides = {MetricNames.SIDE_SERVER, MetricNames.SIDE_CLIENT, MetricNames.SIDE_CLIENT};
        long[] syncsBefore = new long[3];
        long[] timedBefore = new long[3];
        for (int i = 0; i < 3; i++) {
            io.micrometer.core.instrument.Timer t = durations(registries[i], sides[i]);
            assertThat(t).as(sides[i]).isNotNull();
            assertThat(t.getId().getDescription()).startsWith("How long each sync (fsync/fdatasync) of the store took");
            syncsBefore[i] = count(registries[i], sides[i]);
            timedBefore[i] = t.count();
        }
        join(alice.send("bob", "hello".getBytes(StandardCharsets.UTF_8)));
        assertThat(bobSaw.await(30)).isTrue();
        join(alice.close());
        join(bob.close());
        join(server.close());
        for (int i = 0; i < 3; i++) {
            io.micrometer.core.instrument.Timer t = durations(registries[i], sides[i]);
            long synced = count(registries[i], sides[i]) - syncsBefore[i];
            assertThat(synced).as(sides[i]).isPositive();
            assertThat(t.count() - timedBefore[i]).as("timed syncs of " + sides[i]).isEqualTo(synced);
            assertThat(t.max(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
            io.micrometer.core.instrument.distribution.CountAtBucket[] buckets = t.takeSnapshot().histogramCounts();
            assertThat(buckets).hasSize(27);
            assertThat(buckets[0].bucket(java.util.concurrent.TimeUnit.MICROSECONDS)).isEqualTo(50.0);
            assertThat(buckets[buckets.length - 1].bucket(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(10.0);
            assertThat(buckets[buckets.length - 1].count()).isEqualTo(t.count());
        }
    }

    @Test
    @DisplayName("clients sharing a registry are summed, and a closed client's syncs stay in the sum")
    void sharedRegistry() {
        MeterRegistry shared = new SimpleMeterRegistry();
        ImrClient alice = client("alice", new Recorder(0)).meterRegistry(shared).build();
        ImrClient bob = client("bob", new Recorder(0)).meterRegistry(shared).build();
        join(alice.start());
        join(bob.start());
        join(alice.send("bob", new byte[] {1}));
        join(alice.close());
        long aliceSyncs = ((SyncingStore) alice.store()).syncs();
        join(bob.close());
        long bobSyncs = ((SyncingStore) bob.store()).syncs();
        assertThat(count(shared, MetricNames.SIDE_CLIENT)).isEqualTo(aliceSyncs + bobSyncs);

        ImrClient aliceAgain = client("alice", new Recorder(0)).meterRegistry(shared).build();
        join(aliceAgain.start());
        join(aliceAgain.close());
        assertThat(count(shared, MetricNames.SIDE_CLIENT))
                .isEqualTo(aliceSyncs + bobSyncs + ((SyncingStore) aliceAgain.store()).syncs());
    }

    @Test
    @DisplayName("a client given a store of the caller's has no such meter")
    void callersStore() {
        try (MapDbClientStore own = MapDbClientStore.open(dir.resolve("carol"), "carol", "phone")) {
            ImrClient carol = client("carol", new Recorder(0)).dataDir(null).store(own).build();
            join(carol.start());
            try {
                assertThat(syncs(carol.meterRegistry(), MetricNames.SIDE_CLIENT)).isNull();
            } finally {
                join(carol.close());
            }
        }
    }
}
