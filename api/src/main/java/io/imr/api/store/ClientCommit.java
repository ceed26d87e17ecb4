package io.imr.api.store;

import io.imr.api.Message;
import java.util.List;

/**
 * What one atomic commit of a device's store holds. Any part may be empty; a commit with
 * messages always moves the cursor with them, in the same transaction (never one without the
 * other).
 *
 * @param rebase        a new epoch and the cursor to continue from in it (G10), applied before
 *                      the messages, or null for none
 * @param messages      messages that follow the cursor without a hole, in seq order, all to the
 *                      store's user, all of the current epoch (after the rebase, if any)
 * @param handedOver    the seq up to which messages were now handed to the listener, or -1 to
 *                      leave it; never above the cursor, never moving back
 * @param outboxAdd     new sends, with counters above every counter used before
 * @param outboxRemove  counters of sends the server confirmed; unknown counters are ignored
 */
public record ClientCommit(Rebase rebase, List<Message> messages, long handedOver, List<OutboxEntry> outboxAdd,
                           List<Long> outboxRemove) {

    public ClientCommit {
        messages = List.copyOf(messages);
        outboxAdd = List.copyOf(outboxAdd);
        outboxRemove = List.copyOf(outboxRemove);
        if (handedOver < -1) {
            throw new IllegalArgumentException("handedOver must be -1 (unchanged) or a seq, got " + handedOver);
        }
    }

    /** A commit of received messages. */
    public static ClientCommit messages(List<Message> messages) {
        return new ClientCommit(null, messages, -1, List.of(), List.of());
    }

    /** A commit that records the hand-over to the listener up to a seq. */
    public static ClientCommit handedOver(long seq) {
        return new ClientCommit(null, List.of(), seq, List.of(), List.of());
    }

    /** A commit that puts sends into the outbox. */
    public static ClientCommit enqueue(List<OutboxEntry> entries) {
        return new ClientCommit(null, List.of(), -1, entries, List.of());
    }

    /** A commit that removes confirmed sends from the outbox. */
    public static ClientCommit confirmed(List<Long> counters) {
        return new ClientCommit(null, List.of(), -1, List.of(), counters);
    }

    /** Whether the commit changes nothing. */
    public boolean isEmpty() {
        return rebase == null && messages.isEmpty() && handedOver == -1 && outboxAdd.isEmpty() && outboxRemove.isEmpty();
    }

    /**
     * A new epoch of the user's sequence (G10).
     *
     * @param epoch      the new epoch, above the store's
     * @param cursor     the cursor to continue from in it, not below the store's
     * @param idAtCursor the id of the message at that cursor, or empty
     */
    public record Rebase(long epoch, long cursor, String idAtCursor) {
        public Rebase {
            if (epoch < 1 || cursor < 0 || idAtCursor == null) {
                throw new IllegalArgumentException("rebase needs epoch >= 1, cursor >= 0 and an id (may be empty)");
            }
        }
    }
}
