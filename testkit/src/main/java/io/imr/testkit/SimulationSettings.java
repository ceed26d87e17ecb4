package io.imr.testkit;

import io.imr.api.strategy.StrategyOptions;
import java.time.Duration;
import java.util.Map;

/**
 * What one simulation runs: which strategy with which options, under which faults, and the bounds
 * G7 holds it to. Immutable and validated; {@link #defaultsFor} for a start, {@code with...} to change.
 *
 * @param strategy          the strategy's name, as its provider registers it
 * @param options           its options (the same for both halves)
 * @param profile           the faults of the fault phase
 * @param maxUnconfirmed    G7: a server half's {@code unconfirmed()} may never exceed this
 * @param maxBuffered       G7: a client half's {@code buffered()} may never exceed this
 * @param messagesPerSender how many messages each sending device sends during the fault phase
 * @param faultPhase        how long faults are injected (virtual time)
 * @param convergeWithin    after the fault phase, every device must hold everything within this
 * @param bug               a planted bug, or null for the strategy as it is
 */
public record SimulationSettings(String strategy, StrategyOptions options, FaultProfile profile, int maxUnconfirmed,
                                 int maxBuffered, int messagesPerSender, Duration faultPhase, Duration convergeWithin,
                                 PlantedBug bug) {

    /** Options that make {@code ack}'s windows and buffers small enough for the faults to press on them. */
    private static final StrategyOptions ACK_OPTIONS = StrategyOptions.of(Map.of("window", "32", "pull-page", "32",
            "hold-back", "64", "retransmit-max", "5s"));

    public SimulationSettings {
        if (strategy == null || options == null || profile == null || faultPhase == null || convergeWithin == null) {
            throw new IllegalArgumentException("strategy, options, profile, faultPhase and convergeWithin are required");
        }
        if (maxUnconfirmed < 1 || maxBuffered < 1 || messagesPerSender < 0 || faultPhase.isNegative()
                || convergeWithin.isNegative() || convergeWithin.isZero()) {
            throw new IllegalArgumentException("bounds must be 1 or more, messagesPerSender 0 or more and durations"
                    + " positive");
        }
    }

    /**
     * Settings for a strategy: for {@code ack}, small windows and the bounds its documentation states
     * (the window; the window, two pull pages and the hold-back buffer); for any other, its default
     * options and bounds that only catch unbounded growth. A strategy's own kit subclass states its
     * real bounds.
     */
    public static SimulationSettings defaultsFor(String strategy, FaultProfile profile) {
        if (strategy.equals("ack")) {
            return new SimulationSettings(strategy, ACK_OPTIONS, profile, 32, 32 + 2 * 32 + 64, 40,
                    Duration.ofSeconds(30), Duration.ofSeconds(180), null);
        }
        return new SimulationSettings(strategy, StrategyOptions.none(), profile, 65_536, 1_000_000, 40,
                Duration.ofSeconds(30), Duration.ofSeconds(180), null);
    }

    public SimulationSettings withProfile(FaultProfile value) {
        return new SimulationSettings(strategy, options, value, maxUnconfirmed, maxBuffered, messagesPerSender,
                faultPhase, convergeWithin, bug);
    }

    public SimulationSettings withOptions(StrategyOptions value, int unconfirmedBound, int bufferedBound) {
        return new SimulationSettings(strategy, value, profile, unconfirmedBound, bufferedBound, messagesPerSender,
                faultPhase, convergeWithin, bug);
    }

    public SimulationSettings withMessagesPerSender(int value) {
        return new SimulationSettings(strategy, options, profile, maxUnconfirmed, maxBuffered, value, faultPhase,
                convergeWithin, bug);
    }

    /** The same strategy with a planted bug (see {@link PlantedBug}). */
    public SimulationSettings withBug(PlantedBug value) {
        return new SimulationSettings(strategy, options, profile, maxUnconfirmed, maxBuffered, messagesPerSender,
                faultPhase, convergeWithin, value);
    }
}
