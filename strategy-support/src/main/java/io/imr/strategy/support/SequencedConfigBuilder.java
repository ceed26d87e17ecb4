package io.imr.strategy.support;

import io.imr.api.option.DurationOption;
import io.imr.api.option.IntOption;
import io.imr.api.strategy.StrategyOptions;
import java.time.Duration;

/**
 * The part of a strategy config's builder that every strategy built on {@link SequencedClient} has: the
 * device's {@code hold-back}, {@code tail-timeout} and {@code pull-page} ({@link CommonOptions}), each starting at
 * its spec's default. A strategy's builder extends it (or {@link Windowed}) with its own options and a
 * {@code build()} that makes its record, whose constructor checks every value.
 *
 * @param <B> the strategy's builder, returned by every setter
 */
public abstract class SequencedConfigBuilder<B extends SequencedConfigBuilder<B>> {

    protected int holdBack = CommonOptions.HOLD_BACK.defaultInt();
    protected Duration tailTimeout = CommonOptions.TAIL_TIMEOUT.defaultValue();
    protected int pullPage = CommonOptions.PULL_PAGE.defaultInt();

    protected SequencedConfigBuilder() {
    }

    /** This builder, as its own type. */
    protected abstract B self();

    /** {@link CommonOptions#HOLD_BACK}. */
    public B holdBack(int value) {
        holdBack = value;
        return self();
    }

    /** {@link CommonOptions#TAIL_TIMEOUT}. */
    public B tailTimeout(Duration value) {
        tailTimeout = value;
        return self();
    }

    /** {@link CommonOptions#PULL_PAGE}. */
    public B pullPage(int value) {
        pullPage = value;
        return self();
    }

    /**
     * Sets the options of this part from text, each through its spec (those not given keep their value).
     *
     * @throws io.imr.api.option.InvalidOptionException for a value its spec does not allow
     */
    public B read(StrategyOptions options) {
        holdBack = options.get(CommonOptions.HOLD_BACK);
        tailTimeout = options.get(CommonOptions.TAIL_TIMEOUT);
        pullPage = options.get(CommonOptions.PULL_PAGE);
        return self();
    }

    /**
     * The builder part of a strategy whose server half keeps a window of unconfirmed messages and retransmits
     * ({@link WindowedServer}): {@code gap-timeout}, {@code window}, {@code window-bytes},
     * {@code retransmit-initial} and {@code retransmit-max}, with the strategy's own defaults for the first two.
     *
     * @param <B> the strategy's builder, returned by every setter
     */
    public abstract static class Windowed<B extends Windowed<B>> extends SequencedConfigBuilder<B> {

        private final DurationOption gapTimeoutSpec;
        private final IntOption windowSpec;
        protected Duration gapTimeout;
        protected int window;
        protected int windowBytes = CommonOptions.WINDOW_BYTES.defaultInt();
        protected Duration retransmitInitial = CommonOptions.RETRANSMIT_INITIAL.defaultValue();
        protected Duration retransmitMax = CommonOptions.RETRANSMIT_MAX.defaultValue();

        /**
         * @param gapTimeoutSpec the strategy's {@code gap-timeout} ({@link CommonOptions#GAP_TIMEOUT} with its default)
         * @param windowSpec     the strategy's {@code window} ({@link CommonOptions#WINDOW} with its default)
         */
        protected Windowed(DurationOption gapTimeoutSpec, IntOption windowSpec) {
            this.gapTimeoutSpec = gapTimeoutSpec;
            this.windowSpec = windowSpec;
            this.gapTimeout = gapTimeoutSpec.defaultValue();
            this.window = windowSpec.defaultInt();
        }

        /** The strategy's {@code gap-timeout}. */
        public B gapTimeout(Duration value) {
            gapTimeout = value;
            return self();
        }

        /** The strategy's {@code window}. */
        public B window(int value) {
            window = value;
            return self();
        }

        /** {@link CommonOptions#WINDOW_BYTES}. */
        public B windowBytes(int value) {
            windowBytes = value;
            return self();
        }

        /** {@link CommonOptions#RETRANSMIT_INITIAL}. */
        public B retransmitInitial(Duration value) {
            retransmitInitial = value;
            return self();
        }

        /** {@link CommonOptions#RETRANSMIT_MAX}. */
        public B retransmitMax(Duration value) {
            retransmitMax = value;
            return self();
        }

        @Override
        public B read(StrategyOptions options) {
            super.read(options);
            gapTimeout = options.get(gapTimeoutSpec);
            window = options.get(windowSpec);
            windowBytes = options.get(CommonOptions.WINDOW_BYTES);
            retransmitInitial = options.get(CommonOptions.RETRANSMIT_INITIAL);
            retransmitMax = options.get(CommonOptions.RETRANSMIT_MAX);
            return self();
        }
    }
}
