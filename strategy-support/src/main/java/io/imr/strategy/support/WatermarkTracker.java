package io.imr.strategy.support;

/**
 * A device's confirmed watermark on the server (the highest seq up to which it confirmed every
 * message) and its persistence: at most one commit of it runs, and a new one is asked for only when
 * the watermark advanced beyond what is persisted or being persisted.
 *
 * <p>Rules: the watermark never moves back (within one epoch; {@link #reset} starts another). After a
 * failed commit nothing was persisted: the next {@link #needsPersist()} asks again for the current
 * watermark.
 */
public final class WatermarkTracker {

    private long epoch;
    private long confirmed;
    private long persisted;
    private long inFlightToken;
    private long inFlightValue;

    /** Starts over (a new epoch, or a new instance): the watermark is {@code confirmed}, nothing persisted. */
    public void reset(long confirmed) {
        if (confirmed < 0) {
            throw new IllegalArgumentException("a watermark must not be negative, got " + confirmed);
        }
        this.confirmed = confirmed;
        this.persisted = 0;
        this.inFlightToken = 0;
        this.inFlightValue = 0;
    }

    /**
     * Starts from what the store keeps of the device: this watermark of this epoch, persisted already
     * (0 and 0 for a device never seen).
     */
    public void restore(long epoch, long persisted) {
        if (epoch < 0) {
            throw new IllegalArgumentException("an epoch must not be negative, got " + epoch);
        }
        reset(persisted);
        this.epoch = epoch;
        this.persisted = persisted;
    }

    /**
     * A session of the device started at this committed cursor of this epoch. In another epoch the
     * watermark starts over from the cursor (nothing of that epoch is persisted). In the same epoch the
     * device's cursor is what it holds: the watermark follows it up, and also down when the device holds
     * less than it once confirmed (its store was lost or restored), so that what it lacks is sent again;
     * a watermark persisted higher stays as it is in the store (it never moves back there).
     *
     * @return the watermark now
     */
    public long connected(long epoch, long cursor) {
        if (cursor < 0) {
            throw new IllegalArgumentException("a cursor must not be negative, got " + cursor);
        }
        if (epoch != this.epoch) {
            reset(cursor);
            this.epoch = epoch;
        } else {
            confirmed = cursor;
        }
        return confirmed;
    }

    /** The epoch the watermark counts in, 0 before any. */
    public long epoch() {
        return epoch;
    }

    /**
     * The device confirmed everything up to {@code seq}.
     *
     * @return whether the watermark moved
     */
    public boolean advanceTo(long seq) {
        if (seq <= confirmed) {
            return false;
        }
        confirmed = seq;
        return true;
    }

    /** Whether a commit should start: none is running and the watermark is above the persisted one. */
    public boolean needsPersist() {
        return inFlightToken == 0 && confirmed > persisted;
    }

    /**
     * A commit of the current watermark starts.
     *
     * @param token the commit's token, not 0
     * @return the watermark being persisted
     * @throws IllegalStateException    when {@link #needsPersist()} is false; nothing changes then
     * @throws IllegalArgumentException for token 0; nothing changes then
     */
    public long startPersist(long token) {
        if (!needsPersist()) {
            throw new IllegalStateException("nothing to persist: watermark " + confirmed + ", persisted " + persisted
                    + (inFlightToken != 0 ? ", a commit is running" : ""));
        }
        if (token == 0) {
            throw new IllegalArgumentException("token 0 means none");
        }
        inFlightToken = token;
        inFlightValue = confirmed;
        return confirmed;
    }

    /**
     * The commit of this token returned.
     *
     * @return whether it was the running one (any other token changes nothing)
     */
    public boolean done(long token) {
        if (token == 0 || token != inFlightToken) {
            return false;
        }
        persisted = Math.max(persisted, inFlightValue);
        inFlightToken = 0;
        return true;
    }

    /**
     * The commit of this token failed: nothing was persisted; the next {@link #needsPersist()} asks again.
     *
     * @return whether it was the running one (any other token changes nothing)
     */
    public boolean failed(long token) {
        if (token == 0 || token != inFlightToken) {
            return false;
        }
        inFlightToken = 0;
        return true;
    }

    /**
     * persist: puts one {@code PersistWatermark} of the current watermark when it advanced beyond the
     * persisted one, no commit of it runs, and an epoch is known.
     */
    public void persist(TokenSource tokens, io.imr.api.strategy.ServerActions out) {
        if (epoch >= 1 && needsPersist()) {
            long token = tokens.next();
            out.persistWatermark(token, epoch, startPersist(token));
        }
    }

    /** The confirmed watermark. */
    public long confirmed() {
        return confirmed;
    }

    /** The highest watermark whose commit returned. */
    public long persisted() {
        return persisted;
    }

    /** Whether a commit of the watermark is running. */
    public boolean persisting() {
        return inFlightToken != 0;
    }
}
