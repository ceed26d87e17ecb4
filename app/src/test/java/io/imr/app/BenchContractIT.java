package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code imr bench} on the real jar, bounded to a few thousand messages so that it keeps working in CI; the
 * figures themselves are measured by a full run, not asserted.
 */
@DisplayName("imr bench")
@Timeout(600)
class BenchContractIT {

    static final Duration T = Duration.ofMinutes(8);

    @Test
    @DisplayName("answers --help with exit 0, naming the scenarios and the peers")
    void help() throws Exception {
        Proc p = Proc.run(T, "bench", "--help");
        assertThat(p.exitCode()).isZero();
        assertThat(String.join("\n", p.outLines)).contains("Usage: imr bench").contains("--peer")
                .contains("1to1, fan-in, devices, pairs, latency, catch-up");
    }

    @Test
    @DisplayName("a bad scenario, peer, strategy, size or JVM option is a usage error (exit 2) that names the choices")
    void usageErrors() throws Exception {
        assertUsage(Proc.run(T, "bench", "--scenario", "fanin"), "unknown scenario 'fanin': 1to1, fan-in");
        assertUsage(Proc.run(T, "bench", "--peer", "kafka"), "unknown peer 'kafka': mqtt, jetstream or all");
        assertUsage(Proc.run(T, "bench", "--strategy", "nope"), "nope");
        assertUsage(Proc.run(T, "bench", "--size", "8"), "--size must be at least 16");
        assertUsage(Proc.run(T, "bench", "--jvm-option", "UseParallelGC"), "--jvm-option takes one JVM option");
        assertUsage(Proc.run(T, "bench", "--scenario", "latency", "--profile", "/tmp/p"), "--profile records the 1to1"
                + " scenario");
    }

    private static void assertUsage(Proc p, String message) {
        assertThat(p.exitCode()).as(p.stderr()).isEqualTo(2);
        assertThat(p.stderr()).contains(message);
        assertThat(p.outLines).isEmpty();
    }

    @Test
    @DisplayName("--json: every strategy and both peers 1 to 1, each device got every message once and in order, with"
            + " its figures and its ratios to the peers")
    void everyStrategyAndPeerAsJson() throws Exception {
        Proc p = Proc.run(T, "bench", "--scenario", "1to1", "--strategy", "all", "--peer", "all", "--count", "3000",
                "--warmup", "1000", "--json");
        assertThat(p.exitCode()).as(p.stderr()).isZero();
        assertThat(p.outLines).hasSize(1);
        assertThat(p.stderr()).as("no progress line when not on a terminal").doesNotContain("\r");
        JsonObject json = new JsonObject(p.outLines.get(0));
        assertThat(json.getJsonObject("machine").getDouble("diskSyncsPerSecond")).isPositive();
        JsonObject scenario = json.getJsonArray("scenarios").getJsonObject(0);
        assertThat(scenario.getString("scenario")).isEqualTo("1to1");
        JsonArray results = scenario.getJsonArray("results");
        List<String> targets = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            JsonObject r = results.getJsonObject(i);
            String target = r.getString("target");
            targets.add(target);
            assertThat(r.getLong("deliveries")).as(target).isEqualTo(3000);
            assertThat(r.getLong("duplicates")).as(target).isZero();
            assertThat(r.getLong("outOfOrder")).as(target).isZero();
            assertThat(r.getDouble("throughput")).as(target).isPositive();
            JsonObject latency = r.getJsonObject("latencyMs");
            assertThat(latency.getDouble("p50")).as(target).isPositive().isLessThanOrEqualTo(latency.getDouble("p99"));
            assertThat(latency.getDouble("p99")).as(target).isLessThanOrEqualTo(latency.getDouble("p999"));
            assertThat(r.getJsonObject("cpuSecondsPerMillion").fieldNames()).as(target)
                    .containsExactly("sender", "broker", "receiver");
            assertThat(r.getDouble("controlBytesPerMessage")).as(target).isPositive();
            assertThat(r.getDouble("confirmationBytesPerMessage")).as(target).isPositive();
            // Every receiving device syncs its commits; imr's sender and server do too, and count it themselves.
            JsonObject syncs = r.getJsonObject("syncsPerThousand");
            assertThat(syncs.getDouble("receiver")).as(target).isPositive();
            if (target.startsWith("imr:")) {
                assertThat(syncs.getDouble("sender")).as(target).isPositive();
                assertThat(syncs.getDouble("broker")).as(target).isPositive();
            } else {
                assertThat(syncs.getDouble("sender")).as(target).isZero();
                assertThat(syncs.containsKey("broker")).as(target).isFalse();
            }
            JsonObject ratios = r.getJsonObject("ratios");
            assertThat(ratios.fieldNames()).as(target).containsExactly("mqtt", "jetstream");
            assertThat(ratios.getJsonObject("mqtt").getDouble("throughput")).as(target)
                    .isCloseTo(r.getDouble("throughput") / throughput(results, "mqtt"),
                            org.assertj.core.data.Percentage.withPercentage(1));
        }
        assertThat(targets).containsExactly("imr:ack", "imr:hybrid", "imr:seqid", "mqtt", "jetstream");
    }

    private static double throughput(JsonArray results, String target) {
        for (int i = 0; i < results.size(); i++) {
            if (results.getJsonObject(i).getString("target").equals(target)) {
                return results.getJsonObject(i).getDouble("throughput");
            }
        }
        throw new AssertionError(target + " is missing");
    }

    @Test
    @DisplayName("the other scenarios, as tables: many senders, many devices, pairs, a fixed rate, a device that"
            + " catches up")
    void otherScenarios() throws Exception {
        Proc p = Proc.run(T, "bench", "--scenario", "fan-in,devices,pairs,latency,catch-up", "--strategy", "hybrid",
                "--count", "2000", "--senders", "10", "--pairs", "5", "--rate", "500", "--duration", "2s", "--warmup-time", "1s",
                "--catch-up", "5000", "--warmup", "500");
        assertThat(p.exitCode()).as(p.stderr()).isZero();
        String out = String.join("\n", p.outLines);
        assertThat(out).contains("10 senders -> 1 receiver: 2,000 messages of 256 B, saturating; 3 processes: 10"
                + " senders (a connection each), the broker, 1 receiving device")
                .contains("1 sender -> 1 user with 3 devices: 2,000 messages of 256 B, saturating, 6,000 deliveries")
                .contains("5 pairs: 2,000 messages")
                .contains("1 sender -> 1 receiver at 500 msg/s: 1,000 messages")
                .contains("a device offline for 5,000 messages catches up: 5,000 messages of 256 B; 3 processes: 1"
                        + " sender, the broker, 1 receiving device offline (warmed up catching up) and back once all"
                        + " were sent")
                .doesNotContain("BROKEN");
        assertThat(out.lines().filter(l -> l.startsWith("imr:hybrid ")).count()).isEqualTo(5);
    }
}
