package io.imr.engine.internal;

/**
 * A token bucket: {@code rate} tokens a second, at most {@code burst} saved up, one taken per unit of work. Used
 * for per-device limits on sends and pulls. On driver time (nanoseconds), so it runs the same under the
 * simulator's virtual clock. Not thread-safe: one owner, on the engine's context.
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
