package io.imr.strategy.ack;

import io.imr.testkit.StrategyCompatibilityKit;
import org.junit.jupiter.api.DisplayName;

/** The {@code ack} strategy under the compatibility kit: the production engine, every fault profile, the planted bugs. */
@DisplayName("The ack strategy under the compatibility kit")
class AckCompatibilityTest extends StrategyCompatibilityKit {

    @Override
    protected String strategyName() {
        return AckStrategyProvider.NAME;
    }
}
