package io.imr.api.frame;

import io.imr.api.Message;
import io.imr.api.Names;
import java.util.Arrays;

/**
 * A device sends a message. The sender is the session's user (G8), never a field of the frame.
 *
 * @param clientId        the sender's id for it, unique across the sender's outboxes (G6)
 * @param to              the recipient
 * @param payload         the application's bytes (owned by the frame once built)
 * @param payloadChecksum CRC32C of the payload, made by the sender, checked by the receiver (G4)
 */
public record Send(String clientId, String to, byte[] payload, int payloadChecksum) implements Frame {

    public Send {
        Names.clientId(clientId);
        Names.principal("send.to", to);
        if (payload == null) {
            throw new IllegalArgumentException("send.payload must not be null");
        }
        if (payload.length > Message.MAX_PAYLOAD) {
            throw new IllegalArgumentException("send.payload must be at most " + Message.MAX_PAYLOAD + " bytes, got "
                    + payload.length);
        }
    }

    @Override
    public String type() {
        return "send";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Send s && clientId.equals(s.clientId) && to.equals(s.to)
                && payloadChecksum == s.payloadChecksum && Arrays.equals(payload, s.payload);
    }

    @Override
    public int hashCode() {
        return clientId.hashCode() * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Send[" + clientId + " -> " + to + " " + payload.length + "B]";
    }
}
