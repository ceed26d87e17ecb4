package io.imr.embed;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds, for state that offers no event to wait on (a store's count). */
final class Await {

    private Await() {
    }

    /** @return whether the condition held within the timeout */
    static boolean until(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
