package io.imr.engine;

import io.imr.api.option.DurationOption;
import io.imr.api.option.IntOption;
import io.imr.api.option.InvalidOptionException;
import io.imr.api.option.OptionSpec;
import java.time.Duration;
import java.util.List;

/**
 * Settings of a server engine. Immutable and validated; {@link #DEFAULT} for the defaults, {@link #builder()}
 * or {@link #toBuilder()} to change some. Each option's name, default and range is written once, in its spec
 * below ({@link #OPTIONS}); the builder starts from those defaults and the embedding's properties
 * ({@code imr.server.NAME}) are read through the same specs.
 *
 * @param heartbeat            {@code heartbeat}: the interval devices are told to ping at; a session silent
 *                             for three of them is closed as dead (half-open connections)
 * @param helloTimeout         {@code hello-timeout}: how long a new connection may take to send its hello
 * @param maxPendingSends      {@code max-pending-sends}: sends of one session accepted but not yet committed;
 *                             a session that goes beyond is closed (bounded memory, G7)
 * @param deviceIdleEviction   {@code device-idle-eviction}: how long the in-memory state of a disconnected
 *                             device is kept (its durable state is in the store either way)
 */
public record ServerEngineConfig(Duration heartbeat, Duration helloTimeout, int maxPendingSends,
                                 Duration deviceIdleEviction) {

    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_HELLO_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_PENDING_SENDS = 8192;
    public static final Duration DEFAULT_DEVICE_IDLE_EVICTION = Duration.ofMinutes(5);

    /** At least 10ms: devices are told the interval in whole milliseconds. */
    public static final DurationOption HEARTBEAT = new DurationOption("heartbeat", DEFAULT_HEARTBEAT,
            Duration.ofMillis(10), Duration.ofHours(1));
    public static final DurationOption HELLO_TIMEOUT = new DurationOption("hello-timeout", DEFAULT_HELLO_TIMEOUT,
            Duration.ofMillis(10), Duration.ofHours(1));
    public static final IntOption MAX_PENDING_SENDS = new IntOption("max-pending-sends", DEFAULT_MAX_PENDING_SENDS,
            1, 1 << 20);
    public static final DurationOption DEVICE_IDLE_EVICTION = new DurationOption("device-idle-eviction",
            DEFAULT_DEVICE_IDLE_EVICTION, Duration.ofMillis(1), Duration.ofDays(30));

    /** Every option, in the order of the record's components. */
    public static final List<OptionSpec<?>> OPTIONS = List.of(HEARTBEAT, HELLO_TIMEOUT, MAX_PENDING_SENDS,
            DEVICE_IDLE_EVICTION);

    /** Every option at its default. */
    public static final ServerEngineConfig DEFAULT = builder().build();

    /**
     * Checks every value: the one place a server engine's settings are validated.
     *
     * @throws InvalidOptionException naming the option that is wrong, what is allowed and the value
     */
    public ServerEngineConfig {
        HEARTBEAT.check(heartbeat);
        HELLO_TIMEOUT.check(helloTimeout);
        MAX_PENDING_SENDS.check(maxPendingSends);
        DEVICE_IDLE_EVICTION.check(deviceIdleEviction);
    }

    /** A builder starting from every option's default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder().heartbeat(heartbeat).helloTimeout(helloTimeout).maxPendingSends(maxPendingSends)
                .deviceIdleEviction(deviceIdleEviction);
    }

    /** Settings of a server engine, each starting at its default; {@link #build()} checks them. */
    public static final class Builder {
        private Duration heartbeat = DEFAULT_HEARTBEAT;
        private Duration helloTimeout = DEFAULT_HELLO_TIMEOUT;
        private int maxPendingSends = DEFAULT_MAX_PENDING_SENDS;
        private Duration deviceIdleEviction = DEFAULT_DEVICE_IDLE_EVICTION;

        private Builder() {
        }

        /** {@link ServerEngineConfig#HEARTBEAT}. */
        public Builder heartbeat(Duration value) {
            heartbeat = value;
            return this;
        }

        /** {@link ServerEngineConfig#HELLO_TIMEOUT}. */
        public Builder helloTimeout(Duration value) {
            helloTimeout = value;
            return this;
        }

        /** {@link ServerEngineConfig#MAX_PENDING_SENDS}. */
        public Builder maxPendingSends(int value) {
            maxPendingSends = value;
            return this;
        }

        /** {@link ServerEngineConfig#DEVICE_IDLE_EVICTION}. */
        public Builder deviceIdleEviction(Duration value) {
            deviceIdleEviction = value;
            return this;
        }

        /** @throws InvalidOptionException naming the option that is wrong, what is allowed and the value */
        public ServerEngineConfig build() {
            return new ServerEngineConfig(heartbeat, helloTimeout, maxPendingSends, deviceIdleEviction);
        }
    }
}
