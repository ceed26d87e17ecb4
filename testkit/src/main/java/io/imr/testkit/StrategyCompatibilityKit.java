package io.imr.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.imr.api.strategy.Action;
import io.imr.api.strategy.StrategyRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The compatibility kit for reliability strategies: every strategy, a user's own included, runs it
 * with one tiny subclass that names it, as Micrometer's registries run its
 * {@code MeterRegistryCompatibilityKit}:
 *
 * <pre>
 * class MyStrategyCompatibilityTest extends StrategyCompatibilityKit {
 *     protected String strategyName() { return "mine"; }
 * }
 * </pre>
 *
 * <p>The strategy is found by name with {@link java.util.ServiceLoader}, as in production, and
 * driven by the production engine in the deterministic {@link Simulation}. For each fault profile,
 * a number of seeds must keep every guarantee; the planted bugs, applied to the strategy, must each
 * be caught; and a seed must replay identically. A failure names the guarantee, the seed and the
 * events that led there; rerun the seed with {@code imr simulate --seed S --faults PROFILE}.
 *
 * <p>Seeds per profile: {@link #seedsPerProfile()}, 400 unless the system property
 * {@code imr.simulation.seeds} says otherwise (for long runs outside CI).
 */
public abstract class StrategyCompatibilityKit {

    /** The most seeds a planted bug may take to be caught. */
    public static final int PLANTED_BUG_SEED_BOUND = 20;

    /** The strategy's name, as its provider registers it. */
    protected abstract String strategyName();

    /**
     * The settings for a profile. The strategy's options and G7 bounds are its own, from its provider's
     * {@link io.imr.api.strategy.ReliabilityStrategyProvider#simulationHints()}.
     */
    protected SimulationSettings settings(FaultProfile profile) {
        return SimulationSettings.of(strategyName(), profile);
    }

    /**
     * The bugs planted in the strategy, each of which must be caught: by default the
     * {@linkplain PlantedBug#universal() universal} ones; a strategy adds those that break a rule of
     * its own (for example {@link PlantedBug#NO_TAIL_LOSS_HANDLING} for one that never retransmits).
     */
    protected Set<PlantedBug> plantedBugs() {
        return PlantedBug.universal();
    }

    /** Where the strategy is found; by default with ServiceLoader on the test class path. */
    protected StrategyRegistry registry() {
        return StrategyRegistry.load();
    }

    /** Seeds run per fault profile. */
    protected int seedsPerProfile() {
        return Integer.getInteger("imr.simulation.seeds", 400);
    }

    /** The first seed; {@code imr.simulation.first-seed} moves the window for long runs. */
    protected long firstSeed() {
        return Long.getLong("imr.simulation.first-seed", 1);
    }

    @TestFactory
    @DisplayName("keeps every guarantee under each fault profile")
    Stream<DynamicTest> guaranteesHold() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : FaultProfile.names()) {
            tests.add(DynamicTest.dynamicTest(seedsPerProfile() + " seeds under faults \"" + name + "\"", () -> {
                Simulation sim = new Simulation(registry(), settings(FaultProfile.named(name)));
                SimulationReport report = new SimulationReport(strategyName(), name);
                for (long seed = firstSeed(); seed < firstSeed() + seedsPerProfile(); seed++) {
                    SeedResult r = sim.run(seed);
                    report.add(r);
                    if (r.violation() != null) {
                        fail(r.violation().describe() + "replay: imr simulate --strategy " + strategyName()
                                + " --faults " + name + " --seed " + seed);
                    }
                }
                assertTrue(report.seeds() == seedsPerProfile(), "every seed ran");
            }));
        }
        return tests.stream();
    }

    @Nested
    @DisplayName("the checkers are not vacuous")
    class PlantedBugs {

        @TestFactory
        @DisplayName("each planted bug is caught within " + PLANTED_BUG_SEED_BOUND + " seeds")
        Stream<DynamicTest> plantedBugsAreCaught() {
            List<DynamicTest> tests = new ArrayList<>();
            for (PlantedBug bug : plantedBugs()) {
                tests.add(DynamicTest.dynamicTest(strategyName() + "-" + bug.suffix() + " under \""
                        + bug.profile().name() + "\"", () -> {
                    Simulation sim = new Simulation(registry(), settings(bug.profile()).withBug(bug));
                    Violation caught = null;
                    for (long seed = 1; seed <= PLANTED_BUG_SEED_BOUND && caught == null; seed++) {
                        caught = sim.run(seed).violation();
                    }
                    assertNotNull(caught, "the planted bug " + bug.suffix() + " went unnoticed for "
                            + PLANTED_BUG_SEED_BOUND + " seeds");
                }));
            }
            return tests.stream();
        }
    }

    @Nested
    @DisplayName("each verb keeps its rule (a client half driven directly)")
    class Verbs {

        private HalfProbe probe() {
            return new HalfProbe(registry().get(strategyName()));
        }

        @Test
        @DisplayName("persist: at most one Persist in flight; what arrives meanwhile goes into the next")
        void persistAtMostOneInFlight() {
            HalfProbe h = probe().connected(0, 6);
            h.deliver(6, 1, 2, 3);
            Action.Persist first = h.persist();
            assertNotNull(first, "a Persist of the messages that arrived");
            assertEquals(List.of(1L, 2L, 3L), HalfProbe.seqs(first));
            h.deliver(6, 4, 5, 6);
            assertEquals(null, h.persist(), "a second Persist while the first one's commit runs");
            h.committed(first);
            Action.Persist second = h.persist();
            assertNotNull(second, "the next Persist once the first returned");
            assertEquals(List.of(4L, 5L, 6L), HalfProbe.seqs(second));
        }

        @Test
        @DisplayName("confirm: no confirmation (ack, ack-up-to, pull past it) before its commit returned")
        void noConfirmationBeforeTheCommit() {
            HalfProbe h = probe().connected(0, 3);
            h.deliver(3, 1, 2, 3);
            Action.Persist p = h.persist();
            assertNotNull(p, "a Persist of the messages that arrived");
            h.advance(java.time.Duration.ofSeconds(30));
            h.assertConfirmsAtMost(0, "while the commit of 1..3 runs");
            h.committed(p);
            h.advance(java.time.Duration.ofSeconds(30));
            h.assertConfirmsAtMost(3, "after the commit of 1..3");
        }

        @Test
        @DisplayName("recover: after a failed commit, pull from the committed cursor, never past it")
        void pullFromTheCommittedCursorAfterAFailedCommit() {
            HalfProbe h = probe().connected(0, 5);
            h.deliver(5, 1, 2, 3, 4, 5);
            Action.Persist p = h.persist();
            assertNotNull(p, "a Persist of the messages that arrived");
            h.failed(p);
            h.advance(java.time.Duration.ofSeconds(60));
            h.assertConfirmsAtMost(0, "after the failed commit");
            assertTrue(h.pulledFrom(1), "no pull from seq 1 within 60 s of the failed commit; pulls: " + h.pulls());
        }

        @Test
        @DisplayName("receive: nothing stored past a hole, and a corrupt message never")
        void nothingStoredPastAHole() {
            HalfProbe h = probe().connected(0, 5);
            h.deliver(5, 1, 2);
            h.deliverCorrupt(5, 3);
            h.deliver(5, 4, 5);
            Action.Persist first = h.persist();
            assertNotNull(first, "a Persist of 1..2");
            assertEquals(List.of(1L, 2L), HalfProbe.seqs(first));
            h.committed(first);
            assertEquals(null, h.persist(), "a Persist past the hole at 3");
            h.deliver(5, 3);
            Action.Persist next = h.persist();
            assertNotNull(next, "a Persist once the hole is filled");
            assertEquals(3L, HalfProbe.seqs(next).get(0));
        }
    }

    @Test
    @DisplayName("a seed replays identically")
    void sameSeedSameRun() {
        Simulation sim = new Simulation(registry(), settings(FaultProfile.named("hostile")));
        SeedResult first = sim.run(42);
        SeedResult again = new Simulation(registry(), settings(FaultProfile.named("hostile"))).run(42);
        assertEquals(first, again);
        assertTrue(first.messages() > 0, "the seed sent messages");
    }
}
