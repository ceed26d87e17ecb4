package io.imr.strategy.seqid;

import io.imr.testkit.PlantedBug;
import io.imr.testkit.StrategyCompatibilityKit;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;

/** The {@code seqid} strategy under the compatibility kit: the production engine, every fault profile, the planted bugs. */
@DisplayName("The seqid strategy under the compatibility kit")
class SeqidCompatibilityTest extends StrategyCompatibilityKit {

    @Override
    protected String strategyName() {
        return SeqidStrategyProvider.NAME;
    }

    /** seqid never retransmits: only the announced max seq reveals a lost last message. */
    @Override
    protected Set<PlantedBug> plantedBugs() {
        Set<PlantedBug> bugs = new LinkedHashSet<>(PlantedBug.universal());
        bugs.add(PlantedBug.NO_TAIL_LOSS_HANDLING);
        return bugs;
    }
}
