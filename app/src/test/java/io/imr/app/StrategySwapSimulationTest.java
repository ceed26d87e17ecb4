package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.strategy.StrategyRegistry;
import io.imr.testkit.FaultProfile;
import io.imr.testkit.SeedResult;
import io.imr.testkit.Simulation;
import io.imr.testkit.SimulationSettings;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;

/**
 * The server restarted with another strategy over the same data, in the simulator, with every strategy
 * on the class path (as in the imr command): the fault of its own, {@code server-swap}, among the other
 * faults of {@code crashy}, often enough that every ordered pair of strategies is swapped between; every
 * guarantee holds across each swap.
 */
@DisplayName("Strategy swaps in the simulator")
class StrategySwapSimulationTest {

    private static final int SEEDS = Integer.getInteger("imr.swap.seeds", 60);

    @ParameterizedTest(name = "a server that starts with {0} and is swapped")
    @ValueSource(strings = {"ack", "seqid", "hybrid"})
    @DisplayName("keeps every guarantee across swaps, and swaps between every pair")
    void swaps(String first) {
        StrategyRegistry registry = StrategyRegistry.load();
        assertThat(registry.names()).contains("ack", "seqid", "hybrid");
        FaultProfile swapping = FaultProfile.named("crashy").with(FaultProfile.SERVER_SWAP, 6.0);
        Simulation sim = new Simulation(registry, SimulationSettings.of(first, swapping));
        Set<String> pairs = new TreeSet<>();
        long swaps = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            SeedResult r = sim.run(seed);
            assertThat(r.violation()).as(() -> r.violation().describe()).isNull();
            assertThat(r.lost()).isZero();
            assertThat(r.duplicates()).isZero();
            pairs.addAll(r.swapPairs());
            swaps += r.swaps();
        }
        assertThat(swaps).as("swaps happened").isGreaterThan(SEEDS);
        assertThat(pairs).as("every ordered pair of the three strategies").containsExactlyInAnyOrder(
                "ack>seqid", "ack>hybrid", "seqid>ack", "seqid>hybrid", "hybrid>ack", "hybrid>seqid");
    }
}
