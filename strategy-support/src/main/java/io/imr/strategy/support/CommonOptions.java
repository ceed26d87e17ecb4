package io.imr.strategy.support;

import io.imr.api.frame.Frame;
import io.imr.api.option.DurationOption;
import io.imr.api.option.IntOption;
import io.imr.api.option.InvalidOptionException;
import java.time.Duration;

/**
 * The options more than one built-in strategy has, each declared once with its name, default and range. A
 * strategy that wants another default takes the spec {@code withDefault(...)}: the name and the range stay
 * the same everywhere, so {@code imr.strategy.ack.window} and {@code imr.strategy.hybrid.window} mean the
 * same kind of thing and are checked alike.
 */
public final class CommonOptions {

    /** The most messages a device keeps past a hole; beyond, they are dropped and received again. */
    public static final IntOption HOLD_BACK = new IntOption("hold-back", 1024, 0, 1_000_000);

    /**
     * How long a hole may stay open before its range is pulled. No common default: each strategy that has the
     * option gives its own with {@link DurationOption#withDefault}.
     */
    public static final DurationOption GAP_TIMEOUT = new DurationOption("gap-timeout", Duration.ofSeconds(1),
            Duration.ofMillis(10), Duration.ofMinutes(10));

    /**
     * How long a device that knows of messages beyond what it has waits without progress before it pulls them
     * (G9); also how long it waits for a pull's answer.
     */
    public static final DurationOption TAIL_TIMEOUT = new DurationOption("tail-timeout", Duration.ofSeconds(2),
            Duration.ofMillis(100), Duration.ofMinutes(10));

    /** The most messages one pull asks for. */
    public static final IntOption PULL_PAGE = new IntOption("pull-page", 512, 1, Frame.MAX_BATCH);

    /** The most messages the server pushed and has not seen confirmed (no common default, as gap-timeout). */
    public static final IntOption WINDOW = new IntOption("window", 512, 1, 65_536);

    /** The most estimated bytes of them; a single larger message is still sent, alone. */
    public static final IntOption WINDOW_BYTES = new IntOption("window-bytes", 8 << 20, 1024, 1 << 30);

    /** How long the server waits for a confirmation before the first resend; it doubles with each resend. */
    public static final DurationOption RETRANSMIT_INITIAL = new DurationOption("retransmit-initial",
            Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMinutes(10));

    /** The cap of that wait, not below retransmit-initial; the jitter of ±20% applies after the cap. */
    public static final DurationOption RETRANSMIT_MAX = new DurationOption("retransmit-max", Duration.ofSeconds(30),
            Duration.ofMillis(10), Duration.ofHours(1));

    private CommonOptions() {
    }

    /**
     * Checks that {@code later} is not below {@code earlier}, for two options whose ranges overlap (a cap and the
     * value it caps).
     *
     * @throws InvalidOptionException {@code option LATER (VALUE) must not be below EARLIER (VALUE)}
     */
    public static void notBelow(DurationOption later, Duration laterValue, DurationOption earlier,
                                Duration earlierValue) {
        if (laterValue.compareTo(earlierValue) < 0) {
            throw new InvalidOptionException("option " + later.name() + " (" + later.format(laterValue)
                    + ") must not be below " + earlier.name() + " (" + earlier.format(earlierValue) + ")");
        }
    }
}
