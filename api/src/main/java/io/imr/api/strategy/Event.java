package io.imr.api.strategy;

import io.imr.api.Message;
import io.imr.api.frame.Frame;
import java.util.List;

/**
 * What a driver tells a strategy. Every event carries the driver's monotonic time and one
 * uniformly random 64-bit draw from the driver's seeded source, so that a strategy never reads
 * a clock or a random generator of its own and a run is reproducible from its seed.
 *
 * <p>Which verb receives which event:
 * <ul>
 *   <li>{@code receive}: {@link FrameArrived}; on the server also {@link MessagesAppended};</li>
 *   <li>{@code persist}: {@link ReadyToPersist};</li>
 *   <li>{@code confirm}: {@link CommitDone};</li>
 *   <li>{@code recover}: {@link Started}, {@link Connected}, {@link Disconnected},
 *       {@link TimerFired}, {@link CommitFailed}; on the server also {@link InboxRead}.</li>
 * </ul>
 */
public sealed interface Event {

    /** The driver's monotonic clock, in nanoseconds. Only differences mean anything. */
    long now();

    /** One uniformly random 64-bit draw, for jitter; use it or ignore it. */
    long random();

    /** The events {@code receive} takes. */
    sealed interface Receive extends Event permits FrameArrived, MessagesAppended {
    }

    /** The events {@code recover} takes. */
    sealed interface Recover extends Event permits Started, Connected, Disconnected, TimerFired, CommitFailed,
            InboxRead {
    }

    /**
     * The driver started the strategy. On a client: from the store's committed state.
     *
     * @param epoch  the committed epoch, 0 for an empty store
     * @param cursor the committed cursor ({@code LastReceivedSeqID}), 0 for none
     */
    record Started(long now, long random, long epoch, long cursor) implements Recover {
    }

    /**
     * A session is up: on a client, after the server's welcome; on the server, after it accepted
     * the device's hello.
     *
     * @param epoch  the current epoch of the user's sequence
     * @param cursor the device's committed cursor as the session starts (the client's own; on the
     *               server, what the device's hello claimed, which counts as confirmed: the session
     *               is authenticated as that device)
     * @param maxSeq the highest seq in the user's sequence
     */
    record Connected(long now, long random, long epoch, long cursor, long maxSeq) implements Recover {
    }

    /** The session ended, for whatever reason; nothing can be sent until the next {@link Connected}. */
    record Disconnected(long now, long random, String reason) implements Recover {
    }

    /** A frame from the peer, decoded and validated, and not one the engine handles itself. */
    record FrameArrived(long now, long random, Frame frame) implements Receive {
    }

    /**
     * Server only: messages of this device's user were committed to the inbox, in seq order.
     *
     * @param maxSeq the highest seq in the user's sequence after that commit
     */
    record MessagesAppended(long now, long random, List<Message> messages, long maxSeq) implements Receive {
        public MessagesAppended {
            messages = List.copyOf(messages);
        }
    }

    /** The driver can start a commit for this strategy: no commit of its is running now. */
    record ReadyToPersist(long now, long random) implements Event {
    }

    /** The commit of the {@link Action.Persist} or {@link Action.PersistWatermark} with this token returned. */
    record CommitDone(long now, long random, long token) implements Event {
    }

    /**
     * The commit with this token failed: nothing of it was stored (the store's failure rule).
     * The strategy falls back to its last committed state.
     */
    record CommitFailed(long now, long random, long token, String reason) implements Recover {
    }

    /** The timer the strategy scheduled under this name fired. */
    record TimerFired(long now, long random, String timer) implements Recover {
    }

    /**
     * Server only: the answer to an {@link Action.ReadInbox} with this token.
     *
     * @param messages committed messages from the requested seq on, in seq order, possibly none
     * @param maxSeq   the highest seq in the user's sequence
     */
    record InboxRead(long now, long random, long token, List<Message> messages, long maxSeq) implements Recover {
        public InboxRead {
            messages = List.copyOf(messages);
        }
    }
}
