package io.imr.app;

import io.imr.api.strategy.StrategyRegistry;
import io.imr.bench.Bench;
import io.imr.bench.BenchReport;
import io.imr.bench.BenchSettings;
import io.imr.bench.Scenario;
import io.imr.bench.Targets;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code imr bench}: imr's strategies and its peers on the same workloads, in real processes over loopback. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"End-to-end load over loopback in real processes (senders, broker, receivers), durable"
            + " commits at every receiver, imr's strategies and, with --peer, Mosquitto with Paho QoS 1 and NATS"
            + " JetStream on the same workloads; prints each figure with its ratio to the peers of the same run.",
            "Scenarios: 1to1, fan-in, devices, pairs, latency, catch-up (all: every one)."})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--scenario", paramLabel = "NAME", split = ",",
            description = "1to1, fan-in, devices, pairs, latency, catch-up or all; repeatable (default 1to1)")
    List<String> scenarios = new ArrayList<>(List.of("1to1"));

    @Option(names = "--strategy", paramLabel = "NAME|all", split = ",",
            description = "imr's strategies to measure (ack, hybrid, seqid), or all (default all)")
    List<String> strategies = new ArrayList<>(List.of("all"));

    @Option(names = "--peer", paramLabel = "mqtt|jetstream|all", split = ",",
            description = "peers to measure on the same workloads (default none: imr's strategies are then compared"
                + " with the first); their brokers are installed from Debian's packages when missing (needs root)")
    List<String> peers = new ArrayList<>();

    @Option(names = "--count", paramLabel = "N", description = "messages per saturating scenario; split among the senders of"
            + " fan-in and pairs (default 1000000)")
    int count = 1_000_000;

    @Option(names = "--size", paramLabel = "BYTES", description = "payload bytes per message, 16 or more (default 256)")
    int size = 256;

    @Option(names = "--senders", paramLabel = "N", description = "senders of fan-in (default 100)")
    int senders = 100;

    @Option(names = "--devices", paramLabel = "N", description = "devices of the receiving user of devices (default 3)")
    int devices = 3;

    @Option(names = "--pairs", paramLabel = "N", description = "pairs of the pairs scenario (default 100)")
    int pairs = 100;

    @Option(names = "--rate", paramLabel = "MSG/S", description = "offered rate of the latency scenario; the others"
            + " saturate (default 1000)")
    double rate = 1000;

    @Option(names = "--duration", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "how long latency offers its rate, like 10s or 2m (default 10s)")
    Duration duration = Duration.ofSeconds(10);

    @Option(names = "--warmup-time", paramLabel = "DURATION", converter = Converters.ZeroOrMoreDurationConverter.class,
            description = "how long latency offers its rate unmeasured before it measures, after the saturating"
                    + " warm-up: the JIT compiles what a steady rate runs only after tens of seconds of it (default 30s;"
                    + " 0s measures from the start)")
    Duration warmupTime = Duration.ofSeconds(30);

    @Option(names = "--catch-up", paramLabel = "N", description = "messages a device misses in catch-up (default 1000000)")
    int catchUp = 1_000_000;

    @Option(names = "--warmup", paramLabel = "N", description = "messages sent and delivered, saturating, before each"
            + " measurement (split among its senders; in catch-up the device then goes offline, 0 measures a device"
            + " that starts cold), so that every process runs compiled code: the JIT of each JVM takes about a million"
            + " messages to settle (default 1000000)")
    int warmup = 1_000_000;

    @Option(names = "--runs", paramLabel = "K", description = "runs of each measurement; the median is reported (default 1)")
    int runs = 1;

    @Option(names = "--json", description = "one JSON object with every figure instead of the tables")
    boolean json;

    @Option(names = "--keep", paramLabel = "DIR", description = "keep the stores and logs of every run in DIR")
    Path keep;

    @Option(names = "--profile", paramLabel = "DIR", description = "record imr's processes in the 1to1 scenario with"
            + " JDK Flight Recorder into DIR and print where each spends its CPU")
    Path profile;

    @Option(names = "--jvm-option", paramLabel = "OPTION", description = "an option for every JVM the bench starts,"
            + " imr's and the peers' alike, such as -XX:+UseParallelGC; repeatable (after -Xms1g -XX:+AlwaysPreTouch,"
            + " which every one gets)")
    List<String> jvmOptions = new ArrayList<>();

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        BenchSettings settings;
        try {
            settings = new BenchSettings(scenarios(), targets(), count, size, senders, devices, pairs, rate,
                    duration.toMillis() / 1000.0, warmupTime.toMillis() / 1000.0, catchUp, warmup, runs, keep,
                    keep != null, profile, jvmOptions);
        } catch (IllegalArgumentException e) {
            throw new Imr.UsageError(e.getMessage());
        }
        if (profile != null && !settings.scenarios().contains(Scenario.ONE_TO_ONE)) {
            throw new Imr.UsageError("--profile records the 1to1 scenario: add --scenario 1to1");
        }
        ProgressLine line = ProgressLine.onTerminal();
        Bench.Result result = new Bench(settings, line::show).run();
        line.clear();
        out.print(json ? BenchReport.json(result) + "\n" : BenchReport.text(result));
        out.flush();
        boolean whole = result.scenarios().stream().allMatch(s -> s.medians().stream().allMatch(o -> o.whole()));
        return whole ? Imr.OK : Imr.FAILED;
    }

    private List<Scenario> scenarios() {
        Set<Scenario> list = new LinkedHashSet<>();
        for (String s : scenarios) {
            if (s.equals("all")) {
                list.addAll(List.of(Scenario.values()));
            } else {
                try {
                    list.add(Scenario.byId(s));
                } catch (IllegalArgumentException e) {
                    throw new Imr.UsageError(e.getMessage());
                }
            }
        }
        return new ArrayList<>(list);
    }

    private List<String> targets() {
        StrategyRegistry registry = StrategyRegistry.load();
        Set<String> names = new LinkedHashSet<>();
        for (String s : strategies) {
            if (s.equals("all")) {
                registry.names().stream().sorted().forEach(n -> names.add("imr:" + n));
            } else {
                registry.get(s); // an unknown name is a usage error listing the names available
                names.add("imr:" + s);
            }
        }
        for (String p : peers) {
            String peer = p.toLowerCase(Locale.ROOT);
            if (peer.equals("all")) {
                names.addAll(Targets.PEERS);
            } else if (Targets.PEERS.contains(peer)) {
                names.add(peer);
            } else {
                throw new Imr.UsageError("unknown peer '" + p + "': " + String.join(", ", Targets.PEERS) + " or all");
            }
        }
        return new ArrayList<>(names);
    }
}
