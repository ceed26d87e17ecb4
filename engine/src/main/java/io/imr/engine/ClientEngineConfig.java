package io.imr.engine;

import io.imr.api.Names;
import io.imr.api.option.DurationOption;
import io.imr.api.option.IntOption;
import io.imr.api.option.InvalidOptionException;
import io.imr.api.option.OptionSpec;
import io.imr.api.strategy.PerStrategyOptions;
import io.imr.engine.internal.InboundGate;
import java.time.Duration;
import java.util.List;

/**
 * Settings of a client engine. Immutable and validated; {@link #builder()} or {@link #of} to make them,
 * {@link #toBuilder()} to change some. Each option's name, default and range is written once, in its spec
 * below ({@link #OPTIONS}); the builder starts from those defaults and the embedding's properties
 * ({@code imr.client.NAME}) are read through the same specs.
 *
 * @param strategies       the strategies the device offers, by preference; the server picks one
 * @param options          options of each strategy's client half, in one namespace per strategy (each is
 *                         validated by its own strategy only)
 * @param reconnectInitial {@code reconnect-initial}: the first reconnect delay; it doubles up to reconnectMax,
 *                         with jitter
 * @param reconnectMax     {@code reconnect-max}: the longest reconnect delay, not below reconnect-initial
 * @param welcomeTimeout   {@code welcome-timeout}: how long to wait for the welcome after connecting
 * @param sendWindow       {@code send-window}: sends sent and not yet acknowledged by the server, at most
 * @param resendAfter      {@code resend-after}: a send not acknowledged for this long is sent again (the server
 *                         dedups)
 * @param maxOutbox        {@code max-outbox}: sends waiting in the outbox, at most; more fail with
 *                         OutboxFullException
 * @param inboundFrames    {@code inbound-frames}: frames from the server handed to the engine and not yet processed
 *                         above which the connection stops being read; it is read again at a quarter of it
 *                         (back-pressure, G7)
 */
public record ClientEngineConfig(List<String> strategies, PerStrategyOptions options, Duration reconnectInitial,
                                 Duration reconnectMax, Duration welcomeTimeout, int sendWindow, Duration resendAfter,
                                 int maxOutbox, int inboundFrames) {

    public static final Duration DEFAULT_RECONNECT_INITIAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_RECONNECT_MAX = Duration.ofSeconds(10);
    public static final Duration DEFAULT_WELCOME_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_SEND_WINDOW = 1024;
    public static final Duration DEFAULT_RESEND_AFTER = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_OUTBOX = 1_000_000;
    /** As the engine's inbound gate. */
    public static final int DEFAULT_INBOUND_FRAMES = InboundGate.DEFAULT_CONNECTION_HIGH_WATER;

    public static final DurationOption RECONNECT_INITIAL = new DurationOption("reconnect-initial",
            DEFAULT_RECONNECT_INITIAL, Duration.ofMillis(1), Duration.ofHours(1));
    public static final DurationOption RECONNECT_MAX = new DurationOption("reconnect-max", DEFAULT_RECONNECT_MAX,
            Duration.ofMillis(1), Duration.ofDays(1));
    public static final DurationOption WELCOME_TIMEOUT = new DurationOption("welcome-timeout", DEFAULT_WELCOME_TIMEOUT,
            Duration.ofMillis(10), Duration.ofHours(1));
    public static final IntOption SEND_WINDOW = new IntOption("send-window", DEFAULT_SEND_WINDOW, 1, 65_536);
    public static final DurationOption RESEND_AFTER = new DurationOption("resend-after", DEFAULT_RESEND_AFTER,
            Duration.ofMillis(10), Duration.ofHours(1));
    public static final IntOption MAX_OUTBOX = new IntOption("max-outbox", DEFAULT_MAX_OUTBOX, 1, Integer.MAX_VALUE);
    /** At least 4, so that its quarter, the mark at which reading resumes, is a frame. */
    public static final IntOption INBOUND_FRAMES = new IntOption("inbound-frames", DEFAULT_INBOUND_FRAMES, 4,
            1 << 20);

    /** Every option that has a spec, in the order of the record's components. */
    public static final List<OptionSpec<?>> OPTIONS = List.of(RECONNECT_INITIAL, RECONNECT_MAX, WELCOME_TIMEOUT,
            SEND_WINDOW, RESEND_AFTER, MAX_OUTBOX, INBOUND_FRAMES);

    /**
     * Checks every value: the one place a client engine's settings are validated.
     *
     * @throws IllegalArgumentException for no strategy, an invalid strategy name or missing options
     * @throws InvalidOptionException   naming the option that is wrong, what is allowed and the value
     */
    public ClientEngineConfig {
        if (strategies == null || strategies.isEmpty()) {
            throw new IllegalArgumentException("a client must offer at least one strategy");
        }
        strategies = List.copyOf(strategies);
        strategies.forEach(Names::strategy);
        if (options == null) {
            throw new IllegalArgumentException("options must not be null; use PerStrategyOptions.none()");
        }
        RECONNECT_INITIAL.check(reconnectInitial);
        RECONNECT_MAX.check(reconnectMax);
        WELCOME_TIMEOUT.check(welcomeTimeout);
        SEND_WINDOW.check(sendWindow);
        RESEND_AFTER.check(resendAfter);
        MAX_OUTBOX.check(maxOutbox);
        INBOUND_FRAMES.check(inboundFrames);
        if (reconnectMax.compareTo(reconnectInitial) < 0) {
            throw new InvalidOptionException("option " + RECONNECT_MAX.name() + " (" + RECONNECT_MAX.format(reconnectMax)
                    + ") must not be below " + RECONNECT_INITIAL.name() + " ("
                    + RECONNECT_INITIAL.format(reconnectInitial) + ")");
        }
    }

    /** Defaults for a client offering one strategy. */
    public static ClientEngineConfig of(String strategy) {
        return builder().strategies(List.of(strategy)).build();
    }

    /** Defaults for a client offering these strategies, by preference. */
    public static ClientEngineConfig of(List<String> strategies) {
        return builder().strategies(strategies).build();
    }

    /** A builder starting from every option's default, with no strategy and no strategy options yet. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder().strategies(strategies).options(options).reconnectInitial(reconnectInitial)
                .reconnectMax(reconnectMax).welcomeTimeout(welcomeTimeout).sendWindow(sendWindow)
                .resendAfter(resendAfter).maxOutbox(maxOutbox).inboundFrames(inboundFrames);
    }

    /** Settings of a client engine, each starting at its default; {@link #build()} checks them. */
    public static final class Builder {
        private List<String> strategies = List.of();
        private PerStrategyOptions options = PerStrategyOptions.none();
        private Duration reconnectInitial = DEFAULT_RECONNECT_INITIAL;
        private Duration reconnectMax = DEFAULT_RECONNECT_MAX;
        private Duration welcomeTimeout = DEFAULT_WELCOME_TIMEOUT;
        private int sendWindow = DEFAULT_SEND_WINDOW;
        private Duration resendAfter = DEFAULT_RESEND_AFTER;
        private int maxOutbox = DEFAULT_MAX_OUTBOX;
        private int inboundFrames = DEFAULT_INBOUND_FRAMES;

        private Builder() {
        }

        /** The strategies offered, by preference (at least one). */
        public Builder strategies(List<String> value) {
            strategies = value;
            return this;
        }

        /** Options of each strategy's client half, in one namespace per strategy. */
        public Builder options(PerStrategyOptions value) {
            options = value;
            return this;
        }

        /** {@link ClientEngineConfig#RECONNECT_INITIAL}. */
        public Builder reconnectInitial(Duration value) {
            reconnectInitial = value;
            return this;
        }

        /** {@link ClientEngineConfig#RECONNECT_MAX}. */
        public Builder reconnectMax(Duration value) {
            reconnectMax = value;
            return this;
        }

        /** {@link ClientEngineConfig#WELCOME_TIMEOUT}. */
        public Builder welcomeTimeout(Duration value) {
            welcomeTimeout = value;
            return this;
        }

        /** {@link ClientEngineConfig#SEND_WINDOW}. */
        public Builder sendWindow(int value) {
            sendWindow = value;
            return this;
        }

        /** {@link ClientEngineConfig#RESEND_AFTER}. */
        public Builder resendAfter(Duration value) {
            resendAfter = value;
            return this;
        }

        /** {@link ClientEngineConfig#MAX_OUTBOX}. */
        public Builder maxOutbox(int value) {
            maxOutbox = value;
            return this;
        }

        /** {@link ClientEngineConfig#INBOUND_FRAMES}. */
        public Builder inboundFrames(int value) {
            inboundFrames = value;
            return this;
        }

        /**
         * @throws IllegalArgumentException for no strategy or an invalid strategy name
         * @throws InvalidOptionException   naming the option that is wrong, what is allowed and the value
         */
        public ClientEngineConfig build() {
            return new ClientEngineConfig(strategies, options, reconnectInitial, reconnectMax, welcomeTimeout,
                    sendWindow, resendAfter, maxOutbox, inboundFrames);
        }
    }
}
