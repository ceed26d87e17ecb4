package io.imr.strategy.ack;

import io.imr.api.frame.Frame;
import io.imr.api.strategy.StrategyOptions;
import java.time.Duration;
import java.util.Set;

/**
 * The validated settings of the {@code ack} strategy. Immutable; parse them once with {@link #from}.
 *
 * @param holdBack          {@value #HOLD_BACK}: the most messages a device keeps past a hole (0 to
 *                          1,000,000, default 1024); beyond, they are dropped and received again
 * @param gapTimeout        {@value #GAP_TIMEOUT}: how long a device waits for a hole to fill (by a
 *                          retransmit or reordering) before it pulls the missing range (10ms to 10m,
 *                          default 1s)
 * @param tailTimeout       {@value #TAIL_TIMEOUT}: how long a device that knows of messages beyond
 *                          what it has waits without progress before it pulls them (G9); also how long
 *                          it waits for a pull's answer before pulling again (100ms to 10m, default 2s)
 * @param pullPage          {@value #PULL_PAGE}: the most messages one pull asks for (1 to
 *                          {@link Frame#MAX_BATCH}, default 512)
 * @param window            {@value #WINDOW}: the most messages the server has sent to a device and not
 *                          seen acknowledged (1 to 65,536, default 512)
 * @param windowBytes       {@value #WINDOW_BYTES}: the most estimated bytes of such messages (1024 to
 *                          1 GiB, default 8 MiB); a single larger message is still sent, alone
 * @param retransmitInitial {@value #RETRANSMIT_INITIAL}: how long the server waits for an ack before
 *                          the first resend (10ms to 10m, default 1s); it doubles with each resend
 * @param retransmitMax     {@value #RETRANSMIT_MAX}: the cap of that wait (10ms to 1h, not below
 *                          retransmit-initial, default 30s); the jitter of ±20% applies after the cap
 */
public record AckConfig(int holdBack, Duration gapTimeout, Duration tailTimeout, int pullPage, int window,
                        int windowBytes, Duration retransmitInitial, Duration retransmitMax) {

    public static final String HOLD_BACK = "hold-back";
    public static final String GAP_TIMEOUT = "gap-timeout";
    public static final String TAIL_TIMEOUT = "tail-timeout";
    public static final String PULL_PAGE = "pull-page";
    public static final String WINDOW = "window";
    public static final String WINDOW_BYTES = "window-bytes";
    public static final String RETRANSMIT_INITIAL = "retransmit-initial";
    public static final String RETRANSMIT_MAX = "retransmit-max";

    /** Every option name the strategy understands. */
    public static final Set<String> OPTION_NAMES = Set.of(HOLD_BACK, GAP_TIMEOUT, TAIL_TIMEOUT, PULL_PAGE, WINDOW,
            WINDOW_BYTES, RETRANSMIT_INITIAL, RETRANSMIT_MAX);

    /** The defaults. */
    public static final AckConfig DEFAULT = new AckConfig(1024, Duration.ofSeconds(1), Duration.ofSeconds(2), 512, 512,
            8 << 20, Duration.ofSeconds(1), Duration.ofSeconds(30));

    /** Between two Notify frames to one device, at least this much driver time. */
    static final long NOTIFY_INTERVAL_NANOS = Duration.ofMillis(100).toNanos();

    /** The most inbox reads outstanding for one device's pulls; further pulls are merged (PullQueue). */
    static final int MAX_PULL_READS = 4;


    /**
     * Checks every value.
     *
     * @throws StrategyOptions.InvalidOptionException naming the option that is wrong and what is allowed
     */
    public AckConfig {
        range(HOLD_BACK, holdBack, 0, 1_000_000);
        range(GAP_TIMEOUT, gapTimeout, Duration.ofMillis(10), Duration.ofMinutes(10));
        range(TAIL_TIMEOUT, tailTimeout, Duration.ofMillis(100), Duration.ofMinutes(10));
        range(PULL_PAGE, pullPage, 1, Frame.MAX_BATCH);
        range(WINDOW, window, 1, 65_536);
        range(WINDOW_BYTES, windowBytes, 1024, 1 << 30);
        range(RETRANSMIT_INITIAL, retransmitInitial, Duration.ofMillis(10), Duration.ofMinutes(10));
        range(RETRANSMIT_MAX, retransmitMax, Duration.ofMillis(10), Duration.ofHours(1));
        if (retransmitMax.compareTo(retransmitInitial) < 0) {
            throw new StrategyOptions.InvalidOptionException("option " + RETRANSMIT_MAX + " (" + retransmitMax.toMillis()
                    + "ms) must not be below " + RETRANSMIT_INITIAL + " (" + retransmitInitial.toMillis() + "ms)");
        }
    }

    /**
     * Reads the options, each defaulting to {@link #DEFAULT}'s value.
     *
     * @throws StrategyOptions.InvalidOptionException for an unknown option or a value out of range,
     *                                                 saying what is allowed
     */
    public static AckConfig from(StrategyOptions options) {
        options.requireKnown(AckStrategyProvider.NAME, OPTION_NAMES);
        AckConfig d = DEFAULT;
        return new AckConfig(
                options.intValue(HOLD_BACK, d.holdBack, 0, 1_000_000),
                options.duration(GAP_TIMEOUT, d.gapTimeout, Duration.ofMillis(10), Duration.ofMinutes(10)),
                options.duration(TAIL_TIMEOUT, d.tailTimeout, Duration.ofMillis(100), Duration.ofMinutes(10)),
                options.intValue(PULL_PAGE, d.pullPage, 1, Frame.MAX_BATCH),
                options.intValue(WINDOW, d.window, 1, 65_536),
                options.intValue(WINDOW_BYTES, d.windowBytes, 1024, 1 << 30),
                options.duration(RETRANSMIT_INITIAL, d.retransmitInitial, Duration.ofMillis(10), Duration.ofMinutes(10)),
                options.duration(RETRANSMIT_MAX, d.retransmitMax, Duration.ofMillis(10), Duration.ofHours(1)));
    }

    private static void range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new StrategyOptions.InvalidOptionException("option " + name + " must be a whole number from " + min
                    + " to " + max + ", got " + value);
        }
    }

    private static void range(String name, Duration value, Duration min, Duration max) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new StrategyOptions.InvalidOptionException("option " + name + " must be from " + min.toMillis()
                    + "ms to " + max.toMillis() + "ms, got " + (value == null ? "nothing" : value.toMillis() + "ms"));
        }
    }
}
