package io.imr.api.store;

/**
 * The committed state of a device's store: what a commit that returned left behind.
 *
 * @param user        the device's user (fixed when the store was created)
 * @param device      the device (fixed when the store was created)
 * @param outboxId    a random id made when the store was created; prefixes the client ids of its sends
 * @param epoch       the epoch of the cursor, 0 before the first message
 * @param cursor      {@code LastReceivedSeqID}: the seq of the last message, 0 for none
 * @param idAtCursor  the id of the message at the cursor, empty for none (G10)
 * @param firstSeq    the seq of the first message held, 0 for none
 * @param count       how many messages are held
 * @param handedOver  the seq up to which messages were handed to the application's listener
 * @param lastCounter the highest outbox counter ever used, 0 for none
 * @param outboxSize  how many sends wait for the server's confirmation
 */
public record ClientState(String user, String device, String outboxId, long epoch, long cursor, String idAtCursor,
                          long firstSeq, long count, long handedOver, long lastCounter, int outboxSize) {
}
