package io.imr.engine;

import java.util.concurrent.atomic.AtomicInteger;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The limits of each network address: connections open at once ({@link ServerEngineConfig#maxConnectionsPerAddress()};
 * a connection is let in while its address has fewer than the maximum open, and counted out when it closes) and new
 * connections a second ({@link ServerEngineConfig#connectionRate()}, a token bucket of one second's worth per
 * address). Thread-safe: transports accept and close from any thread. An address with none open is forgotten, and
 * so is a bucket that has filled up again (swept every {@link #SWEEP_EVERY} new connections): memory stays bounded
 * by the addresses active in the last second or so.
 */
final class AddressLimit {

    /** New connections between two sweeps of the buckets. */
    static final int SWEEP_EVERY = 4096;

    private final int max;
    private final int rate;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final AtomicInteger sinceSweep = new AtomicInteger();

    /**
     * @param max  connections per address; 0 for no limit
     * @param rate new connections a second per address; 0 for no limit
     */
    AddressLimit(int max, int rate) {
        this.max = max;
        this.rate = rate;
    }

    /**
     * Takes a new connection of {@code host} from its address's bucket.
     *
     * @return 0 when it may go on; else nanoseconds until its address may open another (nothing taken)
     */
    long admit(String host, long nowNanos) {
        if (rate == 0 || host.isEmpty()) {
            return 0;
        }
        if (sinceSweep.incrementAndGet() >= SWEEP_EVERY) {
            sinceSweep.set(0);
            buckets.entrySet().removeIf(e -> {
                synchronized (e.getValue()) {
                    return e.getValue().isFull(nowNanos);
                }
            });
        }
        long[] wait = new long[1];
        buckets.compute(host, (h, b) -> {
            TokenBucket bucket = b != null ? b : new TokenBucket(rate, rate, nowNanos);
            synchronized (bucket) {
                wait[0] = bucket.take(nowNanos);
            }
            return bucket;
        });
        return wait[0];
    }

    /** Addresses with a bucket now (for tests: the sweep bounds them). */
    int buckets() {
        return buckets.size();
    }

    /** Counts a new connection of {@code host} in; false (nothing counted) when its address has the maximum open. */
    boolean enter(String host) {
        if (max == 0 || host.isEmpty()) {
            return true;
        }
        boolean[] in = new boolean[1];
        open.compute(host, (h, n) -> {
            int now = n == null ? 0 : n;
            in[0] = now < max;
            return in[0] ? now + 1 : now;
        });
        return in[0];
    }

    /** A connection {@link #enter} let in closed. */
    void leave(String host) {
        if (max == 0 || host.isEmpty()) {
            return;
        }
        open.computeIfPresent(host, (h, n) -> n <= 1 ? null : n - 1);
    }

    /** Connections of {@code host} open now. */
    int open(String host) {
        return open.getOrDefault(host, 0);
    }
}
