package io.imr.api.frame;

import java.util.List;

/**
 * The device committed the messages with these seqs of the server's numbering (the {@code ack}
 * strategy's confirmation). Sent only after the commit that stored them returned (G5).
 *
 * @param epoch  the epoch of the seqs, 1 or more
 * @param ranges 1 to {@link Frame#MAX_RANGES} ranges of seqs, in increasing order, none overlapping
 *               another
 */
public record Ack(long epoch, List<Range> ranges) implements Frame {

    /**
     * The seqs {@code first .. last}, both included.
     *
     * @param first the first seq, 1 or more
     * @param last  the last seq, at least {@code first}
     */
    public record Range(long first, long last) {

        public Range {
            Checks.positive("ack.ranges[]", "first", first);
            if (last < first) {
                throw new IllegalArgumentException("ack.ranges[].last must be at least first (" + first + "), got "
                        + last);
            }
        }

        /** How many seqs the range holds. */
        public long count() {
            return last - first + 1;
        }
    }

    public Ack {
        Checks.positive("ack", "epoch", epoch);
        ranges = Checks.list("ack", "ranges", ranges, MAX_RANGES);
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("ack.ranges must hold at least one range");
        }
        long previous = 0;
        for (Range r : ranges) {
            if (r.first() <= previous) {
                throw new IllegalArgumentException("ack.ranges must be in increasing seq without overlap, got "
                        + r.first() + ".." + r.last() + " after one ending at " + previous);
            }
            previous = r.last();
        }
    }

    /** Acks one range of one epoch. */
    public static Ack of(long epoch, long first, long last) {
        return new Ack(epoch, List.of(new Range(first, last)));
    }

    @Override
    public String type() {
        return "ack";
    }
}
