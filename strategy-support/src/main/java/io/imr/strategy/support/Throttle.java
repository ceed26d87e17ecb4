package io.imr.strategy.support;

/**
 * Lets something happen at most once per interval of the driver's time (for example a
 * {@code Notify} frame, so that a burst of appends costs one frame, not one per message).
 *
 * <p>A throttle only says "now" or "not before {@link #nextAllowed()}"; whoever uses it arms a timer
 * for that moment when what it wanted to send must still go out eventually.
 */
public final class Throttle {

    private final long intervalNanos;
    private boolean used;
    private long last;

    /**
     * @param intervalNanos the least time between two permitted actions, 0 or more
     * @throws IllegalArgumentException for a negative interval
     */
    public Throttle(long intervalNanos) {
        if (intervalNanos < 0) {
            throw new IllegalArgumentException("throttle interval must not be negative, got " + intervalNanos);
        }
        this.intervalNanos = intervalNanos;
    }

    /**
     * Whether the action may happen now; if so, the interval starts again from {@code now}.
     *
     * @param now the driver's monotonic time, in nanoseconds
     */
    public boolean tryAcquire(long now) {
        if (used && now - last < intervalNanos) {
            return false;
        }
        used = true;
        last = now;
        return true;
    }

    /** The earliest time at which {@link #tryAcquire} succeeds; {@code now} works when never used. */
    public long nextAllowed(long now) {
        return used ? Math.max(now, last + intervalNanos) : now;
    }

    /** Forgets the last action: the next one is permitted at once. */
    public void reset() {
        used = false;
    }
}
