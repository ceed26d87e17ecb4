package io.imr.api.store;

import java.util.List;

/**
 * The committed state of a device's store: what a commit that returned left behind.
 *
 * <p>A device numbers the messages it holds itself: {@code firstSeq..cursor}, contiguous (G3), each message
 * id at most once (G2). Its position in the server's numbering is kept apart ({@link #server()}), because
 * the two part when the server's store goes back (restored from an older copy) or is another one: the
 * device then keeps what it holds, recognises by id what the server sends again, and stores the rest after
 * its own last message (G10).
 *
 * @param user        the device's user (fixed when the store was created)
 * @param device      the device (fixed when the store was created)
 * @param outboxId    a random id made when the store was created; prefixes the client ids of its sends
 * @param epoch       the epoch of the device's own numbering, 0 before the first message
 * @param cursor      the seq, in the device's own numbering, of the last message held, 0 for none
 * @param idAtCursor  the id of the message at the cursor, empty for none
 * @param firstSeq    the seq of the first message held, 0 for none
 * @param count       how many messages are held
 * @param handedOver  the seq up to which messages were handed to the application's listener
 * @param lastCounter the highest outbox counter ever used, 0 for none
 * @param outboxSize  how many sends wait for the server's confirmation
 * @param server      where the device stands in the server's numbering ({@code LastReceivedSeqID})
 * @param incarnation how many times the store was opened, this opening included (0 for a store that counts
 *                    no openings)
 * @param expired     the ranges of the server's sequence the device could no longer get when it came back
 *                    (the server had trimmed them), oldest first: recorded in the commit that moved the server
 *                    position past them, never a silent gap
 */
public record ClientState(String user, String device, String outboxId, long epoch, long cursor, String idAtCursor,
                          long firstSeq, long count, long handedOver, long lastCounter, int outboxSize,
                          ServerPosition server, long incarnation, List<ExpiredRange> expired) {

    public ClientState {
        if (server == null) {
            throw new IllegalArgumentException("server position must not be null (ServerPosition.NONE for none)");
        }
        expired = List.copyOf(expired);
    }

    /** A state with no expired range. */
    public ClientState(String user, String device, String outboxId, long epoch, long cursor, String idAtCursor,
                       long firstSeq, long count, long handedOver, long lastCounter, int outboxSize,
                       ServerPosition server, long incarnation) {
        this(user, device, outboxId, epoch, cursor, idAtCursor, firstSeq, count, handedOver, lastCounter, outboxSize,
                server, incarnation, List.of());
    }

    /** How many seqs of the server's sequence expired before this device got them, over all its ranges. */
    public long expiredCount() {
        long n = 0;
        for (ExpiredRange r : expired) {
            n += r.count();
        }
        return n;
    }

    /**
     * A device's position in the server's numbering: the last message the server sent it that it committed
     * (stored, or held already), or where the server set it to start (G10).
     *
     * @param store the generation of the server's store in whose session the position was committed, empty
     *              for none
     * @param epoch the epoch of the server's sequence, 0 for none
     * @param seq   the seq in the server's sequence, 0 for none
     * @param id    the id of the message at {@code seq}, empty when the server set the position without one
     */
    public record ServerPosition(String store, long epoch, long seq, String id) {

        /** No position: the device never committed anything the server sent. */
        public static final ServerPosition NONE = new ServerPosition("", 0, 0, "");

        public ServerPosition {
            if (store == null || id == null) {
                throw new IllegalArgumentException("server position: store and id must not be null (may be empty)");
            }
            if (epoch < 0 || seq < 0) {
                throw new IllegalArgumentException("server position: epoch and seq must not be negative");
            }
            if (seq > 0 && (store.isEmpty() || epoch < 1)) {
                throw new IllegalArgumentException("server position at seq " + seq + " needs a store and an epoch");
            }
            if (seq == 0 && !id.isEmpty()) {
                throw new IllegalArgumentException("server position at seq 0 cannot name a message");
            }
        }
    }
}
