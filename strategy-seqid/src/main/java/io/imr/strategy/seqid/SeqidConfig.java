package io.imr.strategy.seqid;

import io.imr.api.frame.Frame;
import io.imr.api.strategy.StrategyOptions;
import io.imr.strategy.support.Options;
import java.time.Duration;
import java.util.Set;

/**
 * The validated settings of the {@code seqid} strategy. Immutable; parse them once with {@link #from}.
 *
 * @param holdBack    {@code hold-back}: the most messages a device keeps past a hole (0 to 1,000,000,
 *                    default 1024); beyond, they are dropped and pulled again
 * @param tailTimeout {@code tail-timeout}: how long a device that knows of messages beyond what it has waits
 *                    without progress before it pulls them (G9); also how long it waits for a pull's answer
 *                    (100ms to 10m, default 2s)
 * @param pullPage    {@code pull-page}: the most messages one pull asks for (1 to {@link Frame#MAX_BATCH},
 *                    default 512)
 * @param pushWindow  {@code push-window}: the most messages the server pushes beyond what the device last
 *                    confirmed (its hello's cursor or a pull's start); beyond, it notifies and the device pulls,
 *                    which confirms (1 to 65,536, default 512)
 */
public record SeqidConfig(int holdBack, Duration tailTimeout, int pullPage, int pushWindow) {

    static final Options.Int HOLD_BACK = new Options.Int("hold-back", 1024, 0, 1_000_000);
    static final Options.Time TAIL_TIMEOUT = new Options.Time("tail-timeout", Duration.ofSeconds(2),
            Duration.ofMillis(100), Duration.ofMinutes(10));
    static final Options.Int PULL_PAGE = new Options.Int("pull-page", 512, 1, Frame.MAX_BATCH);
    static final Options.Int PUSH_WINDOW = new Options.Int("push-window", 512, 1, 65_536);

    /** Every option name the strategy understands. */
    public static final Set<String> OPTION_NAMES = Set.of(HOLD_BACK.name(), TAIL_TIMEOUT.name(), PULL_PAGE.name(),
            PUSH_WINDOW.name());

    /** The defaults. */
    public static final SeqidConfig DEFAULT = from(StrategyOptions.none());

    /** Between two Notify frames to one device, at least this much driver time. */
    static final Duration NOTIFY_INTERVAL = Duration.ofMillis(100);

    /** The most inbox reads outstanding for one device's pulls; further pulls are merged. */
    static final int MAX_PULL_READS = 4;

    /**
     * Checks every value.
     *
     * @throws StrategyOptions.InvalidOptionException naming the option that is wrong and what is allowed
     */
    public SeqidConfig {
        HOLD_BACK.check(holdBack);
        TAIL_TIMEOUT.check(tailTimeout);
        PULL_PAGE.check(pullPage);
        PUSH_WINDOW.check(pushWindow);
    }

    /**
     * Reads the options, each defaulting to its default.
     *
     * @throws StrategyOptions.InvalidOptionException for an unknown option or a value out of range
     */
    public static SeqidConfig from(StrategyOptions options) {
        options.requireKnown(SeqidStrategyProvider.NAME, OPTION_NAMES);
        return new SeqidConfig(HOLD_BACK.read(options), TAIL_TIMEOUT.read(options), PULL_PAGE.read(options),
                PUSH_WINDOW.read(options));
    }
}
