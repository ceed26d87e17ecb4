package io.imr.engine;

import java.util.HashMap;
import java.util.Map;

/**
 * How fast one device may send and pull ({@link ServerEngineConfig#sendRate()}, {@link ServerEngineConfig#pullRate()}):
 * a token bucket each, kept with the device's state in memory, so that reconnecting does not refill them. Off (always
 * allowed) when the rate is 0. On driver time. Runs on the engine's context only.
 *
 * <p>Limiting keeps each outbox's order: once a message is limited, every later message of its outbox (a higher
 * counter) is limited too until the device sends that one again and it is taken, so that a message limited and sent
 * again later is never stored after one the device sent after it. A resend of a message taken already waits for
 * nothing: it is stored once whatever happens, and its answer may reach the device before the limit's.
 */
final class DeviceLimits {

    private final TokenBucket sends;
    private final TokenBucket pulls;
    /** By outbox id: the lowest counter limited and not taken since; later ones wait behind it. */
    private final Map<String, Long> limitedFrom = new HashMap<>(2);
    /**
     * By outbox id: the highest counter taken in this session. A limited counter at or below it is a resend of one
     * taken (stored, or about to be: a commit that fails closes the session): the device may well never send it again (its answer may reach it first), so nothing waits behind
     * it, and order needs no waiting either.
     */
    private final Map<String, Long> highestTaken = new HashMap<>(2);

    DeviceLimits(ServerEngineConfig config, long nowNanos) {
        int sendBurst = config.sendBurst() > 0 ? config.sendBurst() : config.sendRate();
        this.sends = config.sendRate() == 0 ? null : new TokenBucket(config.sendRate(), Math.max(1, sendBurst), nowNanos);
        this.pulls = config.pullRate() == 0 ? null : new TokenBucket(config.pullRate(), Math.max(1, config.pullRate()),
                nowNanos);
    }

    /**
     * A new session of the device starts: what it had in flight in the last one will come again in counter order,
     * so nothing needs to wait behind a limited message any more, and nothing counts as taken (a commit that
     * failed, or a session closed for too many pending sends, took tokens for messages it did not store).
     */
    void sessionStarted() {
        limitedFrom.clear();
        highestTaken.clear();
    }

    /**
     * Decides one message of an outbox: takes its room and answers 0, or answers how many nanoseconds the device
     * should wait before it sends it again (nothing taken).
     */
    long send(String outboxId, long counter, long nowNanos) {
        if (sends == null) {
            return 0;
        }
        Long from = limitedFrom.get(outboxId);
        if (from != null && counter > from) {
            return Math.max(MIN_RETRY_NANOS, sends.untilNext(nowNanos)); // behind a limited one: the device sends that first
        }
        long wait = sends.take(nowNanos);
        if (wait > 0) {
            if (counter > highestTaken.getOrDefault(outboxId, 0L) && (from == null || counter < from)) {
                limitedFrom.put(outboxId, counter);
            }
            return Math.max(MIN_RETRY_NANOS, wait);
        }
        highestTaken.merge(outboxId, counter, Math::max);
        if (from != null && counter == from) {
            limitedFrom.remove(outboxId);
        }
        return 0;
    }

    /** The least retry delay told: a millisecond. */
    static final long MIN_RETRY_NANOS = 1_000_000;

    /** Takes one pull's room; 0 when taken, else the nanoseconds until there is room (nothing taken). */
    long pull(long nowNanos) {
        return pulls == null ? 0 : pulls.take(nowNanos);
    }
}
