package io.imr.api.store;

import io.imr.api.Message;

/**
 * What became of one submission.
 *
 * @param recipient the user whose sequence holds it
 * @param seq       its seq in that sequence (for a duplicate, the one given when it was stored first)
 * @param epoch     the epoch of that seq
 * @param message   the stored message (for a duplicate, the one stored first), or null for a duplicate whose
 *                  message was trimmed from the inbox since ({@link ServerStore#trim}): the dedup index still
 *                  knows where it was stored
 * @param duplicate whether it was stored already, by an earlier commit or earlier in this one
 */
public record Accepted(String recipient, long seq, long epoch, Message message, boolean duplicate) {

    public Accepted {
        if (message == null && !duplicate) {
            throw new IllegalArgumentException("a new message is accepted with the message stored");
        }
        if (message != null && (!message.recipient().equals(recipient) || message.seq() != seq
                || message.epoch() != epoch)) {
            throw new IllegalArgumentException("accepted " + recipient + " seq " + seq + " epoch " + epoch
                    + " does not describe its message " + message.id());
        }
    }

    /** A submission answered with a stored message. */
    public Accepted(Message message, boolean duplicate) {
        this(message.recipient(), message.seq(), message.epoch(), message, duplicate);
    }

    /** A duplicate of a message stored at this seq and trimmed since. */
    public static Accepted trimmed(String recipient, long seq, long epoch) {
        return new Accepted(recipient, seq, epoch, null, true);
    }
}
