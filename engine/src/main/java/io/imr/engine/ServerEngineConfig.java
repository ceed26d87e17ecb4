package io.imr.engine;

import java.time.Duration;

/**
 * Settings of a server engine. Immutable; {@link #DEFAULT} for the defaults, {@code with...} to
 * change one.
 *
 * @param heartbeat            the interval devices are told to ping at; a session silent for
 *                             three of them is closed as dead (half-open connections)
 * @param helloTimeout         how long a new connection may take to send its hello
 * @param maxPendingSends      sends of one session accepted but not yet committed; a session
 *                             that goes beyond is closed (bounded memory, G7)
 * @param deviceIdleEviction   how long the in-memory state of a disconnected device is kept
 *                             (its durable state is in the store either way)
 */
public record ServerEngineConfig(Duration heartbeat, Duration helloTimeout, int maxPendingSends,
                                 Duration deviceIdleEviction) {

    public static final ServerEngineConfig DEFAULT = new ServerEngineConfig(Duration.ofSeconds(10),
            Duration.ofSeconds(10), 8192, Duration.ofMinutes(5));

    public ServerEngineConfig {
        positive("heartbeat", heartbeat);
        positive("helloTimeout", helloTimeout);
        positive("deviceIdleEviction", deviceIdleEviction);
        if (maxPendingSends < 1) {
            throw new IllegalArgumentException("maxPendingSends must be 1 or more, got " + maxPendingSends);
        }
    }

    static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
    }

    public ServerEngineConfig withHeartbeat(Duration value) {
        return new ServerEngineConfig(value, helloTimeout, maxPendingSends, deviceIdleEviction);
    }

    public ServerEngineConfig withHelloTimeout(Duration value) {
        return new ServerEngineConfig(heartbeat, value, maxPendingSends, deviceIdleEviction);
    }

    public ServerEngineConfig withMaxPendingSends(int value) {
        return new ServerEngineConfig(heartbeat, helloTimeout, value, deviceIdleEviction);
    }
}
