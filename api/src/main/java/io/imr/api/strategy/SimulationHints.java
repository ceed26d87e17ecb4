package io.imr.api.strategy;

import java.time.Duration;

/**
 * What a strategy tells a simulator about itself: the options that make its windows and buffers
 * small enough for simulated faults to press on them, and the bounds (G7) it promises to keep with
 * those options. A simulator (the test kit's, {@code imr simulate}) runs the strategy with these
 * options and fails a run the moment a half exceeds a bound.
 *
 * @param options          the options to simulate with
 * @param maxUnconfirmed   a server half's {@code unconfirmed()} never exceeds this
 * @param maxBuffered      a client half's {@code buffered()} never exceeds this
 * @param maxPullsInFlight a device never has more than this many pulls outstanding on one connection,
 *                         counting only pulls younger than {@code pullTimeout} (older ones count as lost)
 * @param pullTimeout      after how long the strategy takes an unanswered pull for lost
 */
public record SimulationHints(StrategyOptions options, int maxUnconfirmed, int maxBuffered, int maxPullsInFlight,
                              Duration pullTimeout) {

    /** Bounds that only catch unbounded growth, for a strategy that states none. */
    public static final SimulationHints LOOSE = new SimulationHints(StrategyOptions.none(), 65_536, 1_000_000, 64,
            Duration.ofSeconds(1));

    public SimulationHints {
        if (options == null || pullTimeout == null || pullTimeout.isNegative() || pullTimeout.isZero()) {
            throw new IllegalArgumentException("simulation hints need options and a positive pull timeout");
        }
        if (maxUnconfirmed < 1 || maxBuffered < 1 || maxPullsInFlight < 1) {
            throw new IllegalArgumentException("simulation bounds must be 1 or more, got unconfirmed " + maxUnconfirmed
                    + ", buffered " + maxBuffered + ", pulls in flight " + maxPullsInFlight);
        }
    }
}
