package io.imr.api.frame;

/**
 * The device committed every message of its sequence up to and including {@code seq} (a
 * cumulative confirmation, like TCP's ACK or XMPP stream management's {@code h}). Sent only after
 * the commit returned (G5).
 *
 * @param epoch the epoch the seq belongs to
 * @param seq   the highest contiguous committed seq
 */
public record AckUpTo(long epoch, long seq) implements Frame {

    public AckUpTo {
        Checks.positive("ack-up-to", "epoch", epoch);
        Checks.notNegative("ack-up-to", "seq", seq);
    }

    @Override
    public String type() {
        return "ack-up-to";
    }
}
