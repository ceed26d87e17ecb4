package io.imr.api.store;

import io.imr.api.Message;

/**
 * What became of one submission.
 *
 * @param message   the stored message, with its seq (for a duplicate, the one stored first)
 * @param duplicate whether it was stored already, by an earlier commit or earlier in this one
 */
public record Accepted(Message message, boolean duplicate) {
}
