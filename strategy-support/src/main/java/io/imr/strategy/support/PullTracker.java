package io.imr.strategy.support;

import io.imr.api.frame.Frame;
import io.imr.api.strategy.Action;
import java.util.Optional;

/**
 * A client's pulls: at most one outstanding at a time, so that a bad link cannot cause a refetch
 * storm. A pull asked for while one is outstanding is merged into it (its answer, and the next page
 * pulled after it, cover what was wanted); an outstanding pull whose answer has not come within the
 * timeout is taken as lost, and the next request goes out.
 *
 * <p>Pulls are paged: each asks for at most one page, and whoever reads the answer decides whether to
 * pull the next page ({@link #answered} says whether the answer was a full page).
 */
public final class PullTracker {

    /**
     * A pull that was sent and not answered yet.
     *
     * @param fromSeq the first seq asked for
     * @param limit   the most messages asked for
     * @param sentAt  when it was asked for (driver time)
     */
    public record Outstanding(long fromSeq, int limit, long sentAt) {
    }

    private final int page;
    private final long timeoutNanos;
    private Outstanding outstanding;

    /**
     * @param page         the most messages one pull asks for, 1 to {@link Frame#MAX_BATCH}
     * @param timeoutNanos after how long an unanswered pull counts as lost, 1 or more
     * @throws IllegalArgumentException for values out of range
     */
    public PullTracker(int page, long timeoutNanos) {
        if (page < 1 || page > Frame.MAX_BATCH) {
            throw new IllegalArgumentException("a pull page must be 1 to " + Frame.MAX_BATCH + " messages, got " + page);
        }
        if (timeoutNanos < 1) {
            throw new IllegalArgumentException("a pull timeout must be positive, got " + timeoutNanos);
        }
        this.page = page;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * A pull of one page from {@code fromSeq}, unless one is outstanding and not timed out.
     *
     * @return the pull to put out, or empty when it is merged into the outstanding one
     */
    public Optional<Action.PullRange> request(long fromSeq, long now) {
        return request(fromSeq, page, now);
    }

    /**
     * A pull of at most {@code limit} (and at most a page) from {@code fromSeq}, unless one is
     * outstanding and not timed out.
     *
     * @return the pull to put out, or empty when it is merged into the outstanding one
     * @throws IllegalArgumentException for {@code fromSeq} or {@code limit} below 1
     */
    public Optional<Action.PullRange> request(long fromSeq, int limit, long now) {
        return request(fromSeq, limit, fromSeq - 1, now);
    }

    /**
     * A pull of at most {@code limit} (and at most a page) from {@code fromSeq}, telling the server that
     * everything up to {@code committed} is committed, unless one is outstanding and not timed out.
     *
     * @return the pull to put out, or empty when it is merged into the outstanding one
     * @throws IllegalArgumentException for {@code fromSeq} or {@code limit} below 1, or {@code committed} not
     *                                  below {@code fromSeq}
     */
    public Optional<Action.PullRange> request(long fromSeq, int limit, long committed, long now) {
        if (limit < 1) {
            throw new IllegalArgumentException("a pull needs a limit of 1 or more, got " + limit);
        }
        if (outstanding != null && now - outstanding.sentAt() < timeoutNanos) {
            return Optional.empty();
        }
        Action.PullRange pull = new Action.PullRange(fromSeq, Math.min(limit, page), committed);
        outstanding = new Outstanding(fromSeq, pull.limit(), now);
        return Optional.of(pull);
    }

    /**
     * A {@code PullResult} for {@code fromSeq} arrived.
     *
     * @param fromSeq  the result's fromSeq
     * @param received how many messages it carried
     * @return whether it answered the outstanding pull with a full page, so that more may wait on the
     *         server; false also for an answer to no outstanding pull (a late answer to a pull that
     *         timed out, or a duplicate)
     */
    public boolean answered(long fromSeq, int received) {
        if (outstanding == null || outstanding.fromSeq() != fromSeq) {
            return false;
        }
        boolean full = received >= outstanding.limit();
        outstanding = null;
        return full;
    }

    /** Forgets the outstanding pull (the session ended, or its answer would be stale). */
    public void reset() {
        outstanding = null;
    }

    /** The outstanding pull, if any (timed out or not). */
    public Optional<Outstanding> outstanding() {
        return Optional.ofNullable(outstanding);
    }

    public int page() {
        return page;
    }
}
