package io.imr.api.frame;

import java.util.List;

/**
 * The device committed these messages (the {@code ack} strategy's confirmation). Sent only after
 * the commit that stored them returned (G5).
 *
 * @param messageIds ids of committed messages, 1 to {@link Frame#MAX_ACK_IDS}
 */
public record Ack(List<String> messageIds) implements Frame {

    public Ack {
        messageIds = Checks.list("ack", "messageIds", messageIds, MAX_ACK_IDS);
        if (messageIds.isEmpty()) {
            throw new IllegalArgumentException("ack.messageIds must hold at least one id");
        }
        for (String id : messageIds) {
            Checks.nonEmpty("ack", "messageIds[]", id, 200);
        }
    }

    @Override
    public String type() {
        return "ack";
    }
}
