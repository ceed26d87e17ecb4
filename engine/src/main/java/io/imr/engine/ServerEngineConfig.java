package io.imr.engine;

import io.imr.api.Message;
import io.imr.api.option.DurationOption;
import io.imr.api.option.IntOption;
import io.imr.api.option.InvalidOptionException;
import io.imr.api.option.OptionSpec;
import io.imr.engine.internal.InboundGate;
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
 * @param inboundFrames        {@code inbound-frames}: frames of one connection handed to the engine and not yet
 *                             processed above which the connection stops being read; it is read again at a
 *                             quarter of it (back-pressure, G7)
 * @param inboundEngineFrames  {@code inbound-engine-frames}: frames of all connections waiting for the engine
 *                             above which the connections that bring more stop being read; read again at a quarter
 * @param inboundSends         {@code inbound-sends}: sends of one connection not yet answered (send-ack or refusal)
 *                             above which it stops being read; read again at a quarter. Keep it below
 *                             max-pending-sends, so that a sender that does not wait is slowed down, not closed
 * @param retireAfter          {@code retire-after}: a device not seen for this long (no session welcomed or ended)
 *                             is retired: it no longer holds the trimming of its user's inbox back, and messages
 *                             it did not confirm are trimmed once they are this old; when it comes back it is told
 *                             the range it can no longer get (retention)
 * @param retentionSweep       {@code retention-sweep}: how often the server trims the inboxes whose devices confirmed
 *                             more (and, ten times as seldom, looks at every inbox for retired devices and age)
 * @param maxAge               {@code max-age}: messages older than this are trimmed even if a device did not
 *                             confirm them; 0 (the default) for no such limit
 * @param maxCount             {@code max-count}: at most this many messages are kept per inbox, the oldest trimmed
 *                             first even if a device did not confirm them; 0 (the default) for no such limit
 * @param sendRate             {@code send-rate}: messages a second one device may send (a token bucket); one beyond
 *                             is answered {@code RATE_LIMITED} and sent again by the device later; 0 (the default)
 *                             for no limit
 * @param sendBurst            {@code send-burst}: messages a device may send at once before send-rate holds it
 *                             back; 0 (the default) for one second's worth of send-rate
 * @param pullRate             {@code pull-rate}: pulls a second one device may make; one beyond is answered late;
 *                             0 (the default) for no limit
 * @param maxPayload           {@code max-payload}: the largest payload stored, in bytes; a larger one is refused
 *                             ({@code SEND_REFUSED}); 0 (the default) for the protocol's own limit, 1 MiB
 * @param maxSessionsPerUser   {@code max-sessions-per-user}: sessions one user may have open at once; a hello
 *                             beyond is answered {@code RATE_LIMITED}; 0 (the default) for no limit
 * @param maxConnectionsPerAddress {@code max-connections-per-address}: connections one network address may have
 *                             open at once (before or after its hello); one beyond is closed with
 *                             {@code RATE_LIMITED}; 0 (the default) for no limit
 * @param connectionRate       {@code connection-rate}: new connections a second one network address may open (a
 *                             token bucket holding one second's worth); one beyond is closed at once with
 *                             {@code RATE_LIMITED} and a retry delay, before anything it sends is read: a flood of
 *                             connections from one address costs the server an accept and a close each; 0 (the
 *                             default) for no limit
 */
public record ServerEngineConfig(Duration heartbeat, Duration helloTimeout, int maxPendingSends,
                                 Duration deviceIdleEviction, int inboundFrames, int inboundEngineFrames,
                                 int inboundSends, Duration retireAfter, Duration retentionSweep, Duration maxAge,
                                 int maxCount, int sendRate, int sendBurst, int pullRate, int maxPayload,
                                 int maxSessionsPerUser, int maxConnectionsPerAddress, int connectionRate) {

    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_HELLO_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_PENDING_SENDS = 8192;
    public static final Duration DEFAULT_DEVICE_IDLE_EVICTION = Duration.ofMinutes(5);
    /** As the engine's inbound gate: a fast writer cannot fill the engine's queue. */
    public static final int DEFAULT_INBOUND_FRAMES = InboundGate.DEFAULT_CONNECTION_HIGH_WATER;
    /** As the engine's inbound gate: many writers together cannot either. */
    public static final int DEFAULT_INBOUND_ENGINE_FRAMES = InboundGate.DEFAULT_ENGINE_HIGH_WATER;
    /** Half the default max-pending-sends, as the engine's inbound gate. */
    public static final int DEFAULT_INBOUND_SENDS = InboundGate.DEFAULT_SENDS_HIGH_WATER;

    public static final Duration DEFAULT_RETIRE_AFTER = Duration.ofDays(30);
    public static final Duration DEFAULT_RETENTION_SWEEP = Duration.ofSeconds(10);

    /** At least 10ms: devices are told the interval in whole milliseconds. */
    public static final DurationOption HEARTBEAT = new DurationOption("heartbeat", DEFAULT_HEARTBEAT,
            Duration.ofMillis(10), Duration.ofHours(1));
    public static final DurationOption HELLO_TIMEOUT = new DurationOption("hello-timeout", DEFAULT_HELLO_TIMEOUT,
            Duration.ofMillis(10), Duration.ofHours(1));
    public static final IntOption MAX_PENDING_SENDS = new IntOption("max-pending-sends", DEFAULT_MAX_PENDING_SENDS,
            1, 1 << 20);
    public static final DurationOption DEVICE_IDLE_EVICTION = new DurationOption("device-idle-eviction",
            DEFAULT_DEVICE_IDLE_EVICTION, Duration.ofMillis(1), Duration.ofDays(30));
    /** At least 4, so that its quarter, the mark at which reading resumes, is a frame. */
    public static final IntOption INBOUND_FRAMES = new IntOption("inbound-frames", DEFAULT_INBOUND_FRAMES, 4,
            1 << 20);
    public static final IntOption INBOUND_ENGINE_FRAMES = new IntOption("inbound-engine-frames",
            DEFAULT_INBOUND_ENGINE_FRAMES, 4, 1 << 24);
    public static final IntOption INBOUND_SENDS = new IntOption("inbound-sends", DEFAULT_INBOUND_SENDS, 4, 1 << 20);
    public static final DurationOption RETIRE_AFTER = new DurationOption("retire-after", DEFAULT_RETIRE_AFTER,
            Duration.ofMillis(1), Duration.ofDays(3650));
    public static final DurationOption RETENTION_SWEEP = new DurationOption("retention-sweep",
            DEFAULT_RETENTION_SWEEP, Duration.ofMillis(10), Duration.ofDays(1));
    public static final DurationOption MAX_AGE = new DurationOption("max-age", Duration.ZERO, Duration.ZERO,
            Duration.ofDays(3650));
    public static final IntOption MAX_COUNT = new IntOption("max-count", 0, 0, Integer.MAX_VALUE);
    public static final IntOption SEND_RATE = new IntOption("send-rate", 0, 0, 10_000_000);
    public static final IntOption SEND_BURST = new IntOption("send-burst", 0, 0, 10_000_000);
    public static final IntOption PULL_RATE = new IntOption("pull-rate", 0, 0, 1_000_000);
    public static final IntOption MAX_PAYLOAD = new IntOption("max-payload", 0, 0, Message.MAX_PAYLOAD);
    public static final IntOption MAX_SESSIONS_PER_USER = new IntOption("max-sessions-per-user", 0, 0, 1_000_000);
    public static final IntOption MAX_CONNECTIONS_PER_ADDRESS = new IntOption("max-connections-per-address", 0, 0,
            10_000_000);
    public static final IntOption CONNECTION_RATE = new IntOption("connection-rate", 0, 0, 10_000_000);

    /** Every option, in the order of the record's components. */
    public static final List<OptionSpec<?>> OPTIONS = List.of(HEARTBEAT, HELLO_TIMEOUT, MAX_PENDING_SENDS,
            DEVICE_IDLE_EVICTION, INBOUND_FRAMES, INBOUND_ENGINE_FRAMES, INBOUND_SENDS, RETIRE_AFTER, RETENTION_SWEEP,
            MAX_AGE, MAX_COUNT, SEND_RATE, SEND_BURST, PULL_RATE, MAX_PAYLOAD, MAX_SESSIONS_PER_USER,
            MAX_CONNECTIONS_PER_ADDRESS, CONNECTION_RATE);

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
        INBOUND_FRAMES.check(inboundFrames);
        INBOUND_ENGINE_FRAMES.check(inboundEngineFrames);
        INBOUND_SENDS.check(inboundSends);
        RETIRE_AFTER.check(retireAfter);
        RETENTION_SWEEP.check(retentionSweep);
        MAX_AGE.check(maxAge);
        MAX_COUNT.check(maxCount);
        SEND_RATE.check(sendRate);
        SEND_BURST.check(sendBurst);
        PULL_RATE.check(pullRate);
        MAX_PAYLOAD.check(maxPayload);
        MAX_SESSIONS_PER_USER.check(maxSessionsPerUser);
        MAX_CONNECTIONS_PER_ADDRESS.check(maxConnectionsPerAddress);
        CONNECTION_RATE.check(connectionRate);
    }

    /** The largest payload this server stores: max-payload, or the protocol's limit when it is 0. */
    public int payloadLimit() {
        return maxPayload == 0 ? Message.MAX_PAYLOAD : maxPayload;
    }

    /** A builder starting from every option's default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder().heartbeat(heartbeat).helloTimeout(helloTimeout).maxPendingSends(maxPendingSends)
                .deviceIdleEviction(deviceIdleEviction).inboundFrames(inboundFrames)
                .inboundEngineFrames(inboundEngineFrames).inboundSends(inboundSends).retireAfter(retireAfter)
                .retentionSweep(retentionSweep).maxAge(maxAge).maxCount(maxCount).sendRate(sendRate)
                .sendBurst(sendBurst).pullRate(pullRate).maxPayload(maxPayload).maxSessionsPerUser(maxSessionsPerUser)
                .maxConnectionsPerAddress(maxConnectionsPerAddress).connectionRate(connectionRate);
    }

    /** Settings of a server engine, each starting at its default; {@link #build()} checks them. */
    public static final class Builder {
        private Duration heartbeat = DEFAULT_HEARTBEAT;
        private Duration helloTimeout = DEFAULT_HELLO_TIMEOUT;
        private int maxPendingSends = DEFAULT_MAX_PENDING_SENDS;
        private Duration deviceIdleEviction = DEFAULT_DEVICE_IDLE_EVICTION;
        private int inboundFrames = DEFAULT_INBOUND_FRAMES;
        private int inboundEngineFrames = DEFAULT_INBOUND_ENGINE_FRAMES;
        private int inboundSends = DEFAULT_INBOUND_SENDS;
        private Duration retireAfter = DEFAULT_RETIRE_AFTER;
        private Duration retentionSweep = DEFAULT_RETENTION_SWEEP;
        private Duration maxAge = Duration.ZERO;
        private int maxCount;
        private int sendRate;
        private int sendBurst;
        private int pullRate;
        private int maxPayload;
        private int maxSessionsPerUser;
        private int maxConnectionsPerAddress;
        private int connectionRate;

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

        /** {@link ServerEngineConfig#INBOUND_FRAMES}. */
        public Builder inboundFrames(int value) {
            inboundFrames = value;
            return this;
        }

        /** {@link ServerEngineConfig#INBOUND_ENGINE_FRAMES}. */
        public Builder inboundEngineFrames(int value) {
            inboundEngineFrames = value;
            return this;
        }

        /** {@link ServerEngineConfig#INBOUND_SENDS}. */
        public Builder inboundSends(int value) {
            inboundSends = value;
            return this;
        }

        /** {@link ServerEngineConfig#RETIRE_AFTER}. */
        public Builder retireAfter(Duration value) {
            retireAfter = value;
            return this;
        }

        /** {@link ServerEngineConfig#RETENTION_SWEEP}. */
        public Builder retentionSweep(Duration value) {
            retentionSweep = value;
            return this;
        }

        /** {@link ServerEngineConfig#MAX_AGE}. */
        public Builder maxAge(Duration value) {
            maxAge = value;
            return this;
        }

        /** {@link ServerEngineConfig#MAX_COUNT}. */
        public Builder maxCount(int value) {
            maxCount = value;
            return this;
        }

        /** {@link ServerEngineConfig#SEND_RATE}. */
        public Builder sendRate(int value) {
            sendRate = value;
            return this;
        }

        /** {@link ServerEngineConfig#SEND_BURST}. */
        public Builder sendBurst(int value) {
            sendBurst = value;
            return this;
        }

        /** {@link ServerEngineConfig#PULL_RATE}. */
        public Builder pullRate(int value) {
            pullRate = value;
            return this;
        }

        /** {@link ServerEngineConfig#MAX_PAYLOAD}. */
        public Builder maxPayload(int value) {
            maxPayload = value;
            return this;
        }

        /** {@link ServerEngineConfig#MAX_SESSIONS_PER_USER}. */
        public Builder maxSessionsPerUser(int value) {
            maxSessionsPerUser = value;
            return this;
        }

        /** {@link ServerEngineConfig#MAX_CONNECTIONS_PER_ADDRESS}. */
        public Builder maxConnectionsPerAddress(int value) {
            maxConnectionsPerAddress = value;
            return this;
        }

        /** {@link ServerEngineConfig#CONNECTION_RATE}. */
        public Builder connectionRate(int value) {
            connectionRate = value;
            return this;
        }

        /** @throws InvalidOptionException naming the option that is wrong, what is allowed and the value */
        public ServerEngineConfig build() {
            return new ServerEngineConfig(heartbeat, helloTimeout, maxPendingSends, deviceIdleEviction, inboundFrames,
                    inboundEngineFrames, inboundSends, retireAfter, retentionSweep, maxAge, maxCount, sendRate, sendBurst,
                    pullRate, maxPayload, maxSessionsPerUser, maxConnectionsPerAddress, connectionRate);
        }
    }
}
