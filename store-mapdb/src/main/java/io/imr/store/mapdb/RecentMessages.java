package io.imr.store.mapdb;

import io.imr.api.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The server's most recently committed messages, decoded, so that delivering a message just
 * appended reads neither MapDB nor decodes its record: at full speed the server reads back almost
 * every message it appends (the push window was full when it came), and those reads cost it a
 * tenth of its CPU.
 *
 * <p>Per user it holds every committed message from some seq on (the oldest are dropped first,
 * across all users, once {@link #maxBytes} is reached), so a read from that seq or later is
 * answered here whole, and one from before it is not answered at all and goes to MapDB. Only
 * committed messages are added (after their commit returned). Thread-safe.
 */
final class RecentMessages {

    private record Batch(String user, long firstSeq, List<Message> messages, long bytes) {
    }

    private final long maxBytes;
    private final Map<String, TreeMap<Long, Batch>> byUser = new HashMap<>();
    /** Every batch held, oldest first. */
    private final ArrayDeque<Batch> order = new ArrayDeque<>();
    private long bytes;

    RecentMessages(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Adds messages of one user just committed, in seq order, following those added before for that
     * user (the user's messages are appended in seq order).
     */
    synchronized void add(String user, List<Message> messages) {
        if (messages.isEmpty() || maxBytes <= 0) {
            return;
        }
        long size = 0;
        for (Message m : messages) {
            size += MessageBatchCodec.estimatedSize(m) + 64;
        }
        Batch b = new Batch(user, messages.get(0).seq(), List.copyOf(messages), size);
        TreeMap<Long, Batch> batches = byUser.computeIfAbsent(user, u -> new TreeMap<>());
        if (!batches.isEmpty() && batches.lastKey() >= b.firstSeq()) {
            // Not after the last one (a new generation renumbered the inbox, say): start over for the user.
            drop(user);
            batches = byUser.computeIfAbsent(user, u -> new TreeMap<>());
        }
        batches.put(b.firstSeq(), b);
        order.addLast(b);
        bytes += size;
        while (bytes > maxBytes && !order.isEmpty()) {
            Batch oldest = order.pollFirst();
            TreeMap<Long, Batch> of = byUser.get(oldest.user());
            if (of != null && of.remove(oldest.firstSeq(), oldest)) {
                bytes -= oldest.bytes();
                if (of.isEmpty()) {
                    byUser.remove(oldest.user());
                }
            }
        }
    }

    /**
     * Up to {@code limit} messages of the user from {@code fromSeq} on, as MapDB would answer, or
     * null if they are not all held here (some may be older than what is held).
     */
    synchronized List<Message> read(String user, long fromSeq, int limit) {
        TreeMap<Long, Batch> batches = byUser.get(user);
        if (batches == null || batches.isEmpty() || fromSeq < batches.firstKey()) {
            return null;
        }
        List<Message> out = new ArrayList<>(Math.min(limit, 1024));
        Long start = batches.floorKey(fromSeq);
        for (Batch b : batches.tailMap(start, true).values()) {
            for (Message m : b.messages()) {
                if (out.size() >= limit) {
                    return out;
                }
                if (m.seq() >= fromSeq) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    /** Forgets a user's messages below a seq (trimmed): a read from below what is left goes to MapDB. */
    synchronized void trim(String user, long below) {
        TreeMap<Long, Batch> batches = byUser.get(user);
        if (batches != null && !batches.isEmpty() && batches.firstKey() < below) {
            drop(user);
        }
    }

    /** Forgets everything (after a failed commit the store reloads from disk). */
    synchronized void clear() {
        byUser.clear();
        order.clear();
        bytes = 0;
    }

    synchronized long bytes() {
        return bytes;
    }

    private void drop(String user) {
        TreeMap<Long, Batch> batches = byUser.remove(user);
        if (batches != null) {
            for (Batch b : batches.values()) {
                bytes -= b.bytes();
            }
            order.removeIf(b -> b.user().equals(user));
        }
    }
}
