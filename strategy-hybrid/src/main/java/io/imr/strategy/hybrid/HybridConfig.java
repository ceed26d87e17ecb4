package io.imr.strategy.hybrid;

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
 * The validated settings of the {@code hybrid} strategy. Immutable; make them with {@link #builder()} in code or
 * {@link #from} from text. Each option's name, default and range is its spec below ({@link #OPTIONS}), which both
 * the builder and {@link #from} use.
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
 * @param retransmitMax     {@code retransmit-max}: the cap of that wait (10ms to 1h, not below
 *                          retransmit-initial, default 30s)
 * @param ackEvery          {@code ack-every} (N): a device sends ack-up-to once this many messages were
 *                          committed since the last one (1 to 65,536, default 256)
 * @param ackDelay          {@code ack-delay} (T): or once the oldest of them was committed this long ago,
 *                          whichever comes first; and at once when nothing more waits (1ms to 10s, below
 *                          retransmit-initial, default 20ms)
 */
public record HybridConfig(int holdBack, Duration gapTimeout, Duration tailTimeout, int pullPage, int window,
                           int windowBytes, Duration retransmitInitial, Duration retransmitMax, int ackEvery,
                           Duration ackDelay) {

    public static final IntOption HOLD_BACK = CommonOptions.HOLD_BACK;
    public static final DurationOption GAP_TIMEOUT = CommonOptions.GAP_TIMEOUT.withDefault(Duration.ofMillis(200));
    public static final DurationOption TAIL_TIMEOUT = CommonOptions.TAIL_TIMEOUT;
    public static final IntOption PULL_PAGE = CommonOptions.PULL_PAGE;
    public static final IntOption WINDOW = CommonOptions.WINDOW.withDefault(1024);
    public static final IntOption WINDOW_BYTES = CommonOptions.WINDOW_BYTES;
    public static final DurationOption RETRANSMIT_INITIAL = CommonOptions.RETRANSMIT_INITIAL;
    public static final DurationOption RETRANSMIT_MAX = CommonOptions.RETRANSMIT_MAX;
    public static final IntOption ACK_EVERY = new IntOption("ack-every", 256, 1, 65_536);
    public static final DurationOption ACK_DELAY = new DurationOption("ack-delay", Duration.ofMillis(20),
            Duration.ofMillis(1), Duration.ofSeconds(10));

    /** Every option, in the order of the record's components. */
    public static final List<OptionSpec<?>> OPTIONS = List.of(HOLD_BACK, GAP_TIMEOUT, TAIL_TIMEOUT, PULL_PAGE, WINDOW,
            WINDOW_BYTES, RETRANSMIT_INITIAL, RETRANSMIT_MAX, ACK_EVERY, ACK_DELAY);

    /** Every option name the strategy understands. */
    public static final Set<String> OPTION_NAMES = OptionSpec.names(OPTIONS);

    /** The defaults. */
    public static final HybridConfig DEFAULT = builder().build();

    /** Between two Notify frames to one device, at least this much driver time. */
    static final Duration NOTIFY_INTERVAL = Duration.ofMillis(100);

    /** The most inbox reads outstanding for one device's pulls; further pulls are merged. */
    static final int MAX_PULL_READS = 4;

    /**
     * Checks every value: the one place the hybrid strategy's settings are validated.
     *
     * @throws InvalidOptionException naming the option that is wrong, what is allowed and the value
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
        CommonOptions.notBelow(RETRANSMIT_MAX, retransmitMax, RETRANSMIT_INITIAL, retransmitInitial);
        if (ackDelay.compareTo(retransmitInitial) >= 0) {
            throw new InvalidOptionException("option " + ACK_DELAY.name() + " (" + ACK_DELAY.format(ackDelay)
                    + ") must be below " + RETRANSMIT_INITIAL.name() + " (" + RETRANSMIT_INITIAL.format(retransmitInitial)
                    + "), or every batch would be resent before it is acknowledged");
        }
    }

    /** A builder starting from every option's default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder().holdBack(holdBack).gapTimeout(gapTimeout).tailTimeout(tailTimeout).pullPage(pullPage)
                .window(window).windowBytes(windowBytes).retransmitInitial(retransmitInitial)
                .retransmitMax(retransmitMax).ackEvery(ackEvery).ackDelay(ackDelay);
    }

    /**
     * Reads the options, each defaulting to its spec's default.
     *
     * @throws InvalidOptionException for an unknown option or a value out of range
     */
    public static HybridConfig from(StrategyOptions options) {
        options.requireKnown(HybridStrategyProvider.NAME, OPTION_NAMES);
        return builder().read(options).build();
    }

    /**
     * Settings of the hybrid strategy, each starting at its spec's default; {@link #build()} checks them. Its
     * setters are the options' names in camel case ({@code ack-every} is {@code ackEvery}).
     */
    public static final class Builder extends SequencedConfigBuilder.Windowed<Builder> {
        private int ackEvery = ACK_EVERY.defaultInt();
        private Duration ackDelay = ACK_DELAY.defaultValue();

        private Builder() {
            super(GAP_TIMEOUT, WINDOW);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** {@link HybridConfig#ACK_EVERY}. */
        public Builder ackEvery(int value) {
            ackEvery = value;
            return this;
        }

        /** {@link HybridConfig#ACK_DELAY}. */
        public Builder ackDelay(Duration value) {
            ackDelay = value;
            return this;
        }

        @Override
        public Builder read(StrategyOptions options) {
            super.read(options);
            ackEvery = options.get(ACK_EVERY);
            ackDelay = options.get(ACK_DELAY);
            return this;
        }

        /** @throws InvalidOptionException naming the option that is wrong, what is allowed and the value */
        public HybridConfig build() {
            return new HybridConfig(holdBack, gapTimeout, tailTimeout, pullPage, window, windowBytes,
                    retransmitInitial, retransmitMax, ackEvery, ackDelay);
        }
    }
}
