package io.imr.strategy.ack;

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
 * The validated settings of the {@code ack} strategy. Immutable; make them with {@link #builder()} in code or
 * {@link #from} from text. Each option's name, default and range is its spec below ({@link #OPTIONS}), which both
 * the builder and {@link #from} use.
 *
 * @param holdBack          {@code hold-back}: the most messages a device keeps past a hole (0 to
 *                          1,000,000, default 1024); beyond, they are dropped and received again
 * @param gapTimeout        {@code gap-timeout}: how long a device waits for a hole to fill (by a
 *                          retransmit or reordering) before it pulls the missing range (10ms to 10m,
 *                          default 1s)
 * @param tailTimeout       {@code tail-timeout}: how long a device that knows of messages beyond
 *                          what it has waits without progress before it pulls them (G9); also how long
 *                          it waits for a pull's answer before pulling again (100ms to 10m, default 2s)
 * @param pullPage          {@code pull-page}: the most messages one pull asks for (1 to
 *                          {@link Frame#MAX_BATCH}, default 512)
 * @param window            {@code window}: the most messages the server has sent to a device and not
 *                          seen acknowledged (1 to 65,536, default 512)
 * @param windowBytes       {@code window-bytes}: the most estimated bytes of such messages (1024 to
 *                          1 GiB, default 8 MiB); a single larger message is still sent, alone
 * @param retransmitInitial {@code retransmit-initial}: how long the server waits for an ack before
 *                          the first resend (10ms to 10m, default 1s); it doubles with each resend
 * @param retransmitMax     {@code retransmit-max}: the cap of that wait (10ms to 1h, not below
 *                          retransmit-initial, default 30s); the jitter of ±20% applies after the cap
 */
public record AckConfig(int holdBack, Duration gapTimeout, Duration tailTimeout, int pullPage, int window,
                        int windowBytes, Duration retransmitInitial, Duration retransmitMax) {

    public static final IntOption HOLD_BACK = CommonOptions.HOLD_BACK;
    public static final DurationOption GAP_TIMEOUT = CommonOptions.GAP_TIMEOUT.withDefault(Duration.ofSeconds(1));
    public static final DurationOption TAIL_TIMEOUT = CommonOptions.TAIL_TIMEOUT;
    public static final IntOption PULL_PAGE = CommonOptions.PULL_PAGE;
    public static final IntOption WINDOW = CommonOptions.WINDOW.withDefault(512);
    public static final IntOption WINDOW_BYTES = CommonOptions.WINDOW_BYTES;
    public static final DurationOption RETRANSMIT_INITIAL = CommonOptions.RETRANSMIT_INITIAL;
    public static final DurationOption RETRANSMIT_MAX = CommonOptions.RETRANSMIT_MAX;

    /** Every option, in the order of the record's components. */
    public static final List<OptionSpec<?>> OPTIONS = List.of(HOLD_BACK, GAP_TIMEOUT, TAIL_TIMEOUT, PULL_PAGE, WINDOW,
            WINDOW_BYTES, RETRANSMIT_INITIAL, RETRANSMIT_MAX);

    /** Every option name the strategy understands. */
    public static final Set<String> OPTION_NAMES = OptionSpec.names(OPTIONS);

    /** The defaults. */
    public static final AckConfig DEFAULT = builder().build();

    /** Between two Notify frames to one device, at least this much driver time. */
    static final long NOTIFY_INTERVAL_NANOS = Duration.ofMillis(100).toNanos();

    /** The most inbox reads outstanding for one device's pulls; further pulls are merged (PullQueue). */
    static final int MAX_PULL_READS = 4;

    /**
     * Checks every value: the one place the ack strategy's settings are validated.
     *
     * @throws InvalidOptionException naming the option that is wrong, what is allowed and the value
     */
    public AckConfig {
        HOLD_BACK.check(holdBack);
        GAP_TIMEOUT.check(gapTimeout);
        TAIL_TIMEOUT.check(tailTimeout);
        PULL_PAGE.check(pullPage);
        WINDOW.check(window);
        WINDOW_BYTES.check(windowBytes);
        RETRANSMIT_INITIAL.check(retransmitInitial);
        RETRANSMIT_MAX.check(retransmitMax);
        CommonOptions.notBelow(RETRANSMIT_MAX, retransmitMax, RETRANSMIT_INITIAL, retransmitInitial);
    }

    /** A builder starting from every option's default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder().holdBack(holdBack).gapTimeout(gapTimeout).tailTimeout(tailTimeout).pullPage(pullPage)
                .window(window).windowBytes(windowBytes).retransmitInitial(retransmitInitial)
                .retransmitMax(retransmitMax);
    }

    /**
     * Reads the options, each defaulting to its spec's default.
     *
     * @throws InvalidOptionException for an unknown option or a value out of range, saying what is allowed
     */
    public static AckConfig from(StrategyOptions options) {
        options.requireKnown(AckStrategyProvider.NAME, OPTION_NAMES);
        return builder().read(options).build();
    }

    /**
     * Settings of the ack strategy, each starting at its spec's default; {@link #build()} checks them. Its setters
     * are the options' names in camel case ({@code retransmit-max} is {@code retransmitMax}).
     */
    public static final class Builder extends SequencedConfigBuilder.Windowed<Builder> {

        private Builder() {
            super(GAP_TIMEOUT, WINDOW);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** @throws InvalidOptionException naming the option that is wrong, what is allowed and the value */
        public AckConfig build() {
            return new AckConfig(holdBack, gapTimeout, tailTimeout, pullPage, window, windowBytes, retransmitInitial,
                    retransmitMax);
        }
    }
}
