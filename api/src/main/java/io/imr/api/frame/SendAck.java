package io.imr.api.frame;

import io.imr.api.Names;

/**
 * The server committed a sent message (or had it already): it is now safe on the server and
 * the sender may forget it (G6). Sent only after the server's commit returned.
 *
 * @param clientId the sender's id for the message
 * @param seq      the seq the message has in the recipient's sequence
 * @param epoch    the epoch of that seq
 */
public record SendAck(String clientId, long seq, long epoch) implements Frame {

    public SendAck {
        Names.clientId(clientId);
        Checks.positive("send-ack", "seq", seq);
        Checks.positive("send-ack", "epoch", epoch);
    }

    @Override
    public String type() {
        return "send-ack";
    }
}
