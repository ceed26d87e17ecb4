package io.imr.api.frame;

import io.imr.api.Message;
import java.util.List;

/**
 * The server pushes a batch of messages of the device's user, in seq order.
 *
 * @param messages the messages, 1 to {@link Frame#MAX_BATCH}, all to the same recipient and of one epoch
 * @param maxSeq   the highest seq in the user's sequence when this was sent (G9)
 */
public record Deliver(List<Message> messages, long maxSeq) implements Frame {

    public Deliver {
        messages = Checks.list("deliver", "messages", messages, MAX_BATCH);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("deliver.messages must hold at least one message");
        }
        Checks.notNegative("deliver", "maxSeq", maxSeq);
        Batches.check("deliver", messages, maxSeq);
    }

    /** The epoch all the messages are of. */
    public long epoch() {
        return messages.get(0).epoch();
    }

    @Override
    public String type() {
        return "deliver";
    }
}
