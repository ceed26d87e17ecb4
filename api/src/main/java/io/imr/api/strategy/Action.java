package io.imr.api.strategy;

import io.imr.api.Message;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import java.util.List;

/**
 * What a strategy asks its driver to do. The driver carries actions out in the order given.
 *
 * <p>Actions are typed by side: a client half can put only {@link ClientAction}s, a server half
 * only {@link ServerAction}s (through {@link ClientActions} and {@link ServerActions}), so a half
 * that asks for the other side's action does not compile. Actions both sides may ask for
 * ({@link SendFrame}, {@link ScheduleTimer}, {@link CancelTimer}, {@link Signal}, {@link Close})
 * implement both.
 */
public sealed interface Action permits ClientAction, ServerAction {

    /** Send a frame to the peer. Dropped by the driver when no session is up. */
    record SendFrame(Frame frame) implements ClientAction, ServerAction {
        public SendFrame {
            if (frame == null) {
                throw new IllegalArgumentException("frame must not be null");
            }
        }
    }

    /**
     * Client only: commit these messages, atomically with the cursor that becomes the last one's
     * seq. They must follow the committed cursor without a hole (the store refuses otherwise, G3).
     * The driver answers with {@link Event.CommitDone} or {@link Event.CommitFailed} of this token.
     */
    record Persist(long token, List<Message> messages) implements ClientAction {
        public Persist {
            messages = List.copyOf(messages);
            if (messages.isEmpty()) {
                throw new IllegalArgumentException("a persist needs at least one message");
            }
            for (int i = 1; i < messages.size(); i++) {
                if (messages.get(i).seq() != messages.get(i - 1).seq() + 1) {
                    throw new IllegalArgumentException("a persist must be contiguous, got seq " + messages.get(i).seq()
                            + " after " + messages.get(i - 1).seq());
                }
            }
        }

        /** The cursor after this commit. */
        public long cursor() {
            return messages.get(messages.size() - 1).seq();
        }
    }

    /**
     * Server only: record that the device confirmed everything up to {@code confirmed} in its
     * epoch. The driver answers with {@link Event.CommitDone} or {@link Event.CommitFailed}.
     */
    record PersistWatermark(long token, long epoch, long confirmed) implements ServerAction {
    }

    /**
     * Server only: read up to {@code limit} committed messages of the device's user from
     * {@code fromSeq} on. The driver answers with {@link Event.InboxRead} of this token.
     */
    record ReadInbox(long token, long fromSeq, int limit) implements ServerAction {
        public ReadInbox {
            if (fromSeq < 1 || limit < 1 || limit > Frame.MAX_BATCH) {
                throw new IllegalArgumentException("read needs fromSeq >= 1 and limit 1 to " + Frame.MAX_BATCH
                        + ", got " + fromSeq + " and " + limit);
            }
        }
    }

    /**
     * Client only: ask the server for messages from {@code fromSeq}, saying that everything up to
     * {@code committed} is committed. The driver sends a {@link io.imr.api.frame.Pull} and counts it; the
     * answer comes as a frame. {@code committed} is an implicit confirmation (the protocol's rule, which a
     * server half may rely on): never more than the committed cursor (G5). {@code fromSeq} may lie beyond
     * it, after messages received in order that are still being committed.
     */
    record PullRange(long fromSeq, int limit, long committed) implements ClientAction {
        public PullRange {
            if (fromSeq < 1 || limit < 1 || limit > Frame.MAX_BATCH || committed < 0 || committed >= fromSeq) {
                throw new IllegalArgumentException("pull needs fromSeq >= 1, limit 1 to " + Frame.MAX_BATCH
                        + " and committed from 0 to fromSeq - 1, got " + fromSeq + ", " + limit + " and " + committed);
            }
        }

        /** A pull from the committed cursor + 1: {@code committed} is {@code fromSeq - 1}. */
        public PullRange(long fromSeq, int limit) {
            this(fromSeq, limit, fromSeq - 1);
        }
    }

    /**
     * Fire {@link Event.TimerFired} with this name after the delay. Scheduling a name that is
     * pending replaces it.
     */
    record ScheduleTimer(String timer, long delayNanos) implements ClientAction, ServerAction {
        public ScheduleTimer {
            if (timer == null || timer.isEmpty() || delayNanos < 0) {
                throw new IllegalArgumentException("a timer needs a name and a delay of 0 or more, got " + timer
                        + " and " + delayNanos);
            }
        }
    }

    /** Forget the pending timer with this name, if any. */
    record CancelTimer(String timer) implements ClientAction, ServerAction {
    }

    /** Something the driver counts as a metric (section 7 of the specification). */
    record Signal(Kind kind, long amount) implements ClientAction, ServerAction {

        /** What was counted. */
        public enum Kind {
            /** A message arrived that the device already had or was already persisting. */
            DUPLICATE,
            /** A message whose payload checksum did not verify; it was dropped (G4). */
            CORRUPT,
            /** A hole in the sequence was seen. */
            GAP_DETECTED,
            /** A message was sent again. */
            RETRANSMIT,
            /** Messages that arrived past a hole and wait in the hold-back buffer. */
            HELD_BACK,
            /** Messages dropped from a full hold-back buffer; they will be pulled again. */
            HOLD_BACK_OVERFLOW,
            /**
             * Server: a confirmation named seqs never delivered to this device (above the user's sequence); it
             * changed nothing (G8).
             */
            IGNORED_NOT_DELIVERED,
            /** Server: a confirmation of another strategy's vocabulary arrived; it changed nothing. */
            IGNORED_OTHER_STRATEGY
        }

        public Signal {
            if (kind == null || amount < 0) {
                throw new IllegalArgumentException("a signal needs a kind and an amount of 0 or more");
            }
        }
    }

    /** End the session with this error: the peer broke the protocol. */
    record Close(ErrorFrame.Code code, String reason) implements ClientAction, ServerAction {
    }
}
