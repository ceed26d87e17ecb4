package io.imr.strategy.support;

import io.imr.api.Message;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The server's window of messages sent to a device and not yet confirmed: for each, its seq, id, when
 * it was first and last sent, how often, and when it is due to be sent again.
 *
 * <p>Rules:
 * <ul>
 *   <li><b>Bounded</b> (G7) by a count and by estimated bytes ({@link FrameBatches#estimatedBytes}):
 *       {@link #admits} says whether one more message fits. An empty window admits any one message,
 *       however large, so that a message above the byte bound can still be delivered, alone.</li>
 *   <li>A message leaves the window only by a confirmation ({@link #acknowledge}, {@link #acknowledgeRange},
 *       {@link #acknowledgeUpTo}) or by {@link #clear()} when the whole window is given up (the session
 *       ended; the inbox still holds everything).</li>
 *   <li>A seq and an id are each in the window at most once.</li>
 * </ul>
 */
public final class UnackedWindow {

    /** One unconfirmed message. Mutable only through the window, which keeps its indexes in step. */
    public static final class Entry {
        private final Message message;
        private final long bytes;
        private final long firstSent;
        private long lastSent;
        private int attempts;
        private long deadline;

        private Entry(Message message, long now, long deadline) {
            this.message = message;
            this.bytes = FrameBatches.estimatedBytes(message);
            this.firstSent = now;
            this.lastSent = now;
            this.attempts = 1;
            this.deadline = deadline;
        }

        public Message message() {
            return message;
        }

        public long seq() {
            return message.seq();
        }

        public String id() {
            return message.id();
        }

        /** How often it was sent: 1 after the first send. */
        public int attempts() {
            return attempts;
        }

        /** When it was sent first (driver time). */
        public long firstSent() {
            return firstSent;
        }

        /** When it was sent last (driver time). */
        public long lastSent() {
            return lastSent;
        }

        /** When it is due to be sent again unless confirmed (driver time). */
        public long deadline() {
            return deadline;
        }

        /** Its estimated size, as counted against the byte bound. */
        public long bytes() {
            return bytes;
        }
    }

    private static final Comparator<Entry> BY_DEADLINE = Comparator.comparingLong(Entry::deadline)
            .thenComparingLong(Entry::seq);

    private final int maxCount;
    private final long maxBytes;
    private final TreeMap<Long, Entry> bySeq = new TreeMap<>();
    private final Map<String, Long> seqById = new HashMap<>();
    private final TreeSet<Entry> byDeadline = new TreeSet<>(BY_DEADLINE);
    private long bytes;

    /**
     * @param maxCount the most messages in the window, 1 or more
     * @param maxBytes the most estimated bytes in the window, 1 or more
     * @throws IllegalArgumentException for bounds below 1
     */
    public UnackedWindow(int maxCount, long maxBytes) {
        if (maxCount < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("a window needs room for 1 or more messages and bytes, got " + maxCount
                    + " and " + maxBytes);
        }
        this.maxCount = maxCount;
        this.maxBytes = maxBytes;
    }

    /** Whether this message fits: the window is empty, or it stays within both bounds with it. */
    public boolean admits(Message message) {
        return bySeq.isEmpty()
                || (bySeq.size() < maxCount && bytes + FrameBatches.estimatedBytes(message) <= maxBytes);
    }

    /** Whether the window has room left by both bounds (some message may still fit). */
    public boolean hasRoom() {
        return bySeq.isEmpty() || (bySeq.size() < maxCount && bytes < maxBytes);
    }

    /** How many more messages the count bound allows. */
    public int countRoom() {
        return maxCount - bySeq.size();
    }

    /**
     * Puts a message that was just sent for the first time.
     *
     * @param now      when it was sent
     * @param deadline when it is due to be sent again
     * @throws IllegalArgumentException when it does not fit ({@link #admits}) or its seq or id is in the
     *                                  window already; the window is unchanged then
     */
    public Entry add(Message message, long now, long deadline) {
        if (!admits(message)) {
            throw new IllegalArgumentException("seq " + message.seq() + " does not fit the window (" + bySeq.size()
                    + " of " + maxCount + " messages, " + bytes + " of " + maxBytes + " bytes)");
        }
        if (bySeq.containsKey(message.seq()) || seqById.containsKey(message.id())) {
            throw new IllegalArgumentException("seq " + message.seq() + " (" + message.id() + ") is in the window already");
        }
        Entry entry = new Entry(message, now, deadline);
        bySeq.put(entry.seq(), entry);
        seqById.put(entry.id(), entry.seq());
        byDeadline.add(entry);
        bytes += entry.bytes;
        return entry;
    }

    /**
     * The device confirmed the message with this id.
     *
     * @return its seq, or empty for an id not in the window (nothing changes then)
     */
    public OptionalLong acknowledge(String id) {
        Long seq = seqById.get(id);
        if (seq == null) {
            return OptionalLong.empty();
        }
        remove(bySeq.get(seq));
        return OptionalLong.of(seq);
    }

    /**
     * The device confirmed every message up to and including {@code seq}.
     *
     * @return how many messages left the window
     */
    public int acknowledgeUpTo(long seq) {
        int removed = 0;
        while (!bySeq.isEmpty() && bySeq.firstKey() <= seq) {
            remove(bySeq.firstEntry().getValue());
            removed++;
        }
        return removed;
    }

    /**
     * The device confirmed the messages with seqs {@code first} to {@code last}, both included.
     *
     * @return how many messages left the window (those of the range it held)
     */
    public int acknowledgeRange(long first, long last) {
        int removed = 0;
        Map.Entry<Long, Entry> e = bySeq.ceilingEntry(first);
        while (e != null && e.getKey() <= last) {
            remove(e.getValue());
            removed++;
            e = bySeq.higherEntry(e.getKey());
        }
        return removed;
    }

    /** The entries due to be sent again at {@code now} (deadline reached), in seq order. */
    public List<Entry> due(long now) {
        List<Entry> due = new ArrayList<>();
        for (Entry e : byDeadline) {
            if (e.deadline > now) {
                break;
            }
            due.add(e);
        }
        due.sort(Comparator.comparingLong(Entry::seq));
        return due;
    }

    /**
     * Records that an entry was sent again: one more attempt, a new deadline.
     *
     * @throws IllegalArgumentException when the entry is not in this window; nothing changes then
     */
    public void resent(Entry entry, long now, long deadline) {
        if (bySeq.get(entry.seq()) != entry) {
            throw new IllegalArgumentException("seq " + entry.seq() + " is not in the window");
        }
        byDeadline.remove(entry);
        entry.attempts++;
        entry.lastSent = now;
        entry.deadline = deadline;
        byDeadline.add(entry);
    }

    /** The earliest deadline in the window, empty when the window is. */
    public OptionalLong earliestDeadline() {
        return byDeadline.isEmpty() ? OptionalLong.empty() : OptionalLong.of(byDeadline.first().deadline);
    }

    /** The entry of a seq, or null when it is not in the window. */
    public Entry get(long seq) {
        return bySeq.get(seq);
    }

    /** Whether a message of this id is in the window. */
    public boolean containsId(String id) {
        return seqById.containsKey(id);
    }

    /** The lowest seq in the window, 0 when empty. */
    public long lowestSeq() {
        return bySeq.isEmpty() ? 0 : bySeq.firstKey();
    }

    /** The highest seq in the window, 0 when empty. */
    public long highestSeq() {
        return bySeq.isEmpty() ? 0 : bySeq.lastKey();
    }

    /** Gives up every entry: for the end of a session, after which the window is rebuilt from the inbox. */
    public void clear() {
        bySeq.clear();
        seqById.clear();
        byDeadline.clear();
        bytes = 0;
    }

    public boolean isEmpty() {
        return bySeq.isEmpty();
    }

    public int size() {
        return bySeq.size();
    }

    /** The estimated bytes of the messages in the window. */
    public long bytes() {
        return bytes;
    }

    public int maxCount() {
        return maxCount;
    }

    public long maxBytes() {
        return maxBytes;
    }

    private void remove(Entry entry) {
        bySeq.remove(entry.seq());
        seqById.remove(entry.id());
        byDeadline.remove(entry);
        bytes -= entry.bytes;
    }
}
