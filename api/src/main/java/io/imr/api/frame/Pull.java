package io.imr.api.frame;

/**
 * The device asks for messages of its own sequence.
 *
 * @param fromSeq the first seq wanted (its committed cursor + 1 for a catch-up)
 * @param limit   the most messages wanted, 1 to {@link Frame#MAX_BATCH}
 */
public record Pull(long fromSeq, int limit) implements Frame {

    public Pull {
        Checks.positive("pull", "fromSeq", fromSeq);
        if (limit < 1 || limit > MAX_BATCH) {
            throw new IllegalArgumentException("pull.limit must be 1 to " + MAX_BATCH + ", got " + limit);
        }
    }

    @Override
    public String type() {
        return "pull";
    }
}
