package io.imr.strategy.hybrid;

import io.imr.testkit.StrategyCompatibilityKit;
import org.junit.jupiter.api.DisplayName;

/** The {@code hybrid} strategy under the compatibility kit: the production engine, every fault profile, the planted bugs. */
@DisplayName("The hybrid strategy under the compatibility kit")
class HybridCompatibilityTest extends StrategyCompatibilityKit {

    @Override
    protected String strategyName() {
        return HybridStrategyProvider.NAME;
    }
}
