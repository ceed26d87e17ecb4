package io.imr.api.store;

/**
 * Seqs of the server's sequence that a device can no longer get: the server trimmed them (retention)
 * before the device committed them, because the device was retired (not seen for the configured time)
 * or a retention by age or count removed them. The device records the range in the same commit that
 * moves its position past it, so a gap is never silent: G3 holds with an expired range counted as
 * filled.
 *
 * @param epoch the epoch of the server's sequence
 * @param from  the first seq that expired
 * @param to    the last seq that expired, {@code >= from}
 */
public record ExpiredRange(long epoch, long from, long to) {

    public ExpiredRange {
        if (epoch < 1 || from < 1 || to < from) {
            throw new IllegalArgumentException("an expired range needs epoch >= 1 and 1 <= from <= to, got epoch "
                    + epoch + ", " + from + ".." + to);
        }
    }

    /** How many seqs it covers. */
    public long count() {
        return to - from + 1;
    }

    /** Whether it holds a seq of an epoch. */
    public boolean contains(long epoch, long seq) {
        return this.epoch == epoch && seq >= from && seq <= to;
    }

    @Override
    public String toString() {
        return from + ".." + to + " (epoch " + epoch + ")";
    }
}
