package io.imr.strategy.support;

/**
 * Exponential backoff with a cap and jitter, for retransmits and retries.
 *
 * <p>The base delay of attempt {@code n} (from 1) is {@code initial * 2^(n-1)}, capped at {@code max}.
 * The delay actually used spreads the base by up to {@code ±jitter} of itself, uniformly, using a
 * random draw the caller takes from the driver's event ({@link io.imr.api.strategy.Event#random()}):
 * so many devices that lost their connection at the same moment do not retransmit in lock-step, and a
 * run replays exactly from its seed (the same draw always gives the same delay).
 *
 * <p>Jitter is applied after the cap on purpose: delays that reached the cap stay spread out too, so a
 * capped delay may exceed {@code max} by up to {@code jitter * max}.
 */
public final class Backoff {

    /** The jitter strategies use unless they say otherwise: ±20%. */
    public static final double DEFAULT_JITTER = 0.2;

    private final long initialNanos;
    private final long maxNanos;
    private final double jitter;

    /**
     * @param initialNanos the base delay of the first attempt, 1 or more
     * @param maxNanos     the cap of the base delay, not below {@code initialNanos}
     * @param jitter       the spread, a fraction from 0 to 1 exclusive
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public Backoff(long initialNanos, long maxNanos, double jitter) {
        if (initialNanos < 1) {
            throw new IllegalArgumentException("backoff initial delay must be positive, got " + initialNanos + "ns");
        }
        if (maxNanos < initialNanos) {
            throw new IllegalArgumentException("backoff maximum " + maxNanos + "ns must not be below its initial delay "
                    + initialNanos + "ns");
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("backoff jitter must be from 0 to below 1, got " + jitter);
        }
        this.initialNanos = initialNanos;
        this.maxNanos = maxNanos;
        this.jitter = jitter;
    }

    /**
     * The base delay of an attempt, before jitter: doubles with each attempt, capped.
     *
     * @param attempt 1 for the first send, 2 for the first resend, ...
     * @throws IllegalArgumentException for an attempt below 1
     */
    public long baseDelay(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts count from 1, got " + attempt);
        }
        // Doubling past 62 bits would overflow; by then the cap has long been reached.
        if (attempt - 1 >= 62 || initialNanos > (maxNanos >> (attempt - 1))) {
            return maxNanos;
        }
        return Math.min(maxNanos, initialNanos << (attempt - 1));
    }

    /**
     * The delay to wait after an attempt: the base delay spread by the jitter.
     *
     * @param attempt 1 for the first send, 2 for the first resend, ...
     * @param random  a uniformly random 64-bit draw from the driver
     * @return a delay in [base * (1 - jitter), base * (1 + jitter)], at least 1 ns
     */
    public long delay(int attempt, long random) {
        long base = baseDelay(attempt);
        double factor = 1 + jitter * (2 * unit(random) - 1);
        return Math.max(1, Math.round(base * factor));
    }

    /** A uniformly distributed number in [0, 1) made from the top 53 bits of a 64-bit draw. */
    public static double unit(long random) {
        return (random >>> 11) * 0x1.0p-53;
    }

    public long initialNanos() {
        return initialNanos;
    }

    public long maxNanos() {
        return maxNanos;
    }

    public double jitter() {
        return jitter;
    }
}
