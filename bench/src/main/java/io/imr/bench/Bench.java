package io.imr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import io.imr.bench.profile.StageProfile;
import io.imr.bench.profile.StageProfiler;

/**
 * {@code imr bench}: each scenario, each target, each run, one after the other (never two at once: they would
 * share the cores), targets interleaved within a run so that a machine that slows down during the run
 * slows every target alike.
 */
public final class Bench {

    /** What the bench tells about its progress (a terminal shows it as one line). */
    public interface Progress {
        void measuring(String what, long done, long of);
    }

    private final BenchSettings settings;
    private final Progress progress;

    public Bench(BenchSettings settings, Progress progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /** One scenario's measurements: each target's runs, in the order they ran. */
    public record ScenarioResult(Scenario.Plan plan, Map<String, List<Outcome>> runs) {

        /** Each target's median run: by p99 latency in the latency scenario, by throughput in the others. */
        public List<Outcome> medians() {
            Comparator<Outcome> by = plan.scenario() == Scenario.LATENCY ? Comparator.comparingDouble(Outcome::p99Ms)
                    : Comparator.comparingDouble(Outcome::throughput);
            List<Outcome> m = new ArrayList<>();
            for (List<Outcome> r : runs.values()) {
                List<Outcome> sorted = new ArrayList<>(r);
                sorted.sort(by);
                m.add(sorted.get((sorted.size() - 1) / 2));
            }
            return m;
        }
    }

    /**
     * @param profiles with {@code --profile}: for each imr target, where each of its processes spent its CPU
     *                 during the measured part of the 1to1 run (sender, broker, receiver)
     */
    public record Result(Machine machine, BenchSettings settings, List<ScenarioResult> scenarios,
                         Map<String, List<StageProfile>> profiles) {
    }

    public Result run() throws Exception {
        Path root = settings.dir() != null ? settings.dir() : Files.createTempDirectory("imr-bench-");
        Files.createDirectories(root);
        if (settings.profileDir() != null) {
            Files.createDirectories(settings.profileDir());
        }
        Machine machine = Machine.current(root);
        List<ScenarioResult> results = new ArrayList<>();
        Map<String, List<StageProfile>> profiles = new LinkedHashMap<>();
        try {
            for (Scenario scenario : settings.scenarios()) {
                Scenario.Plan plan = scenario.plan(settings);
                Map<String, List<Outcome>> runs = new LinkedHashMap<>();
                for (int run = 1; run <= settings.runs(); run++) {
                    for (String name : settings.targets()) {
                        boolean profile = settings.profileDir() != null && scenario == Scenario.ONE_TO_ONE
                                && name.startsWith("imr:") && run == 1;
                        Target target = Targets.byName(name, jvmArgs(profile ? profileArgs(name, "broker") : List.of()));
                        String what = scenario.id() + " " + name + (settings.runs() > 1 ? " run " + run : "");
                        Path dir = root.resolve(scenario.id() + "-" + name.replace(':', '-') + "-" + run);
                        Outcome o = new Measurement(target, plan, settings.size(), dir,
                                jvmArgs(profile ? profileArgs(name, "{process}") : List.of()),
                                done -> progress.measuring(what, done, plan.deliveries())).run();
                        runs.computeIfAbsent(name, k -> new ArrayList<>()).add(o);
                        if (profile) {
                            profiles.put(name, profiles(name, o.measured()));
                        }
                        if (!settings.keep()) {
                            delete(dir);
                        }
                    }
                }
                results.add(new ScenarioResult(plan, runs));
            }
        } finally {
            if (!settings.keep() && settings.dir() == null) {
                delete(root);
            }
        }
        return new Result(machine, settings, results, profiles);
    }

    /**
     * The options of every JVM a measurement starts (imr's broker, and the sending and receiving
     * workers of every target, peers' included), then {@code extra}: the heap starts at its working
     * size, touched once at start. Without it each JVM grows its heap during the measurement and the
     * kernel zeroes every page it touches first: measured, 9% of the machine's CPU in a 1to1 run.
     * {@code --jvm-option}s come after these, so they can override them.
     */
    static final List<String> JVM_ARGS = List.of("-Xms1g", "-XX:+AlwaysPreTouch");

    private List<String> jvmArgs(List<String> extra) {
        List<String> all = new ArrayList<>(JVM_ARGS);
        all.addAll(settings.jvmOptions());
        all.addAll(extra);
        return all;
    }

    private Path recording(String target, String process) {
        return settings.profileDir().resolve(target.replace(':', '-') + "-" + process + ".jfr");
    }

    private List<String> profileArgs(String target, String process) {
        return StageProfiler.jvmFlags(recording(target, process));
    }

    /** The recordings of a profiled measurement (its processes have exited: the files are whole), cut to it. */
    private List<StageProfile> profiles(String target, Outcome.Window window) throws IOException {
        List<StageProfile> list = new ArrayList<>();
        for (String process : List.of("sender", "broker", "receiver")) {
            list.add(StageProfiler.analyze(recording(target, process), process, window.from(), window.to()));
        }
        return list;
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
