package io.imr.strategy.support;

import io.imr.api.Message;
import io.imr.api.frame.Frame;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts lists of messages and ids into pieces that fit one frame: at most {@link Frame#MAX_BATCH}
 * messages of one epoch and, for messages, an estimated byte budget, so that a
 * {@code Deliver} or {@code PullResult} stays well under the receiver's frame limit (4 MiB by default)
 * even when messages carry payloads of up to {@link Message#MAX_PAYLOAD}.
 */
public final class FrameBatches {

    /**
     * The byte budget strategies use for one frame of messages: a quarter of the default frame limit,
     * which leaves room for the envelope and for a single message of the largest payload.
     */
    public static final long DEFAULT_FRAME_BYTES = 1L << 20;

    /** Bytes a message costs on the wire beyond its payload and names: numbers, checksum, field tags. */
    private static final int FIXED_OVERHEAD = 48;

    private FrameBatches() {
    }

    /**
     * A close upper estimate of what a message costs in a frame (and in a server's window). Names are
     * ASCII by {@link io.imr.api.Names}, so their length is their size.
     */
    public static long estimatedBytes(Message m) {
        return (long) m.payload().length + m.id().length() + m.sender().length() + m.clientId().length()
                + m.recipient().length() + FIXED_OVERHEAD;
    }

    /**
     * Splits messages, keeping their order, into batches of one epoch, of at most {@code maxCount}
     * messages and {@code maxBytes} estimated bytes each; a message larger than the budget travels alone.
     *
     * @return the batches, each non-empty; none for an empty list
     * @throws IllegalArgumentException for a count or budget below 1
     */
    public static List<List<Message>> split(List<Message> messages, int maxCount, long maxBytes) {
        checkLimits(maxCount, maxBytes);
        List<List<Message>> batches = new ArrayList<>();
        int from = 0;
        while (from < messages.size()) {
            int to = prefixEnd(messages, from, maxCount, maxBytes);
            batches.add(List.copyOf(messages.subList(from, to)));
            from = to;
        }
        return batches;
    }

    /**
     * The longest leading part of {@code messages} of one epoch within {@code maxCount} messages and
     * {@code maxBytes} estimated bytes, but at least the first message when there is one.
     *
     * @throws IllegalArgumentException for a count or budget below 1
     */
    public static List<Message> prefix(List<Message> messages, int maxCount, long maxBytes) {
        checkLimits(maxCount, maxBytes);
        return List.copyOf(messages.subList(0, prefixEnd(messages, 0, maxCount, maxBytes)));
    }

    /**
     * Splits items, keeping their order, into chunks of at most {@code size}.
     *
     * @return the chunks, each non-empty; none for an empty list
     * @throws IllegalArgumentException for a size below 1
     */
    public static <T> List<List<T>> chunks(List<T> items, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("chunk size must be 1 or more, got " + size);
        }
        List<List<T>> chunks = new ArrayList<>();
        for (int from = 0; from < items.size(); from += size) {
            chunks.add(List.copyOf(items.subList(from, Math.min(items.size(), from + size))));
        }
        return chunks;
    }

    private static int prefixEnd(List<Message> messages, int from, int maxCount, long maxBytes) {
        int to = from;
        long bytes = 0;
        while (to < messages.size() && to - from < maxCount) {
            if (to > from && messages.get(to).epoch() != messages.get(from).epoch()) {
                break; // a frame carries messages of one epoch
            }
            long size = estimatedBytes(messages.get(to));
            if (to > from && bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            to++;
        }
        return to;
    }

    private static void checkLimits(int maxCount, long maxBytes) {
        if (maxCount < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("a batch needs room for 1 or more messages and bytes, got " + maxCount
                    + " and " + maxBytes);
        }
    }
}
