package io.imr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    static Outcome outcome(String target, double seconds, double p99, long duplicates) {
        Map<String, Double> cpu = new LinkedHashMap<>(Map.of("sender", 10.0));
        cpu.put("broker", 20.0);
        cpu.put("receiver", 30.0);
        Map<String, Double> syncs = new LinkedHashMap<>();
        syncs.put("sender", 1.0);
        if (target.startsWith("imr:")) {
            syncs.put("broker", 2.0);
        }
        syncs.put("receiver", 3.0);
        return new Outcome(target, 10_000, 10_000, seconds, 1.0, p99, 9.0, 12.0, cpu, 40.0, 0.5, syncs,
                Map.of("sender", 50.0, "receiver", 60.0), duplicates, 0, Map.of(),
                new Outcome.Window(java.time.Instant.EPOCH, java.time.Instant.EPOCH.plusSeconds(1)),
                new Outcome.Lateness(0.1, 1.5, 4.5, 8.0, 10_000), syncTails(target));
    }

    /** imr's three processes timed; a peer's receiver only is not (its broker and sender: none). */
    private static Map<String, SyncTimes.Tail> syncTails(String target) {
        Map<String, SyncTimes.Tail> m = new LinkedHashMap<>();
        if (target.startsWith("imr:")) {
            m.put("sender", new SyncTimes.Tail(2.0, 75.0, 700));
            m.put("broker", new SyncTimes.Tail(3.0, 100.0, 650));
            m.put("receiver", new SyncTimes.Tail(1.5, Double.POSITIVE_INFINITY, 600));
        }
        return m;
    }

    static Bench.Result result(List<Outcome> outcomes, int runs) {
        BenchSettings s = new BenchSettings(List.of(Scenario.ONE_TO_ONE), outcomes.stream().map(Outcome::target)
                .distinct().toList(), 10_000, 256, 1, 1, 1, 1000, 1, 0, 1, 0, runs, null, false, null, List.of());
        Map<String, List<Outcome>> runsByTarget = new LinkedHashMap<>();
        for (Outcome o : outcomes) {
            runsByTarget.computeIfAbsent(o.target(), k -> new java.util.ArrayList<>()).add(o);
        }
        return new Bench.Result(new Machine("test CPU", 2, 1024, "Linux", "Java 17", 3700), s,
                List.of(new Bench.ScenarioResult(Scenario.ONE_TO_ONE.plan(s), runsByTarget)), Map.of());
    }

    @Test
    void eachRowIsComparedWithEveryPeerOfTheRun() {
        String text = BenchReport.text(result(List.of(outcome("imr:ack", 1.0, 4.0, 0), outcome("mqtt", 2.0, 2.0, 0),
                outcome("jetstream", 0.5, 8.0, 0)), 1));
        assertThat(text).contains("imr bench on 2 cores (test CPU)").contains("disk: 3,700 syncs/s")
                .contains("Every JVM started with -Xms1g -XX:+AlwaysPreTouch\n");
        assertThat(text).contains("1 sender -> 1 receiver: 10,000 messages of 256 B, saturating");
        String header = line(text, "target ");
        assertThat(header).contains("msg/s").contains("vs mqtt").contains("vs jetstream").doesNotContain("vs imr:ack");
        // imr:ack did 10,000/s, mqtt 5,000/s, jetstream 20,000/s.
        assertThat(line(text, "imr:ack ")).matches("imr:ack +10,000 +2\\.00x +0\\.50x .*");
        assertThat(line(text, "mqtt ")).matches("mqtt +5,000 +1\\.00x +0\\.25x .*");
        assertThat(line(text, "imr:ack ")).contains("60 (10+20+30)").contains("6 (1+2+3)");
        assertThat(line(text, "mqtt ")).contains("4 (1+?+3)");
    }

    @Test
    void withoutPeersTheFirstTargetIsTheReference() {
        String text = BenchReport.text(result(List.of(outcome("imr:ack", 1.0, 4.0, 0), outcome("imr:hybrid", 0.25,
                1.0, 0)), 1));
        assertThat(line(text, "target ")).contains("vs imr:ack");
        assertThat(line(text, "imr:hybrid ")).matches("imr:hybrid +40,000 +4\\.00x .*");
    }

    @Test
    void aRunThatBrokeDeliveryIsMarked() {
        String text = BenchReport.text(result(List.of(outcome("imr:ack", 1.0, 4.0, 3)), 1));
        assertThat(text).contains("imr:ack (BROKEN: 3 duplicates, 0 out of order)");
    }

    @Test
    void theMedianRunIsReported() {
        Bench.Result r = result(List.of(outcome("imr:ack", 1.0, 4.0, 0), outcome("imr:ack", 4.0, 4.0, 0),
                outcome("imr:ack", 2.0, 4.0, 0)), 3);
        assertThat(r.scenarios().get(0).medians()).extracting(Outcome::seconds).containsExactly(2.0);
        assertThat(BenchReport.text(r)).contains("(median of 3 runs)");
    }

    @Test
    void jsonHoldsEveryFigureAndTheRatios() {
        JsonObject json = new JsonObject(BenchReport.json(result(List.of(outcome("imr:ack", 1.0, 4.0, 0),
                outcome("jetstream", 0.5, 8.0, 0)), 1)));
        assertThat(json.getJsonObject("machine").getInteger("cores")).isEqualTo(2);
        JsonObject scenario = json.getJsonArray("scenarios").getJsonObject(0);
        assertThat(scenario.getString("scenario")).isEqualTo("1to1");
        JsonArray results = scenario.getJsonArray("results");
        JsonObject imr = results.getJsonObject(0);
        assertThat(imr.getString("target")).isEqualTo("imr:ack");
        assertThat(imr.getDouble("throughput")).isEqualTo(10_000.0);
        assertThat(imr.getJsonObject("latencyMs").getDouble("p99")).isEqualTo(4.0);
        assertThat(imr.getJsonObject("cpuSecondsPerMillion").getDouble("broker")).isEqualTo(20.0);
        assertThat(imr.getJsonObject("syncsPerThousand").getDouble("broker")).isEqualTo(2.0);
        JsonObject ratios = imr.getJsonObject("ratios").getJsonObject("jetstream");
        assertThat(ratios.getDouble("throughput")).isEqualTo(0.5);
        assertThat(ratios.getDouble("p99")).isEqualTo(0.5);
        assertThat(imr.getJsonArray("runs")).containsExactly(10_000);
        assertThat(results.getJsonObject(1).getJsonObject("syncsPerThousand").containsKey("broker")).isFalse();
    }

    @Test
    void theJvmOptionsOfTheRunAreReported() {
        Bench.Result plain = result(List.of(outcome("imr:ack", 1.0, 4.0, 0)), 1);
        BenchSettings p = plain.settings();
        BenchSettings withGc = new BenchSettings(p.scenarios(), p.targets(), p.count(), p.size(), p.senders(), p.devices(),
                p.pairs(), p.rate(), p.latencySeconds(), p.latencyWarmupSeconds(), p.catchUp(), p.warmup(), p.runs(),
                p.dir(), p.keep(), p.profileDir(), List.of("-XX:+UseParallelGC"));
        Bench.Result r = new Bench.Result(plain.machine(), withGc, plain.scenarios(), plain.profiles());
        assertThat(BenchReport.text(r)).contains("Every JVM started with -Xms1g -XX:+AlwaysPreTouch -XX:+UseParallelGC\n");
        assertThat(new JsonObject(BenchReport.json(r)).getJsonArray("jvmOptions").getList())
                .containsExactly("-Xms1g", "-XX:+AlwaysPreTouch", "-XX:+UseParallelGC");
    }

    @Test
    void theLatencyScenarioSaysHowLateTheMachineWokeThreads() {
        BenchSettings s = new BenchSettings(List.of(Scenario.LATENCY), List.of("imr:hybrid"), 10_000, 256, 1, 1, 1,
                1000, 1, 0, 1, 0, 1, null, false, null, List.of());
        Bench.Result r = new Bench.Result(new Machine("test CPU", 2, 1024, "Linux", "Java 17", 3700), s,
                List.of(new Bench.ScenarioResult(Scenario.LATENCY.plan(s),
                        Map.of("imr:hybrid", List.of(outcome("imr:hybrid", 1.0, 4.0, 0))))), Map.of());
        String text = BenchReport.text(r);
        assertThat(line(text, "target ")).endsWith("late wake-ups p99/p999 ms  syncs p99/slowest ms snd, brk, rcv");
        assertThat(line(text, "imr:hybrid ")).matches(".*  1.50/4.50 +2/75, 3/100, 1.50/>10,000");
        assertThat(text).contains("syncs p99/slowest: how long imr's stores' syncs took during the measurement");
        JsonObject brokerSyncs = new JsonObject(BenchReport.json(r)).getJsonArray("scenarios").getJsonObject(0)
                .getJsonArray("results").getJsonObject(0).getJsonObject("syncMs").getJsonObject("broker");
        assertThat(brokerSyncs.getDouble("p99")).isEqualTo(3.0);
        assertThat(brokerSyncs.getDouble("max")).isEqualTo(100.0);
        assertThat(brokerSyncs.getLong("count")).isEqualTo(650L);
        assertThat(text).contains("late wake-ups: how late a thread of the bench's own process woke");
        JsonObject wake = new JsonObject(BenchReport.json(r)).getJsonArray("scenarios").getJsonObject(0)
                .getJsonArray("results").getJsonObject(0).getJsonObject("wakeUpLatenessMs");
        assertThat(wake.getDouble("p99")).isEqualTo(1.5);
        assertThat(wake.getLong("count")).isEqualTo(10_000L);
        assertThat(BenchReport.text(result(List.of(outcome("imr:ack", 1.0, 4.0, 0)), 1)))
                .as("a saturating scenario has no such column").doesNotContain("late wake-ups");
    }

    private static String line(String text, String start) {
        return text.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow(() -> new AssertionError(
                "no line starting with '" + start + "' in\n" + text));
    }
}
