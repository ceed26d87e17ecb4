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

    /** At most this many ranges are kept by a device store; the oldest are dropped first. */
    public static final int MAX_KEPT = 256;

    /**
     * The ranges a store keeps after recording one more: joined to the last when it continues or overlaps it in the
     * same epoch, else after it; at most {@link #MAX_KEPT}, the oldest dropped.
     */
    public static java.util.List<ExpiredRange> recorded(java.util.List<ExpiredRange> ranges, ExpiredRange added) {
        java.util.List<ExpiredRange> out = new java.util.ArrayList<>(ranges);
        ExpiredRange last = out.isEmpty() ? null : out.get(out.size() - 1);
        if (last != null && last.epoch() == added.epoch() && added.from() <= last.to() + 1 && added.to() >= last.from() - 1) {
            out.set(out.size() - 1, new ExpiredRange(added.epoch(), Math.min(last.from(), added.from()),
                    Math.max(last.to(), added.to())));
        } else {
            out.add(added);
        }
        while (out.size() > MAX_KEPT) {
            out.remove(0);
        }
        return java.util.List.copyOf(out);
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
