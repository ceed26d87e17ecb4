package io.imr.api.store;

import io.imr.api.Names;
import java.util.Arrays;

/**
 * A message a device sent and the server has not yet confirmed (G6). Its client id is the
 * outbox id of the store and its counter: {@code outboxId + "-" + counter}.
 *
 * @param counter         its number in this outbox, from 1, never reused
 * @param to              the recipient
 * @param payload         the application's bytes (owned by the entry once built)
 * @param payloadChecksum CRC32C of the payload
 * @param createdAtMillis when the application handed it over, wall clock (for display only)
 */
public record OutboxEntry(long counter, String to, byte[] payload, int payloadChecksum, long createdAtMillis) {

    public OutboxEntry {
        if (counter < 1) {
            throw new IllegalArgumentException("outbox counter must be 1 or more, got " + counter);
        }
        Names.principal("to", to);
        if (payload == null) {
            throw new IllegalArgumentException("payload must not be null");
        }
    }

    /** The client id this entry is sent with. */
    public String clientId(String outboxId) {
        return outboxId + "-" + counter;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OutboxEntry e && counter == e.counter && to.equals(e.to)
                && payloadChecksum == e.payloadChecksum && createdAtMillis == e.createdAtMillis
                && Arrays.equals(payload, e.payload);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(counter) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "OutboxEntry[" + counter + " -> " + to + " " + payload.length + "B]";
    }
}
