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
    @DisplayName("a bad scenario, peer, strategy or size is a usage error (exit 2) that names the choices")
    void usageErrors() throws Exception {
        assertUsage(Proc.run(T, "bench", "--scenario", "fanin"), "unknown scenario 'fanin': 1to1, fan-in");
        assertUsage(Proc.run(T, "bench", "--peer", "kafka"), "unknown peer 'kafka': mqtt, jetstream or all");
        assertUsage(Proc.run(T, "bench", "--strategy", "nope"), "nope");
        assertUsage(Proc.run(T, "bench", "--size", "8"), "--size must be at least 16");
    }

    private static void assertUsage(Proc p, String message) {
        assertThat(p.exitCode()).as(p.stderr()).isEqualTo(2);
        assertThat(p.stderr()).contains(message);
        assertThat(p.outLines).isEmpty();
    }

    @Test
    @DisplayName("--json: every strategy 1 to 1, each device got every message once and in order, with its figures"
            + " and its ratio to the first")
    void everyStrategyAsJson() throws Exception {
        Proc p = Proc.run(T, "bench", "--scenario", "1to1", "--strategy", "all", "--count", "3000", "--warmup", "1000",
                "--json");
        assertThat(p.exitCode()).as(p.stderr()).isZero();
        assertThat(p.outLines).hasSize(1);
        JsonObject json = new JsonObject(p.outLines.get(0));
        JsonObject scenario = json.getJsonArray("scenarios").getJsonObject(0);
        assertThat(scenario.getString("scenario")).isEqualTo("1to1");
        JsonArray results = scenario.getJsonArray("results");
        List<String> targets = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            JsonObject r = results.getJsonObject(i);
            targets.add(r.getString("target"));
            assertThat(r.getLong("deliveries")).isEqualTo(3000);
            assertThat(r.getLong("duplicates")).isZero();
            assertThat(r.getLong("outOfOrder")).isZero();
            assertThat(r.getDouble("throughput")).isPositive();
            JsonObject latency = r.getJsonObject("latencyMs");
            assertThat(latency.getDouble("p50")).isPositive().isLessThanOrEqualTo(latency.getDouble("p99"));
            assertThat(latency.getDouble("p99")).isLessThanOrEqualTo(latency.getDouble("p999"));
            assertThat(r.getJsonObject("cpuSecondsPerMillion").fieldNames()).containsExactly("sender", "broker",
                    "receiver");
            // Each side's store syncs to make its commits durable; the server's are counted by its own meter.
            JsonObject syncs = r.getJsonObject("syncsPerThousand");
            assertThat(syncs.getDouble("sender")).isPositive();
            assertThat(syncs.getDouble("broker")).isPositive();
            assertThat(syncs.getDouble("receiver")).isPositive();
            assertThat(r.getDouble("controlBytesPerMessage")).isPositive();
            assertThat(r.getJsonObject("ratios").getJsonObject("imr:ack").getDouble("throughput")).isPositive();
        }
        assertThat(targets).containsExactly("imr:ack", "imr:hybrid", "imr:seqid");
        assertThat(results.getJsonObject(0).getJsonObject("ratios").getJsonObject("imr:ack").getDouble("throughput"))
                .isEqualTo(1.0);
    }

    @Test
    @DisplayName("the other scenarios, as tables: many senders, many devices, pairs, a fixed rate, a device that"
            + " catches up")
    void otherScenarios() throws Exception {
        Proc p = Proc.run(T, "bench", "--scenario", "fan-in,devices,pairs,latency,catch-up", "--strategy", "hybrid",
                "--count", "2000", "--senders", "10", "--pairs", "5", "--rate", "500", "--duration", "2s",
                "--catch-up", "5000", "--warmup", "500");
        assertThat(p.exitCode()).as(p.stderr()).isZero();
        String out = String.join("\n", p.outLines);
        assertThat(out).contains("10 senders -> 1 receiver: 2,000 messages of 256 B, saturating; 3 processes: 10"
                + " senders (a connection and a store each), the broker, 1 receiving device")
                .contains("1 sender -> 1 user with 3 devices: 2,000 messages of 256 B, saturating, 6,000 deliveries")
                .contains("5 pairs: 2,000 messages")
                .contains("1 sender -> 1 receiver at 500 msg/s: 1,000 messages")
                .contains("a device offline for 5,000 messages catches up: 5,000 messages of 256 B; 3 processes: 1"
                        + " sender, the broker, 1 receiving device started once all were sent")
                .doesNotContain("BROKEN");
        assertThat(out.lines().filter(l -> l.startsWith("imr:hybrid ")).count()).isEqualTo(5);
    }
}
