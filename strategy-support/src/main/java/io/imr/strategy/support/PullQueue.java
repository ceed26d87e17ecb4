package io.imr.strategy.support;

import io.imr.api.frame.Frame;
import io.imr.api.frame.Pull;
import java.util.Optional;

/**
 * The server's pulls of one device: at most a fixed number of inbox reads outstanding for them, and
 * one waiting pull into which further pulls are merged, so memory stays bounded (G7) whatever the
 * device sends, and nothing a pull asked for is refused.
 *
 * <p>Merging keeps the lowest {@code fromSeq} (above the higher committed cursor) and stretches the limit
 * to cover the union of the two ranges, up to {@link Frame#MAX_BATCH}. A device pulls from its contiguous position, so the lowest
 * start is what it needs first; whatever lies beyond one answer it pulls again, page by page.
 */
public final class PullQueue {

    private final int maxOutstanding;
    private int outstanding;
    private Pull waiting;

    /**
     * @param maxOutstanding the most reads outstanding for pulls, 1 or more
     * @throws IllegalArgumentException for a bound below 1
     */
    public PullQueue(int maxOutstanding) {
        if (maxOutstanding < 1) {
            throw new IllegalArgumentException("outstanding pulls must be bounded by 1 or more, got " + maxOutstanding);
        }
        this.maxOutstanding = maxOutstanding;
    }

    /**
     * A pull arrived.
     *
     * @return the pull to read for now (counted as outstanding), or empty when the limit is reached and
     *         it was merged into the waiting pull
     */
    public Optional<Pull> admit(Pull pull) {
        if (outstanding < maxOutstanding) {
            outstanding++;
            return Optional.of(pull);
        }
        waiting = waiting == null ? pull : merge(waiting, pull);
        return Optional.empty();
    }

    /**
     * The read of an outstanding pull was answered.
     *
     * @return the waiting pull to read for now (counted as outstanding), if there is one
     */
    public Optional<Pull> completed() {
        if (outstanding > 0) {
            outstanding--;
        }
        if (waiting == null) {
            return Optional.empty();
        }
        Pull next = waiting;
        waiting = null;
        outstanding++;
        return Optional.of(next);
    }

    /** Forgets every outstanding and waiting pull (the session ended; their answers are not sent). */
    public void clear() {
        outstanding = 0;
        waiting = null;
    }

    public int outstanding() {
        return outstanding;
    }

    /** The pull waiting for a free slot, if any. */
    public Optional<Pull> waiting() {
        return Optional.ofNullable(waiting);
    }

    /**
     * One pull covering both, from the lower start, as far as one pull may reach, with the higher committed
     * cursor (a device's only grows within a session): what lies at or below it is not asked for again.
     */
    static Pull merge(Pull a, Pull b) {
        long committed = Math.max(a.committed(), b.committed());
        long from = Math.max(Math.min(a.fromSeq(), b.fromSeq()), committed + 1);
        long end = Math.max(a.fromSeq() + a.limit(), b.fromSeq() + b.limit());
        return new Pull(from, (int) Math.min(Frame.MAX_BATCH, end - from), committed);
    }
}
