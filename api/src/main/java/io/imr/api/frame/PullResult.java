package io.imr.api.frame;

import io.imr.api.Message;
import java.util.List;

/**
 * The answer to a {@link Pull}: the messages from {@code fromSeq} on that the server has, in seq
 * order, possibly none.
 *
 * @param fromSeq  the pull's fromSeq, so the device can match answer and question
 * @param messages the messages, at most {@link Frame#MAX_BATCH}, none below fromSeq, all of {@code epoch}
 * @param maxSeq   the highest seq in the user's sequence (G9)
 * @param epoch    the current epoch of the user's sequence
 */
public record PullResult(long fromSeq, List<Message> messages, long maxSeq, long epoch) implements Frame {

    public PullResult {
        Checks.positive("pull-result", "fromSeq", fromSeq);
        messages = Checks.list("pull-result", "messages", messages, MAX_BATCH);
        Checks.notNegative("pull-result", "maxSeq", maxSeq);
        Checks.positive("pull-result", "epoch", epoch);
        Batches.check("pull-result", messages, maxSeq);
        if (!messages.isEmpty() && messages.get(0).epoch() != epoch) {
            throw new IllegalArgumentException("pull-result.messages are of epoch " + messages.get(0).epoch()
                    + ", not the pull-result's epoch " + epoch);
        }
        if (!messages.isEmpty() && messages.get(0).seq() < fromSeq) {
            throw new IllegalArgumentException("pull-result.messages starts at seq " + messages.get(0).seq()
                    + ", below fromSeq " + fromSeq);
        }
    }

    @Override
    public String type() {
        return "pull-result";
    }
}
