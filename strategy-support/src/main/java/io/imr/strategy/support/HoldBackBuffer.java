package io.imr.strategy.support;

import io.imr.api.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Messages that arrived past a hole in the sequence, kept in seq order until the hole is filled: a
 * strategy never persists them before that (G3), and this buffer is how it avoids receiving them again.
 *
 * <p>Rules:
 * <ul>
 *   <li><b>Bounded</b> (G7): at most {@link #capacity()} messages. When full, the message with the
 *       highest seq, the arriving one or a held one, is dropped: the messages nearest the hole are the
 *       ones that can be persisted first, and anything dropped is recovered like any other loss.</li>
 *   <li>A seq is held at most once; an arriving copy of a held seq is reported and not stored.</li>
 *   <li><b>Gap detection</b>: a hole is reported once, when a message arrives above every seq seen
 *       since the last {@link #clear()} (and above the contiguous position) with at least one seq
 *       missing before it. A message that falls into a hole already reported is not a new gap.</li>
 * </ul>
 */
public final class HoldBackBuffer {

    /** What became of an offered message. */
    public enum Outcome {
        /** It is held now. */
        HELD,
        /** Its seq was held already; the copy was not stored. */
        ALREADY_HELD,
        /** The buffer was full and it had the highest seq: it was dropped. */
        DROPPED
    }

    /**
     * The result of {@link #offer}.
     *
     * @param outcome what became of the message
     * @param newGap  whether it revealed a hole not reported before
     * @param evicted whether a held message with a higher seq was dropped to make room for it
     */
    public record Offer(Outcome outcome, boolean newGap, boolean evicted) {
    }

    private final int capacity;
    private final TreeMap<Long, Message> bySeq = new TreeMap<>();
    private long highestSeen;

    /**
     * @param capacity the most messages held, 0 or more (0 drops everything past a hole)
     * @throws IllegalArgumentException for a negative capacity
     */
    public HoldBackBuffer(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("hold-back capacity must not be negative, got " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Holds a message that lies past a hole.
     *
     * @param message    a verified message
     * @param contiguous the highest seq the caller has without a hole (committed or accepted)
     * @throws IllegalArgumentException when the message is not past a hole ({@code seq <= contiguous + 1});
     *                                  nothing changes then
     */
    public Offer offer(Message message, long contiguous) {
        long seq = message.seq();
        if (seq <= contiguous + 1) {
            throw new IllegalArgumentException("seq " + seq + " is not past a hole after " + contiguous);
        }
        boolean newGap = seq > Math.max(highestSeen, contiguous) + 1;
        highestSeen = Math.max(highestSeen, seq);
        if (bySeq.containsKey(seq)) {
            return new Offer(Outcome.ALREADY_HELD, false, false);
        }
        if (bySeq.size() < capacity) {
            bySeq.put(seq, message);
            return new Offer(Outcome.HELD, newGap, false);
        }
        if (capacity == 0 || bySeq.lastKey() < seq) {
            return new Offer(Outcome.DROPPED, newGap, false);
        }
        bySeq.pollLastEntry();
        bySeq.put(seq, message);
        return new Offer(Outcome.HELD, newGap, true);
    }

    /**
     * Removes and returns the held messages that continue the sequence at {@code next} without a hole
     * ({@code next}, {@code next + 1}, ...). Held messages below {@code next} are stale (the caller
     * already has those seqs) and are discarded on the way.
     *
     * @return the run, in seq order, possibly empty
     */
    public List<Message> takeFrom(long next) {
        List<Message> run = new ArrayList<>();
        while (!bySeq.isEmpty() && bySeq.firstKey() < next) {
            bySeq.pollFirstEntry();
        }
        long expected = next;
        while (!bySeq.isEmpty() && bySeq.firstKey() == expected) {
            Map.Entry<Long, Message> first = bySeq.pollFirstEntry();
            run.add(first.getValue());
            expected++;
        }
        return run;
    }

    /** Drops everything held and forgets the seqs seen, so that the next hole is reported again. */
    public void clear() {
        bySeq.clear();
        highestSeen = 0;
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return bySeq.size();
    }

    public boolean isEmpty() {
        return bySeq.isEmpty();
    }

    /** The lowest seq held, 0 when empty. */
    public long lowestSeq() {
        return bySeq.isEmpty() ? 0 : bySeq.firstKey();
    }

    /** The highest seq held, 0 when empty. */
    public long highestSeq() {
        return bySeq.isEmpty() ? 0 : bySeq.lastKey();
    }

    /** The highest seq offered since the last {@link #clear()}, held or not; 0 for none. */
    public long highestSeen() {
        return highestSeen;
    }
}
