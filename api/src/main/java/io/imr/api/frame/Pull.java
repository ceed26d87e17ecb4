package io.imr.api.frame;

/**
 * The device asks for messages of its own sequence, and says how far it has committed.
 *
 * <p>{@code committed} is an implicit confirmation (the protocol's rule): everything up to it is in the
 * device's store, and a server may take it as the device's confirmed watermark. {@code fromSeq} may lie
 * beyond it: a device that received messages in order and is still committing them asks for what follows
 * them, so that the next page travels while the last one is being committed.
 *
 * @param fromSeq   the first seq wanted, above {@code committed}
 * @param limit     the most messages wanted, 1 to {@link Frame#MAX_BATCH}
 * @param committed the device's committed cursor, 0 or more
 */
public record Pull(long fromSeq, int limit, long committed) implements Frame {

    public Pull {
        Checks.positive("pull", "fromSeq", fromSeq);
        if (limit < 1 || limit > MAX_BATCH) {
            throw new IllegalArgumentException("pull.limit must be 1 to " + MAX_BATCH + ", got " + limit);
        }
        Checks.notNegative("pull", "committed", committed);
        if (committed >= fromSeq) {
            throw new IllegalArgumentException("pull.committed must be below pull.fromSeq (" + fromSeq + "), got "
                    + committed);
        }
    }

    /** A pull from the committed cursor + 1: {@code committed} is {@code fromSeq - 1}. */
    public Pull(long fromSeq, int limit) {
        this(fromSeq, limit, fromSeq - 1);
    }

    @Override
    public String type() {
        return "pull";
    }
}
