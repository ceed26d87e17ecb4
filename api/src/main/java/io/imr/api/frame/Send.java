package io.imr.api.frame;

import io.imr.api.ClientIds;
import io.imr.api.Message;
import io.imr.api.Names;
import java.util.Arrays;
import java.util.List;

/**
 * A device sends a batch of messages from one outbox. The sender is the session's user (G8), never a
 * field of the frame. The client id of an item is {@link ClientIds#of ClientIds.of(outboxId, counter)}.
 *
 * @param outboxId the sending store's outbox id ({@link ClientIds#outboxId})
 * @param items    1 to {@link Frame#MAX_BATCH} messages, in strictly increasing counter
 */
public record Send(String outboxId, List<Item> items) implements Frame {

    /**
     * One message of a batch.
     *
     * @param counter         the outbox's number for it, 1 or more; its client id is {@code <outboxId>-<counter>}
     * @param to              the recipient
     * @param payload         the application's bytes (owned by the frame once built)
     * @param payloadChecksum CRC32C of the payload, made by the sender, checked by the server and the receiver (G4)
     */
    public record Item(long counter, String to, byte[] payload, int payloadChecksum) {

        public Item {
            if (counter < 1) {
                throw new IllegalArgumentException("send.items[].counter must be 1 or more, got " + counter);
            }
            Names.principal("send.items[].to", to);
            if (payload == null) {
                throw new IllegalArgumentException("send.items[].payload must not be null");
            }
            if (payload.length > Message.MAX_PAYLOAD) {
                throw new IllegalArgumentException("send.items[].payload must be at most " + Message.MAX_PAYLOAD
                        + " bytes, got " + payload.length);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Item i && counter == i.counter && to.equals(i.to)
                    && payloadChecksum == i.payloadChecksum && Arrays.equals(payload, i.payload);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(counter) * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Item[" + counter + " -> " + to + " " + payload.length + "B]";
        }
    }

    public Send {
        ClientIds.outboxId(outboxId);
        items = Checks.list("send", "items", items, MAX_BATCH);
        if (items.isEmpty()) {
            throw new IllegalArgumentException("send.items must hold at least one item");
        }
        long previous = 0;
        for (Item item : items) {
            if (item.counter() <= previous) {
                throw new IllegalArgumentException("send.items must be in strictly increasing counter, got "
                        + item.counter() + " after " + previous);
            }
            previous = item.counter();
        }
    }

    /** A batch of one message. */
    public static Send of(String outboxId, long counter, String to, byte[] payload, int payloadChecksum) {
        return new Send(outboxId, List.of(new Item(counter, to, payload, payloadChecksum)));
    }

    /** The client id of item {@code i}. */
    public String clientId(int i) {
        return ClientIds.of(outboxId, items.get(i).counter());
    }

    /** The client id of an item of this batch. */
    public String clientId(Item item) {
        return ClientIds.of(outboxId, item.counter());
    }

    @Override
    public String type() {
        return "send";
    }

    @Override
    public String toString() {
        Item first = items.get(0);
        return "Send[" + outboxId + " " + items.size() + " item(s), counters " + first.counter() + ".."
                + items.get(items.size() - 1).counter() + ", first -> " + first.to() + "]";
    }
}
