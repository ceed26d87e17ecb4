package io.imr.app;

import io.imr.api.strategy.StrategyRegistry;
import io.imr.testkit.FaultProfile;
import io.imr.testkit.PlantedBug;
import io.imr.testkit.SeedResult;
import io.imr.testkit.Simulation;
import io.imr.testkit.SimulationReport;
import io.imr.testkit.SimulationSettings;
import io.imr.testkit.StrategyComparison;
import io.imr.testkit.Violation;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imr simulate}: the deterministic simulation of the test kit, from the command line. Seeds
 * run on all cores, but results are added in seed order and the report shows nothing of the wall
 * clock, so the same arguments print the same bytes; the speed goes to stderr. With
 * {@code --strategy all} the text ends with one table per fault profile comparing the strategies.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Runs the engine and a strategy under virtual time with seeded faults and checks the guarantees.",
            "Seeds S..S+N-1 of each fault profile; the same seed gives the same result. With --strategy all, ends with"
                + " one table per fault profile comparing the strategies. Exits 1 when a guarantee was broken, printing"
                + " the seed and the events that led there."})
final class SimulateCommand implements Callable<Integer> {

    /** Seeds are handed out to the threads in batches this large, then added to the report in order. */
    private static final int BATCH = 64;

    @Option(names = "--strategy", required = true, paramLabel = "NAME|all", description = "the strategy, or all of them;"
            + " NAME-BUG runs it with a planted bug (acks-before-commit, forgets-after-reconnect, stores-past-a-hole,"
            + " drops-send-dedup, ignores-failed-commit) to see the checkers fail")
    String strategy;

    @Option(names = "--seeds", paramLabel = "N", description = "how many seeds per profile (default 100, or 1 with --seed)")
    Integer seeds;

    @Option(names = "--seed", paramLabel = "S", description = "the first seed (default 1)")
    Long seed;

    @Option(names = "--faults", paramLabel = "PROFILE", description = "none, lossy, flaky-mobile, crashy, hostile, restores, retention, clocks, limits, or all"
            + " (default all)")
    String faults = "all";

    @Option(names = "--fault", paramLabel = "NAME=RATE", description = "sets one fault's rate on top of the profile"
            + " (repeatable): loss, duplicate, reorder, delay, corrupt, corrupt-payload, reset, half-open, commit-fail"
            + " (0 to 1 each), client-crash, server-crash, server-swap, logout, forged-cursor, stale-hello,"
            + " server-restore (per minute)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--json", description = "one JSON object per strategy and profile instead of the text report")
    boolean json;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        int n = seeds != null ? seeds : seed != null ? 1 : 100;
        long first = seed != null ? seed : 1;
        if (n < 1) {
            throw new Imr.UsageError("--seeds must be 1 or more, got " + n);
        }
        StrategyRegistry registry = StrategyRegistry.load();
        List<String> strategies = strategy.equals("all") ? new ArrayList<>(registry.names()) : List.of(strategy);
        for (String s : strategies) {
            if (plantedBug(registry, s) == null) {
                registry.get(s); // an unknown name is a usage error listing the names available
            }
        }
        List<FaultProfile> profiles = profiles();
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "imr-simulate");
            t.setDaemon(true);
            return t;
        });
        Violation firstViolation = null;
        String replay = null;
        long started = System.nanoTime();
        long total = 0;
        Map<String, List<SimulationReport>> byProfile = new LinkedHashMap<>();
        try {
            for (String s : strategies) {
                for (FaultProfile profile : profiles) {
                    PlantedBug bug = plantedBug(registry, s);
                    SimulationSettings settings = bug == null ? SimulationSettings.of(s, profile)
                            : SimulationSettings.of(s.substring(0, s.length() - bug.suffix().length() - 1),
                            profile).withBug(bug);
                    SimulationReport report = run(pool, threads, registry, settings, s, first, n);
                    total += report.seeds();
                    byProfile.computeIfAbsent(profile.name(), p -> new ArrayList<>()).add(report);
                    out.print(json ? report.json() + "\n" : report.text());
                    if (!json) {
                        out.println();
                    }
                    if (firstViolation == null && report.firstViolation() != null) {
                        firstViolation = report.firstViolation();
                        replay = "imr simulate --strategy " + s + " --faults " + profile.name() + overrideFlags()
                                + " --seed " + firstViolation.seed();
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        if (!json && strategy.equals("all")) {
            printComparisons(byProfile);
        }
        double secs = (System.nanoTime() - started) / 1e9;
        System.err.printf(java.util.Locale.ROOT, "imr: %d seeds in %.1f s (%.0f seeds/s)%n", total, secs, total / secs);
        if (firstViolation != null) {
            if (!json) {
                out.print(firstViolation.describe());
                out.println("replay: " + replay);
            }
            out.flush();
            return Imr.FAILED;
        }
        return Imr.OK;
    }

    /**
     * One table per fault profile, the strategies in the order they ran, each followed by the cheapest, and
     * a note when server-swap faults ran another strategy for a while.
     */
    private void printComparisons(Map<String, List<SimulationReport>> byProfile) {
        for (Map.Entry<String, List<SimulationReport>> e : byProfile.entrySet()) {
            SimulationReport any = e.getValue().get(0);
            StrategyComparison c = StrategyComparison.of("strategies compared, faults " + e.getKey() + ", seeds "
                    + any.seedRange() + " (" + any.seeds() + " each)", e.getValue());
            out.print(c.text());
            out.println("  " + c.verdict());
            long swaps = e.getValue().stream().mapToLong(SimulationReport::swaps).sum();
            if (swaps > 0) {
                out.println("  note: " + swaps + " server restarts with another strategy (server-swap) in these seeds;"
                        + " the figures after one mix strategies");
            }
            out.println();
        }
    }

    /**
     * The planted bug a name asks for ({@code ack-acks-before-commit}: a strategy on the class path and
     * a bug's suffix), or null. Broken variants show that a broken strategy makes this command fail.
     */
    private static PlantedBug plantedBug(StrategyRegistry registry, String name) {
        for (PlantedBug b : PlantedBug.values()) {
            String suffix = "-" + b.suffix();
            if (name.endsWith(suffix) && registry.names().contains(name.substring(0, name.length() - suffix.length()))) {
                return b;
            }
        }
        return null;
    }

    private String overrideFlags() {
        StringBuilder sb = new StringBuilder();
        overrides.forEach(o -> sb.append(" --fault ").append(o));
        return sb.toString();
    }

    private List<FaultProfile> profiles() {
        List<String> names = faults.equals("all") ? FaultProfile.names() : List.of(faults);
        List<FaultProfile> profiles = new ArrayList<>();
        try {
            for (String name : names) {
                FaultProfile p = FaultProfile.named(name);
                for (String o : overrides) {
                    int eq = o.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--fault needs NAME=RATE, got \"" + o + "\"");
                    }
                    double rate;
                    try {
                        rate = Double.parseDouble(o.substring(eq + 1));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--fault " + o.substring(0, eq) + " needs a number as its"
                                + " rate, got \"" + o.substring(eq + 1) + "\"");
                    }
                    p = p.with(o.substring(0, eq), rate);
                }
                profiles.add(p);
            }
        } catch (IllegalArgumentException e) {
            throw new Imr.UsageError(e.getMessage());
        }
        return profiles;
    }

    /** Runs seeds first..first+n-1 on the pool, one simulation per thread, adding results in seed order. */
    private static SimulationReport run(ExecutorService pool, int threads, StrategyRegistry registry,
                                        SimulationSettings settings, String name, long first, int n)
            throws Exception {
        SimulationReport report = new SimulationReport(name, settings.profile().name());
        ThreadLocal<Simulation> sims = ThreadLocal.withInitial(() -> new Simulation(registry, settings));
        long end = first + n;
        for (long from = first; from < end; from += (long) BATCH * threads) {
            List<Future<List<SeedResult>>> batches = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long a = from + (long) t * BATCH;
                long b = Math.min(end, a + BATCH);
                if (a >= end) {
                    break;
                }
                batches.add(pool.submit(() -> {
                    List<SeedResult> results = new ArrayList<>();
                    for (long s = a; s < b; s++) {
                        results.add(sims.get().run(s));
                    }
                    return results;
                }));
            }
            for (Future<List<SeedResult>> f : batches) {
                f.get().forEach(report::add);
            }
        }
        return report;
    }
}
