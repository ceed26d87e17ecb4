package io.imr.api.store;

import io.imr.api.Names;
import java.util.Arrays;

/**
 * A message a sender's session handed to the server, before it has a seq.
 *
 * @param sender           the session's user (never taken from the frame, G8)
 * @param clientId         the sender's id for it, {@code <outbox id>-<counter>} ({@link io.imr.api.ClientIds}):
 *                         (sender, outbox id, counter) is the dedup key (G6). Any valid client id is
 *                         accepted here; a server store rejects a commit with one of another form
 * @param to               the recipient
 * @param payload          the application's bytes (owned by the submission once built)
 * @param payloadChecksum  CRC32C of the payload, as the sender made it
 * @param serverTimeMillis when the server accepted it, wall clock (for display only)
 */
public record Submission(String sender, String clientId, String to, byte[] payload, int payloadChecksum,
                         long serverTimeMillis) {

    public Submission {
        Names.principal("sender", sender);
        Names.clientId(clientId);
        Names.principal("to", to);
        if (payload == null) {
            throw new IllegalArgumentException("payload must not be null");
        }
        if (serverTimeMillis < 0) {
            throw new IllegalArgumentException("server time must not be negative");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Submission s && sender.equals(s.sender) && clientId.equals(s.clientId) && to.equals(s.to)
                && payloadChecksum == s.payloadChecksum && serverTimeMillis == s.serverTimeMillis
                && Arrays.equals(payload, s.payload);
    }

    @Override
    public int hashCode() {
        return (sender.hashCode() * 31 + clientId.hashCode()) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Submission[" + sender + "/" + clientId + " -> " + to + " " + payload.length + "B]";
    }
}
