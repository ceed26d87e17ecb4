package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Checksums;
import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.Submission;
import io.imr.engine.metrics.EngineMetrics;
import io.imr.engine.metrics.MetricNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link InboxRetention}: what may be trimmed, and the sweeps that trim it. */
@DisplayName("Retention")
class InboxRetentionTest {

    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final long NOW = 100 * DAY;
    /** retire-after 30 days, no age or count limit. */
    private static final InboxRetention.Rule RULE = new InboxRetention.Rule(30 * DAY, 0, 0);
    private static final InboxState ONE_TO_HUNDRED = new InboxState("bob", 1, 100, 1);

    private static DeviceState device(String name, long confirmed, long lastSeen) {
        return new DeviceState("bob", name, 1, confirmed, confirmed, lastSeen);
    }

    @Nested
    @DisplayName("decides, as a pure rule,")
    class Rule {

        /** Seq 1 + i was stored at day i (seq 100 at day 99): the bound for a time is the first seq stored since. */
        private final List<Long> asked = new ArrayList<>();

        private long firstSeqSince(long millis) {
            asked.add(millis);
            return Math.min(101, Math.max(1, (millis + DAY - 1) / DAY + 1));
        }

        private long below(List<DeviceState> devices, Set<String> connected, InboxState inbox, InboxRetention.Rule rule) {
            return InboxRetention.below(inbox, devices, connected, NOW, 0, rule, this::firstSeqSince);
        }

        @Test
        @DisplayName("below the lowest watermark of the devices, keeping the message at it (the next hello is vouched"
                + " for by id), asking no time when none is retired")
        void lowestWatermark() {
            assertThat(below(List.of(device("phone", 80, NOW), device("tablet", 60, NOW - DAY)), Set.of(),
                    ONE_TO_HUNDRED, RULE)).isEqualTo(60);
            assertThat(below(List.of(device("phone", 80, NOW), device("new", 0, NOW)), Set.of(), ONE_TO_HUNDRED, RULE))
                    .as("a device that confirmed nothing holds everything").isEqualTo(0);
            assertThat(asked).isEmpty();
        }

        @Test
        @DisplayName("past a retired device, only what is older than retire-after; never past a connected one")
        void retired() {
            DeviceState away = device("tablet", 10, NOW - 31 * DAY);
            assertThat(below(List.of(device("phone", 95, NOW), away), Set.of(), ONE_TO_HUNDRED, RULE))
                    .as("messages of the last 30 days stay for it: seq 71 was stored at day 70").isEqualTo(71);
            assertThat(asked).containsExactly(NOW - 30 * DAY);
            assertThat(below(List.of(device("phone", 95, NOW), away), Set.of("tablet"), ONE_TO_HUNDRED, RULE))
                    .as("connected: not retired, whenever it was seen last").isEqualTo(10);
            assertThat(below(List.of(device("phone", 50, NOW), away), Set.of(), ONE_TO_HUNDRED, RULE))
                    .as("the other devices still hold back what they did not confirm").isEqualTo(50);
            assertThat(below(List.of(device("phone", 95, NOW), device("tablet", 10, NOW - 29 * DAY)), Set.of(),
                    ONE_TO_HUNDRED, RULE)).as("not away long enough").isEqualTo(10);
            assertThat(below(List.of(device("phone", 95, NOW), device("tablet", 10, 0)), Set.of(), ONE_TO_HUNDRED,
                    RULE)).as("never seen (no time known): not retired").isEqualTo(10);
            assertThat(below(List.of(device("phone", 95, NOW), device("tablet", 90, NOW - 31 * DAY)), Set.of(),
                    ONE_TO_HUNDRED, RULE)).as("what a retired device confirmed may go anyway").isEqualTo(90);
        }

        @Test
        @DisplayName("a device counts as seen when the server started at the latest: a restart after a crash, or a"
                + " long downtime, retires nobody")
        void seenAtStart() {
            DeviceState away = device("tablet", 10, NOW - 31 * DAY);
            assertThat(InboxRetention.below(ONE_TO_HUNDRED, List.of(device("phone", 95, NOW), away), Set.of(), NOW,
                    NOW - DAY, RULE, this::firstSeqSince)).as("the server started a day ago").isEqualTo(10);
            assertThat(InboxRetention.below(ONE_TO_HUNDRED, List.of(device("phone", 95, NOW), away), Set.of(), NOW,
                    NOW - 31 * DAY, RULE, this::firstSeqSince)).as("up for 31 days").isEqualTo(71);
        }

        @Test
        @DisplayName("for a user with no device, what is older than retire-after")
        void noDevice() {
            assertThat(below(List.of(), Set.of(), ONE_TO_HUNDRED, RULE)).isEqualTo(71);
        }

        @Test
        @DisplayName("a device of another epoch holds everything; the limits of age and count override every device")
        void epochsAndLimits() {
            DeviceState old = new DeviceState("bob", "phone", 2, 90, 90, NOW);
            assertThat(below(List.of(old), Set.of(), ONE_TO_HUNDRED, RULE)).isEqualTo(0);
            assertThat(below(List.of(device("phone", 0, NOW)), Set.of("phone"), ONE_TO_HUNDRED,
                    new InboxRetention.Rule(30 * DAY, 10 * DAY, 0))).as("max-age 10 days").isEqualTo(91);
            assertThat(below(List.of(device("phone", 0, NOW)), Set.of("phone"), ONE_TO_HUNDRED,
                    new InboxRetention.Rule(30 * DAY, 0, 25))).as("max-count 25").isEqualTo(76);
            assertThat(below(List.of(device("phone", 100, NOW)), Set.of(), ONE_TO_HUNDRED,
                    new InboxRetention.Rule(30 * DAY, 0, 1_000))).as("never past the end").isEqualTo(100);
        }
    }

    @Nested
    @DisplayName("sweeps")
    class Sweeps {

        @TempDir
        Path dir;

        private void store(TestServerStore store, String to, int n, long at) {
            List<Submission> subs = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                byte[] p = (to + i).getBytes(StandardCharsets.UTF_8);
                subs.add(new Submission("alice", "o" + to + "-" + i, to, p, Checksums.crc32c(p), at));
            }
            store.commit(ServerCommit.append(subs)).toCompletableFuture().join();
        }

        @Test
        @DisplayName("trim every inbox one sweep after the start, then those whose devices confirmed more, at each"
                + " sweep; counted")
        void sweep() {
            try (TestServerStore store = new TestServerStore(dir)) {
                ManualRuntime runtime = new ManualRuntime();
                long now = runtime.currentTimeMillis();
                store(store, "bob", 10, now);
                store(store, "carol", 5, now);
                store.commit(new ServerCommit(List.of(), List.of(device("phone", 4, now),
                        new DeviceState("carol", "watch", 1, 5, 5, now)))).toCompletableFuture().join();
                SimpleMeterRegistry registry = new SimpleMeterRegistry();
                Set<String> connected = new HashSet<>();
                InboxRetention retention = new InboxRetention(store, runtime,
                        new EngineMetrics(registry, MetricNames.SIDE_SERVER, "x"),
                        ServerEngineConfig.builder().retentionSweep(Duration.ofSeconds(1)).build(), u -> connected);
                retention.start();
                runtime.runDue();
                assertThat(store.inbox("bob")).as("nothing before the first sweep").isEqualTo(
                        new InboxState("bob", 1, 10, 1));
                runtime.advance(ClientHarness.SECOND);
                assertThat(store.inbox("bob")).isEqualTo(new InboxState("bob", 1, 10, 4));
                assertThat(store.inbox("carol")).isEqualTo(new InboxState("carol", 1, 5, 5));
                assertThat(retention.idle()).isTrue();

                store.commit(ServerCommit.device(device("phone", 9, now))).toCompletableFuture().join();
                retention.confirmed("bob");
                runtime.advance(ClientHarness.SECOND);
                assertThat(store.inbox("bob")).isEqualTo(new InboxState("bob", 1, 10, 9));
                assertThat(store.read("bob", 1, 100)).extracting(m -> m.seq()).containsExactly(9L, 10L);
                assertThat(registry.get(MetricNames.MESSAGES_TRIMMED).counter().count()).isEqualTo(3 + 4 + 5);
                retention.close();
            }
        }

        @Test
        @DisplayName("trim in steps of at most STEP messages, one commit each")
        void steps() {
            try (TestServerStore store = new TestServerStore(dir)) {
                ManualRuntime runtime = new ManualRuntime();
                long now = runtime.currentTimeMillis();
                int n = (int) InboxRetention.STEP + 100;
                for (int done = 0; done < n; done += 4096) {
                    List<Submission> subs = new ArrayList<>();
                    for (int i = done + 1; i <= Math.min(n, done + 4096); i++) {
                        byte[] p = {1};
                        subs.add(new Submission("alice", "o-" + i, "bob", p, Checksums.crc32c(p), now));
                    }
                    store.commit(ServerCommit.append(subs)).toCompletableFuture().join();
                }
                store.commit(ServerCommit.device(device("phone", n, now))).toCompletableFuture().join();
                InboxRetention retention = new InboxRetention(store, runtime,
                        new EngineMetrics(new SimpleMeterRegistry(), MetricNames.SIDE_SERVER, "x"),
                        ServerEngineConfig.DEFAULT, u -> Set.of());
                retention.start();
                runtime.advance(ServerEngineConfig.DEFAULT.retentionSweep().toNanos());
                assertThat(store.inbox("bob").firstSeq()).isEqualTo(n);
                assertThat(store.read("bob", 1, 10)).hasSize(1);
                assertThat(store.trims).as("STEP, then the rest").isEqualTo(2);
                retention.close();
            }
        }
    }
}
