package io.imr.api.store;

import io.imr.api.Message;
import java.util.List;

/**
 * What one atomic commit of a device's store holds. Any part may be empty; a commit with
 * messages always moves the cursors with them, in the same transaction (never one without the
 * other).
 *
 * <p>Messages are given as the server sent them, in its numbering. The store keeps each message id at
 * most once (G2): a message whose id it holds already is not stored again (it was stored before a
 * server store went back, G10); the others are stored after the store's own last message, numbered
 * on from its cursor in its own epoch. Either way the server position moves to the last message.
 *
 * @param rebase        where the server starts the device's numbering (G10: it could not vouch for the
 *                      device's position, or starts a device new to it after the first message it holds),
 *                      applied before the messages, or null for none
 * @param serverStore   the generation of the server store whose session delivered the messages (see
 *                      {@link ClientState.ServerPosition#store()}); empty exactly when there are none
 * @param messages      messages that follow the server position without a hole, in the server's seq order,
 *                      all to the store's user, all of the position's epoch (after the rebase, if any)
 * @param handedOver    the seq up to which messages were now handed to the listener, or -1 to
 *                      leave it; never above the cursor, never moving back
 * @param outboxAdd     new sends, with counters above every counter used before
 * @param outboxRemove  counters of sends the server confirmed; unknown counters are ignored
 */
public record ClientCommit(Rebase rebase, String serverStore, List<Message> messages, long handedOver,
                           List<OutboxEntry> outboxAdd, List<Long> outboxRemove) {

    public ClientCommit {
        if (serverStore == null || serverStore.isEmpty() != messages.isEmpty()) {
            throw new IllegalArgumentException("a commit names the server store exactly when it has messages");
        }
        messages = List.copyOf(messages);
        outboxAdd = List.copyOf(outboxAdd);
        outboxRemove = List.copyOf(outboxRemove);
        if (handedOver < -1) {
            throw new IllegalArgumentException("handedOver must be -1 (unchanged) or a seq, got " + handedOver);
        }
    }

    /** A commit of received messages, sent in a session of this server store generation. */
    public static ClientCommit messages(String serverStore, List<Message> messages) {
        return new ClientCommit(null, messages.isEmpty() ? "" : serverStore, messages, -1, List.of(), List.of());
    }

    /** A commit that sets the device's position in the server's numbering (G10). */
    public static ClientCommit rebase(Rebase rebase) {
        return new ClientCommit(rebase, "", List.of(), -1, List.of(), List.of());
    }

    /** A commit that records the hand-over to the listener up to a seq (of the device's own numbering). */
    public static ClientCommit handedOver(long seq) {
        return new ClientCommit(null, "", List.of(), seq, List.of(), List.of());
    }

    /** A commit that puts sends into the outbox. */
    public static ClientCommit enqueue(List<OutboxEntry> entries) {
        return new ClientCommit(null, "", List.of(), -1, entries, List.of());
    }

    /** A commit that removes confirmed sends from the outbox. */
    public static ClientCommit confirmed(List<Long> counters) {
        return new ClientCommit(null, "", List.of(), -1, List.of(), counters);
    }

    /** Whether the commit changes nothing. */
    public boolean isEmpty() {
        return rebase == null && messages.isEmpty() && handedOver == -1 && outboxAdd.isEmpty() && outboxRemove.isEmpty();
    }

    /**
     * The device's position in the server's numbering, set by the server (G10). The device's own messages
     * and numbering are not touched.
     *
     * @param serverStore the generation of the server store that set it
     * @param epoch       the epoch of the server's sequence
     * @param cursor      the seq after which the server serves the device
     * @param expired     the seqs the device had not committed that the server no longer holds (it moved its
     *                    position past them: the server trimmed them), recorded with the position; null for none
     */
    public record Rebase(String serverStore, long epoch, long cursor, ExpiredRange expired) {
        public Rebase {
            if (serverStore == null || serverStore.isEmpty() || epoch < 1 || cursor < 0) {
                throw new IllegalArgumentException("rebase needs a server store, epoch >= 1 and cursor >= 0");
            }
            if (expired != null && (expired.epoch() != epoch || expired.to() != cursor)) {
                throw new IllegalArgumentException("an expired range ends at the rebase's cursor, in its epoch: "
                        + expired + " with cursor " + cursor + " of epoch " + epoch);
            }
        }

        /** A rebase with nothing expired. */
        public Rebase(String serverStore, long epoch, long cursor) {
            this(serverStore, epoch, cursor, null);
        }

        /** The position it sets. */
        public ClientState.ServerPosition position() {
            return cursor == 0 ? new ClientState.ServerPosition(serverStore, epoch, 0, "")
                    : new ClientState.ServerPosition(serverStore, epoch, cursor, "");
        }
    }
}
