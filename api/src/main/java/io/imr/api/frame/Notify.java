package io.imr.api.frame;

/**
 * The server tells the device how far its sequence goes, without messages: sent when a message
 * is not pushed (the device is behind, or the strategy pulls), so that the loss of the last
 * message is noticed even when nothing follows it (G9).
 *
 * @param epoch  the current epoch of the user's sequence
 * @param maxSeq the highest seq in it
 */
public record Notify(long epoch, long maxSeq) implements Frame {

    public Notify {
        Checks.positive("notify", "epoch", epoch);
        Checks.notNegative("notify", "maxSeq", maxSeq);
    }

    @Override
    public String type() {
        return "notify";
    }
}
