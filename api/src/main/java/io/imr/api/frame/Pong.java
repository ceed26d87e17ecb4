package io.imr.api.frame;

/**
 * The answer to a {@link Ping}. From the server it also carries the user's max seq (G9).
 *
 * @param nonce  the ping's nonce
 * @param epoch  the current epoch of the user's sequence, 0 when sent by a device
 * @param maxSeq the highest seq in the user's sequence, 0 when sent by a device
 */
public record Pong(long nonce, long epoch, long maxSeq) implements Frame {

    public Pong {
        Checks.notNegative("pong", "epoch", epoch);
        Checks.notNegative("pong", "maxSeq", maxSeq);
    }

    @Override
    public String type() {
        return "pong";
    }
}
