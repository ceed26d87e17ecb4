package io.imr.strategy.support;

import io.imr.api.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A device's view of its own sequence while it receives, for any strategy whose client persists in
 * seq order: the committed cursor, the messages accepted after it (in one commit running, then
 * waiting for the next), and a bounded {@link HoldBackBuffer} for what arrived past a hole.
 *
 * <pre>
 *   committed | in flight (one commit)  | accepted (next commit)  | hole | held back
 *   ..cursor  | cursor+1 ..             | ..contiguous            |      | bounded
 * </pre>
 *
 * <p>Rules:
 * <ul>
 *   <li>A message at or below the committed cursor is a {@link Verdict#COMMITTED_DUPLICATE}; one
 *       in flight or accepted is a {@link Verdict#PENDING_DUPLICATE}; neither is stored twice (G2).</li>
 *   <li>The message right after {@link #contiguous()} is accepted, and so is every held message that
 *       then follows without a hole.</li>
 *   <li>A message further on is held back, never accepted before the hole is filled (G3).</li>
 *   <li>At most one commit runs ({@link #startCommit}); everything accepted meanwhile goes into the
 *       next one (group commit). A commit's batch follows the cursor without a hole.</li>
 *   <li>After a failed commit ({@link #commitFailed}) the sequence falls back to the committed
 *       cursor: the failed batch, everything accepted after it and everything held back are dropped
 *       (they lie past what is now a hole) and must be received again.</li>
 * </ul>
 * The caller checks payloads (G4) before offering: this class trusts what it is given.
 */
public final class ReceiveSequence {

    /** What became of an offered message. */
    public enum Verdict {
        /** It continues the sequence: accepted for the next commit. */
        ACCEPTED,
        /** Its seq is committed already. */
        COMMITTED_DUPLICATE,
        /** Its seq is in the running commit or accepted for the next one. */
        PENDING_DUPLICATE,
        /** It lies past a hole and is held back. */
        HELD,
        /** It lies past a hole and its seq is held back already. */
        HELD_DUPLICATE,
        /** It lies past a hole and the hold-back buffer was full: dropped, to be received again. */
        DROPPED
    }

    /**
     * The result of {@link #offer}.
     *
     * @param verdict  what became of the message
     * @param newGap   whether it revealed a hole not reported before
     * @param evicted  whether a held message was dropped from the full hold-back buffer for it
     * @param drained  how many held messages were accepted after it, filling their hole
     */
    public record Offer(Verdict verdict, boolean newGap, boolean evicted, int drained) {
    }

    private final HoldBackBuffer holdBack;
    private final List<Message> accepted = new ArrayList<>();
    private long committed;
    private long inFlightToken;
    private List<Message> inFlight = List.of();
    /** A running commit made before a rebase: its completion must not move the new cursor. */
    private boolean inFlightDetached;

    /**
     * @param holdBackCapacity the most messages held past a hole, 0 or more
     */
    public ReceiveSequence(int holdBackCapacity) {
        this.holdBack = new HoldBackBuffer(holdBackCapacity);
    }

    /** Starts over from a committed cursor, forgetting everything else, a running commit included. */
    public void reset(long committedCursor) {
        requireCursor(committedCursor);
        committed = committedCursor;
        accepted.clear();
        holdBack.clear();
        inFlight = List.of();
        inFlightToken = 0;
        inFlightDetached = false;
    }

    /**
     * The sequence was renumbered (a new epoch, G10): continue from {@code cursor}. What was accepted or
     * held is dropped; a running commit keeps running but no longer moves the cursor when it returns.
     */
    public void rebase(long cursor) {
        requireCursor(cursor);
        committed = cursor;
        accepted.clear();
        holdBack.clear();
        if (!inFlight.isEmpty()) {
            inFlightDetached = true;
        }
    }

    /**
     * The driver reports a committed cursor (a session started): adopt it when it is ahead of what this
     * instance knows, dropping what it makes stale. A lower cursor changes nothing: this instance saw
     * commits return that the report predates.
     */
    public void advanceCommitted(long cursor) {
        requireCursor(cursor);
        if (cursor <= committed) {
            return;
        }
        committed = cursor;
        accepted.removeIf(m -> m.seq() <= cursor);
        if (!accepted.isEmpty() && accepted.get(0).seq() != inFlightEnd() + 1) {
            accepted.clear();
        }
        holdBack.clear();
    }

    /**
     * Takes a verified message in.
     *
     * @param message a message whose payload was checked
     */
    public Offer offer(Message message) {
        long seq = message.seq();
        if (seq <= committed) {
            return new Offer(Verdict.COMMITTED_DUPLICATE, false, false, 0);
        }
        long contiguous = contiguous();
        if (seq <= contiguous) {
            return new Offer(Verdict.PENDING_DUPLICATE, false, false, 0);
        }
        if (seq == contiguous + 1) {
            accepted.add(message);
            List<Message> run = holdBack.takeFrom(seq + 1);
            accepted.addAll(run);
            return new Offer(Verdict.ACCEPTED, false, false, run.size());
        }
        HoldBackBuffer.Offer held = holdBack.offer(message, contiguous);
        Verdict verdict;
        switch (held.outcome()) {
            case HELD:
                verdict = Verdict.HELD;
                break;
            case ALREADY_HELD:
                verdict = Verdict.HELD_DUPLICATE;
                break;
            default:
                verdict = Verdict.DROPPED;
                break;
        }
        return new Offer(verdict, held.newGap(), held.evicted(), 0);
    }

    /** Whether a commit can start: none is running and something is accepted. */
    public boolean canStartCommit() {
        return inFlight.isEmpty() && !accepted.isEmpty();
    }

    /**
     * Moves everything accepted into a commit that is about to run.
     *
     * @param token the token of the commit
     * @return the batch, contiguous after the cursor (or after the detached running commit's batch)
     * @throws IllegalStateException when {@link #canStartCommit()} is false; nothing changes then
     */
    public List<Message> startCommit(long token) {
        if (!canStartCommit()) {
            throw new IllegalStateException(inFlight.isEmpty() ? "nothing accepted to commit"
                    : "a commit is running already (token " + inFlightToken + ")");
        }
        inFlight = List.copyOf(accepted);
        inFlightToken = token;
        inFlightDetached = false;
        accepted.clear();
        return inFlight;
    }

    /**
     * The commit of this token returned: its messages are committed and the cursor moves to its last
     * seq (unless a rebase detached it).
     *
     * @return the committed batch, or empty for a token that is not the running commit's
     */
    public Optional<List<Message>> commitDone(long token) {
        if (inFlight.isEmpty() || token != inFlightToken) {
            return Optional.empty();
        }
        List<Message> batch = inFlight;
        if (!inFlightDetached) {
            committed = Math.max(committed, batch.get(batch.size() - 1).seq());
        }
        inFlight = List.of();
        inFlightDetached = false;
        return Optional.of(batch);
    }

    /** Whether the running commit was detached by a {@link #rebase}: its messages are of another numbering. */
    public boolean inFlightDetached() {
        return inFlightDetached;
    }

    /**
     * The commit of this token failed: nothing of it was stored. Falls back to the committed cursor,
     * dropping the batch, everything accepted after it and everything held back.
     *
     * @return whether the token was the running commit's (for any other nothing changes)
     */
    public boolean commitFailed(long token) {
        if (inFlight.isEmpty() || token != inFlightToken) {
            return false;
        }
        boolean detached = inFlightDetached;
        inFlight = List.of();
        inFlightDetached = false;
        if (!detached) {
            accepted.clear();
            holdBack.clear();
        }
        return true;
    }

    /** Drops what is held back, keeping what is accepted and in flight. */
    public void clearHoldBack() {
        holdBack.clear();
    }

    /** The committed cursor. */
    public long committed() {
        return committed;
    }

    /** The highest seq up to which this instance has every message, committed, in flight or accepted. */
    public long contiguous() {
        if (!accepted.isEmpty()) {
            return accepted.get(accepted.size() - 1).seq();
        }
        return inFlightEnd();
    }

    /** The highest seq received, held back ones included. */
    public long highestSeen() {
        return Math.max(contiguous(), holdBack.highestSeq());
    }

    /** Whether something is held back past a hole. */
    public boolean hasHole() {
        return !holdBack.isEmpty();
    }

    /** The lowest seq held back, 0 when nothing is: the hole after {@link #contiguous()} ends just before it. */
    public long lowestHeld() {
        return holdBack.lowestSeq();
    }

    /** Messages accepted for the next commit. */
    public int acceptedCount() {
        return accepted.size();
    }

    /** Messages in the running commit. */
    public int inFlightCount() {
        return inFlight.size();
    }

    /** Messages held back past a hole. */
    public int heldCount() {
        return holdBack.size();
    }

    /** Messages accepted or in flight: received in order and not yet committed. */
    public int pendingCount() {
        return accepted.size() + inFlight.size();
    }

    /** Everything held in memory that is not committed: accepted, in flight and held back. */
    public int buffered() {
        return accepted.size() + inFlight.size() + holdBack.size();
    }

    private long inFlightEnd() {
        if (!inFlight.isEmpty() && !inFlightDetached) {
            return Math.max(committed, inFlight.get(inFlight.size() - 1).seq());
        }
        return committed;
    }

    private static void requireCursor(long cursor) {
        if (cursor < 0) {
            throw new IllegalArgumentException("a cursor must not be negative, got " + cursor);
        }
    }
}
