package io.imr.strategy.seqid;

import io.imr.api.frame.Frame;
import io.imr.api.option.DurationOption;
import io.imr.api.option.IntOption;
import io.imr.api.option.InvalidOptionException;
import io.imr.api.option.OptionSpec;
import io.imr.api.strategy.StrategyOptions;
import io.imr.strategy.support.CommonOptions;
import io.imr.strategy.support.SequencedConfigBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The validated settings of the {@code seqid} strategy. Immutable; make them with {@link #builder()} in code or
 * {@link #from} from text. Each option's name, default and range is its spec below ({@link #OPTIONS}), which both
 * the builder and {@link #from} use.
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

    public static final IntOption HOLD_BACK = CommonOptions.HOLD_BACK;
    public static final DurationOption TAIL_TIMEOUT = CommonOptions.TAIL_TIMEOUT;
    public static final IntOption PULL_PAGE = CommonOptions.PULL_PAGE;
    public static final IntOption PUSH_WINDOW = new IntOption("push-window", 512, 1, 65_536);

    /** Every option, in the order of the record's components. */
    public static final List<OptionSpec<?>> OPTIONS = List.of(HOLD_BACK, TAIL_TIMEOUT, PULL_PAGE, PUSH_WINDOW);

    /** Every option name the strategy understands. */
    public static final Set<String> OPTION_NAMES = OptionSpec.names(OPTIONS);

    /** The defaults. */
    public static final SeqidConfig DEFAULT = builder().build();

    /** Between two Notify frames to one device, at least this much driver time. */
    static final Duration NOTIFY_INTERVAL = Duration.ofMillis(100);

    /** The most inbox reads outstanding for one device's pulls; further pulls are merged. */
    static final int MAX_PULL_READS = 4;

    /**
     * Checks every value: the one place the seqid strategy's settings are validated.
     *
     * @throws InvalidOptionException naming the option that is wrong, what is allowed and the value
     */
    public SeqidConfig {
        HOLD_BACK.check(holdBack);
        TAIL_TIMEOUT.check(tailTimeout);
        PULL_PAGE.check(pullPage);
        PUSH_WINDOW.check(pushWindow);
    }

    /** A builder starting from every option's default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder().holdBack(holdBack).tailTimeout(tailTimeout).pullPage(pullPage).pushWindow(pushWindow);
    }

    /**
     * Reads the options, each defaulting to its spec's default.
     *
     * @throws InvalidOptionException for an unknown option or a value out of range
     */
    public static SeqidConfig from(StrategyOptions options) {
        options.requireKnown(SeqidStrategyProvider.NAME, OPTION_NAMES);
        return builder().read(options).build();
    }

    /**
     * Settings of the seqid strategy, each starting at its spec's default; {@link #build()} checks them. Its
     * setters are the options' names in camel case ({@code push-window} is {@code pushWindow}).
     */
    public static final class Builder extends SequencedConfigBuilder<Builder> {
        private int pushWindow = PUSH_WINDOW.defaultInt();

        private Builder() {
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** {@link SeqidConfig#PUSH_WINDOW}. */
        public Builder pushWindow(int value) {
            pushWindow = value;
            return this;
        }

        @Override
        public Builder read(StrategyOptions options) {
            super.read(options);
            pushWindow = options.get(PUSH_WINDOW);
            return this;
        }

        /** @throws InvalidOptionException naming the option that is wrong, what is allowed and the value */
        public SeqidConfig build() {
            return new SeqidConfig(holdBack, tailTimeout, pullPage, pushWindow);
        }
    }
}
