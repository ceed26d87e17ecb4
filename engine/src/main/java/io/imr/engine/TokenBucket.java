package io.imr.engine;

/**
 * A token bucket: {@code rate} tokens a second, at most {@code burst} saved up, one taken per unit of work. Used
 * for per-device limits on sends and pulls, per-address limits on new connections, and by transports for their
 * per-connection frame rate. On the caller's clock in nanoseconds (the engine's runs under the simulator's virtual
 * one). Not thread-safe: one owner (the engine's context, a connection's event loop) or a lock.
 */
public final class TokenBucket {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long at;

    /**
     * @param ratePerSecond tokens added a second, above 0
     * @param burst         the most tokens saved up, at least 1; the bucket starts full
     */
    public TokenBucket(double ratePerSecond, double burst, long nowNanos) {
        if (!(ratePerSecond > 0) || !(burst >= 1)) {
            throw new IllegalArgumentException("a token bucket needs a rate above 0 and a burst of at least 1, got "
                    + ratePerSecond + " and " + burst);
        }
        this.perNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.at = nowNanos;
    }

    /** How long, in nanoseconds, until a token is there: 0 when one is; takes nothing. */
    public long untilNext(long nowNanos) {
        double now = nowNanos > at ? Math.min(burst, tokens + (nowNanos - at) * perNano) : tokens;
        return now >= 1 ? 0 : Math.max(1, (long) Math.ceil((1 - now) / perNano));
    }

    /**
     * Takes one token whether or not there is one: the bucket may go into debt, which the rate then pays back before
     * {@link #untilNext} says a token is there. For work already done (frames already read), so that the average
     * stays at the rate.
     */
    public void charge(long nowNanos) {
        if (nowNanos > at) {
            tokens = Math.min(burst, tokens + (nowNanos - at) * perNano);
            at = nowNanos;
        }
        tokens -= 1;
    }

    /** Whether the bucket is full again: as if it had never been used (its owner may forget it). */
    public boolean isFull(long nowNanos) {
        return (nowNanos > at ? tokens + (nowNanos - at) * perNano : tokens) >= burst;
    }

    /**
     * Takes one token if there is one.
     *
     * @return 0 when taken; else how long, in nanoseconds, until one is there (nothing was taken)
     */
    public long take(long nowNanos) {
        if (nowNanos > at) {
            tokens = Math.min(burst, tokens + (nowNanos - at) * perNano);
            at = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / perNano));
    }
}
