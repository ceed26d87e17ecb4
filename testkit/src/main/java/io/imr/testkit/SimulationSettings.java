package io.imr.testkit;

import java.time.Duration;

/**
 * What one simulation runs: which strategy, under which faults, for how long, with or without a
 * planted bug. It names no strategy's options or bounds: each strategy states its own through its
 * provider ({@link io.imr.api.strategy.ReliabilityStrategyProvider#simulationHints()}), and the
 * simulation runs every strategy of the world (the one the server starts with, and any it is
 * restarted with by the {@code server-swap} fault) with its own options, held to its own bounds.
 * Immutable and validated; {@link #of} for a start, {@code with...} to change.
 *
 * @param strategy          the strategy the server starts with, as its provider registers it
 * @param profile           the faults of the fault phase
 * @param messagesPerSender how many messages each sending device sends during the fault phase
 * @param faultPhase        how long faults are injected (virtual time)
 * @param convergeWithin    after the fault phase, every device must hold everything within this
 * @param bug               a planted bug, or null for the strategy as it is
 */
public record SimulationSettings(String strategy, FaultProfile profile, int messagesPerSender, Duration faultPhase,
                                 Duration convergeWithin, PlantedBug bug) {

    public SimulationSettings {
        if (strategy == null || profile == null || faultPhase == null || convergeWithin == null) {
            throw new IllegalArgumentException("strategy, profile, faultPhase and convergeWithin are required");
        }
        if (messagesPerSender < 0 || faultPhase.isNegative() || convergeWithin.isNegative()
                || convergeWithin.isZero()) {
            throw new IllegalArgumentException("messagesPerSender must be 0 or more and durations positive");
        }
    }

    /** A strategy under a profile: 40 messages per sender, 30 s of faults, convergence within 180 s. */
    public static SimulationSettings of(String strategy, FaultProfile profile) {
        return new SimulationSettings(strategy, profile, 40, Duration.ofSeconds(30), Duration.ofSeconds(180), null);
    }

    public SimulationSettings withProfile(FaultProfile value) {
        return new SimulationSettings(strategy, value, messagesPerSender, faultPhase, convergeWithin, bug);
    }

    public SimulationSettings withMessagesPerSender(int value) {
        return new SimulationSettings(strategy, profile, value, faultPhase, convergeWithin, bug);
    }

    /** The same strategy with a planted bug (see {@link PlantedBug}). */
    public SimulationSettings withBug(PlantedBug value) {
        return new SimulationSettings(strategy, profile, messagesPerSender, faultPhase, convergeWithin, value);
    }
}
