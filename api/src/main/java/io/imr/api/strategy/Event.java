package io.imr.api.strategy;

import io.imr.api.Message;
import io.imr.api.frame.Frame;
import java.util.List;

/**
 * What a driver tells a strategy. Every event carries the driver's monotonic time and one
 * uniformly random 64-bit draw from the driver's seeded source, so that a strategy never reads
 * a clock or a random generator of its own and a run is reproducible from its seed.
 *
 * <p>Events are typed by side: a client half takes {@link ClientEvent}s, a server half
 * {@link ServerEvent}s, so a driver cannot hand a client half a server-only event (it does not
 * compile). Events both sides take implement both. Which verb takes which event:
 * <table>
 *   <caption>events by verb and side</caption>
 *   <tr><th>verb</th><th>client</th><th>server</th></tr>
 *   <tr><td>receive</td><td>{@link FrameArrived}</td><td>{@link FrameArrived}, {@link MessagesAppended}</td></tr>
 *   <tr><td>persist</td><td>{@link ReadyToPersist}</td><td>{@link ReadyToPersist}</td></tr>
 *   <tr><td>confirm</td><td>{@link CommitDone}</td><td>{@link CommitDone}</td></tr>
 *   <tr><td>recover</td><td>{@link Started}, {@link Connected}, {@link Disconnected}, {@link TimerFired},
 *       {@link CommitFailed}</td><td>the same, and {@link InboxRead}</td></tr>
 * </table>
 */
public sealed interface Event permits ClientEvent, ServerEvent {

    /** The driver's monotonic clock, in nanoseconds. Only differences mean anything. */
    long now();

    /** One uniformly random 64-bit draw, for jitter; use it or ignore it. */
    long random();

    /**
     * The driver started the half from committed state, before anything else.
     *
     * <p>On a client: the store's epoch and cursor ({@code LastReceivedSeqID}). On the server: what
     * the server's store keeps of the device, the same for every strategy, so that a server restarted
     * (with this or another strategy) resumes from it: the epoch and the confirmed watermark persisted
     * through {@link Action.PersistWatermark}, 0 and 0 for a device never seen.
     *
     * @param epoch  the committed epoch, 0 for none
     * @param cursor on a client the committed cursor; on the server the persisted confirmed watermark
     */
    record Started(long now, long random, long epoch, long cursor) implements ClientEvent.Recover,
            ServerEvent.Recover {
    }

    /**
     * A session is up: on a client, after the server's welcome; on the server, after it accepted
     * the device's hello.
     *
     * @param epoch  the current epoch of the user's sequence
     * @param cursor the device's committed cursor as the session starts (the client's own; on the
     *               server, what the device's hello claimed, which counts as confirmed: the session
     *               is authenticated as that device, and a device never claims more than it committed)
     * @param maxSeq the highest seq in the user's sequence
     */
    record Connected(long now, long random, long epoch, long cursor, long maxSeq) implements ClientEvent.Recover,
            ServerEvent.Recover {
    }

    /** The session ended, for whatever reason; nothing can be sent until the next {@link Connected}. */
    record Disconnected(long now, long random, String reason) implements ClientEvent.Recover, ServerEvent.Recover {
    }

    /** A frame from the peer, decoded and validated, and not one the engine handles itself. */
    record FrameArrived(long now, long random, Frame frame) implements ClientEvent, ServerEvent.Receive {
    }

    /**
     * Server only: messages of this device's user were committed to the inbox, in seq order.
     *
     * @param maxSeq the highest seq in the user's sequence after that commit
     */
    record MessagesAppended(long now, long random, List<Message> messages, long maxSeq) implements ServerEvent.Receive {
        public MessagesAppended {
            messages = List.copyOf(messages);
        }
    }

    /** The driver can start a commit for this half: no commit of its is running now. */
    record ReadyToPersist(long now, long random) implements ClientEvent, ServerEvent {
    }

    /** The commit of the {@link Action.Persist} or {@link Action.PersistWatermark} with this token returned. */
    record CommitDone(long now, long random, long token) implements ClientEvent, ServerEvent {
    }

    /**
     * The commit with this token failed: nothing of it was stored (the store's failure rule).
     * The half falls back to its last committed state.
     */
    record CommitFailed(long now, long random, long token, String reason) implements ClientEvent.Recover,
            ServerEvent.Recover {
    }

    /** The timer the half scheduled under this name fired. */
    record TimerFired(long now, long random, String timer) implements ClientEvent.Recover, ServerEvent.Recover {
    }

    /**
     * Server only: the answer to an {@link Action.ReadInbox} with this token.
     *
     * @param messages committed messages from the requested seq on, in seq order, possibly none
     * @param maxSeq   the highest seq in the user's sequence
     */
    record InboxRead(long now, long random, long token, List<Message> messages, long maxSeq)
            implements ServerEvent.Recover {
        public InboxRead {
            messages = List.copyOf(messages);
        }
    }
}
