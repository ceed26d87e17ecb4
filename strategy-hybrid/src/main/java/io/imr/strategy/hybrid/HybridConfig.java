package io.imr.strategy.hybrid;

import io.imr.api.frame.Frame;
import io.imr.api.strategy.StrategyOptions;
import io.imr.strategy.support.Options;
import java.time.Duration;
import java.util.Set;

/**
 * The validated settings of the {@code hybrid} strategy. Immutable; parse them once with {@link #from}.
 *
 * @param holdBack          {@code hold-back}: the most messages a device keeps past a hole (0 to 1,000,000,
 *                          default 1024)
 * @param gapTimeout        {@code gap-timeout}: how long a hole may stay open (reordering, a retransmission
 *                          on its way) before exactly its range is pulled (10ms to 10m, default 200ms)
 * @param tailTimeout       {@code tail-timeout}: how long a device that knows of messages beyond what it has
 *                          waits without progress before it pulls them (G9); also how long it waits for a
 *                          pull's answer (100ms to 10m, default 2s)
 * @param pullPage          {@code pull-page}: the most messages one pull asks for (1 to
 *                          {@link Frame#MAX_BATCH}, default 512)
 * @param window            {@code window}: the most messages the server pushed and has not seen confirmed; a
 *                          device further behind pulls (1 to 65,536, default 1024)
 * @param windowBytes       {@code window-bytes}: the most estimated bytes of them (1024 to 1 GiB, default 8 MiB)
 * @param retransmitInitial {@code retransmit-initial}: how long the server waits for an ack-up-to before it
 *                          resends what is above the watermark (10ms to 10m, default 1s); doubles per resend
 * @param retransmitMax     {@code retransmit-max}: the cap of that wait (10ms to 1h, default 30s)
 * @param ackEvery          {@code ack-every} (N): a device sends ack-up-to once this many messages were
 *                          committed since the last one (1 to 65,536, default 256)
 * @param ackDelay          {@code ack-delay} (T): or once the oldest of them was committed this long ago,
 *                          whichever comes first; and at once when nothing more waits (1ms to 10s, default 20ms)
 */
public record HybridConfig(int holdBack, Duration gapTimeout, Duration tailTimeout, int pullPage, int window,
                           int windowBytes, Duration retransmitInitial, Duration retransmitMax, int ackEvery,
                           Duration ackDelay) {

    static final Options.Int HOLD_BACK = new Options.Int("hold-back", 1024, 0, 1_000_000);
    static final Options.Time GAP_TIMEOUT = new Options.Time("gap-timeout", Duration.ofMillis(200),
            Duration.ofMillis(10), Duration.ofMinutes(10));
    static final Options.Time TAIL_TIMEOUT = new Options.Time("tail-timeout", Duration.ofSeconds(2),
            Duration.ofMillis(100), Duration.ofMinutes(10));
    static final Options.Int PULL_PAGE = new Options.Int("pull-page", 512, 1, Frame.MAX_BATCH);
    static final Options.Int WINDOW = new Options.Int("window", 1024, 1, 65_536);
    static final Options.Int WINDOW_BYTES = new Options.Int("window-bytes", 8 << 20, 1024, 1 << 30);
    static final Options.Time RETRANSMIT_INITIAL = new Options.Time("retransmit-initial", Duration.ofSeconds(1),
            Duration.ofMillis(10), Duration.ofMinutes(10));
    static final Options.Time RETRANSMIT_MAX = new Options.Time("retransmit-max", Duration.ofSeconds(30),
            Duration.ofMillis(10), Duration.ofHours(1));
    static final Options.Int ACK_EVERY = new Options.Int("ack-every", 256, 1, 65_536);
    static final Options.Time ACK_DELAY = new Options.Time("ack-delay", Duration.ofMillis(20), Duration.ofMillis(1),
            Duration.ofSeconds(10));

    /** Every option name the strategy understands. */
    public static final Set<String> OPTION_NAMES = Set.of(HOLD_BACK.name(), GAP_TIMEOUT.name(), TAIL_TIMEOUT.name(),
            PULL_PAGE.name(), WINDOW.name(), WINDOW_BYTES.name(), RETRANSMIT_INITIAL.name(), RETRANSMIT_MAX.name(),
            ACK_EVERY.name(), ACK_DELAY.name());

    /** The defaults. */
    public static final HybridConfig DEFAULT = from(StrategyOptions.none());

    /** Between two Notify frames to one device, at least this much driver time. */
    static final Duration NOTIFY_INTERVAL = Duration.ofMillis(100);

    /** The most inbox reads outstanding for one device's pulls; further pulls are merged. */
    static final int MAX_PULL_READS = 4;

    /**
     * Checks every value.
     *
     * @throws StrategyOptions.InvalidOptionException naming the option that is wrong and what is allowed
     */
    public HybridConfig {
        HOLD_BACK.check(holdBack);
        GAP_TIMEOUT.check(gapTimeout);
        TAIL_TIMEOUT.check(tailTimeout);
        PULL_PAGE.check(pullPage);
        WINDOW.check(window);
        WINDOW_BYTES.check(windowBytes);
        RETRANSMIT_INITIAL.check(retransmitInitial);
        RETRANSMIT_MAX.check(retransmitMax);
        ACK_EVERY.check(ackEvery);
        ACK_DELAY.check(ackDelay);
        if (retransmitMax.compareTo(retransmitInitial) < 0) {
            throw new StrategyOptions.InvalidOptionException("option " + RETRANSMIT_MAX.name() + " ("
                    + retransmitMax.toMillis() + "ms) must not be below " + RETRANSMIT_INITIAL.name() + " ("
                    + retransmitInitial.toMillis() + "ms)");
        }
        if (ackDelay.compareTo(retransmitInitial) >= 0) {
            throw new StrategyOptions.InvalidOptionException("option " + ACK_DELAY.name() + " (" + ackDelay.toMillis()
                    + "ms) must be below " + RETRANSMIT_INITIAL.name() + " (" + retransmitInitial.toMillis()
                    + "ms), or every batch would be resent before it is acknowledged");
        }
    }

    /**
     * Reads the options, each defaulting to its default.
     *
     * @throws StrategyOptions.InvalidOptionException for an unknown option or a value out of range
     */
    public static HybridConfig from(StrategyOptions options) {
        options.requireKnown(HybridStrategyProvider.NAME, OPTION_NAMES);
        return new HybridConfig(HOLD_BACK.read(options), GAP_TIMEOUT.read(options), TAIL_TIMEOUT.read(options),
                PULL_PAGE.read(options), WINDOW.read(options), WINDOW_BYTES.read(options),
                RETRANSMIT_INITIAL.read(options), RETRANSMIT_MAX.read(options), ACK_EVERY.read(options),
                ACK_DELAY.read(options));
    }
}
