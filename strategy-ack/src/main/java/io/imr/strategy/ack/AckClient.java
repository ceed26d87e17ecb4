package io.imr.strategy.ack;

import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Notify;
import io.imr.api.frame.Pong;
import io.imr.api.frame.PullResult;
import io.imr.api.strategy.Action.Signal.Kind;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientEvent;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.Event;
import io.imr.strategy.support.Backoff;
import io.imr.strategy.support.FrameBatches;
import io.imr.strategy.support.PullTracker;
import io.imr.strategy.support.ReceiveSequence;
import io.imr.strategy.support.TimerSlot;
import io.imr.strategy.support.TokenSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The device's half of the {@code ack} strategy.
 *
 * <ul>
 *   <li><b>receive</b> ({@code Deliver}, {@code PullResult}): a message whose payload does not verify is
 *       dropped and counted (G4; it is redelivered because it was never acked). One at or below the
 *       committed cursor is a duplicate the server resent because our ack was lost: it is acked again,
 *       or the server would resend it forever. One accepted or being committed is a duplicate that is
 *       dropped: its ack follows its commit. The next expected one is accepted, with whatever held
 *       messages then follow without a hole. One further on waits in the bounded hold-back buffer
 *       ({@code hold-back}; beyond it, dropped and counted); a new hole is counted once and watched
 *       by the gap timer, which pulls the missing range if it is still open when it fires. Messages
 *       of another epoch than the session's are ignored. {@code Notify} and {@code Pong} only teach
 *       the server's max seq.</li>
 *   <li><b>persist</b>: one {@code Persist} of everything accepted, never past a hole (G3); what
 *       arrives meanwhile goes into the next one. Nothing is persisted while waiting to retry after a
 *       failed commit.</li>
 *   <li><b>confirm</b>: the cursor moves to the commit's last seq and exactly that commit's ids are
 *       acked, in frames of at most {@link Frame#MAX_ACK_IDS}, never before (G5).</li>
 *   <li><b>recover</b>: {@code Started} takes the store's committed state. {@code Connected} adopts the
 *       session's epoch and cursor and drops what is held back (the server redelivers from the
 *       cursor); what is accepted or being committed stays. {@code Disconnected} stops the timers (no
 *       pull can go out) and keeps what is accepted, so it can still be committed. {@code CommitFailed}
 *       falls back to the committed cursor, dropping the failed batch and everything received after
 *       it, and arms a retry timer with backoff; when it fires, commits resume and the device pulls
 *       from the committed cursor. The tail timer (G9): when the server's max seq (from any frame)
 *       is above everything received and nothing new arrives within {@code tail-timeout}, the device
 *       pulls from its contiguous position.</li>
 * </ul>
 *
 * <p>Pulls always start right after the committed cursor, and only once nothing waits to be committed:
 * a pull's start confirms what lies below it (G5), so it never claims a position that only sits in
 * memory. At most one is outstanding ({@link PullTracker}). After a full page, while the server has
 * more, the next page follows as soon as that page is committed: catch-up runs at the speed of the
 * commits, and what the device holds stays bounded (G7) by the server's window, a pull page and the
 * hold-back buffer.
 *
 * <p>A failure inside a method leaves the instance unusable; the driver starts a new one from the
 * store, and nothing committed is lost.
 */
final class AckClient implements ClientReliability {

    static final String GAP_TIMER = "ack.gap";
    static final String TAIL_TIMER = "ack.tail";
    static final String RETRY_TIMER = "ack.commit-retry";

    private final AckConfig config;
    private final ReceiveSequence sequence;
    private final PullTracker pulls;
    private final Backoff commitRetry;
    private final TokenSource tokens = new TokenSource();
    private final TimerSlot gapTimer = new TimerSlot(GAP_TIMER);
    private final TimerSlot tailTimer = new TimerSlot(TAIL_TIMER);
    private final TimerSlot retryTimer = new TimerSlot(RETRY_TIMER);

    private boolean connected;
    private long epoch;
    /** The highest seq the server announced in this epoch. */
    private long maxSeq;
    /** The first missing seq the gap timer watches; the hole is open while the contiguous position is below it. */
    private long gapWatched;
    /** The highest seq received when the tail timer was armed; the tail counts as stuck while nothing came above it. */
    private long tailMark;
    private int commitFailuresInARow;
    private boolean waitingToRetry;
    /** A full page was pulled and the server has more: the next page goes out as soon as the backlog allows. */
    private boolean pageDue;

    AckClient(AckConfig config) {
        this.config = config;
        this.sequence = new ReceiveSequence(config.holdBack());
        this.pulls = new PullTracker(config.pullPage(), config.tailTimeout().toNanos());
        this.commitRetry = new Backoff(AckConfig.COMMIT_RETRY_INITIAL_NANOS, AckConfig.COMMIT_RETRY_MAX_NANOS,
                Backoff.DEFAULT_JITTER);
    }

    @Override
    public void receive(Event.FrameArrived event, ClientActions out) {
        Frame frame = event.frame();
        if (frame instanceof Deliver d) {
            if (d.messages().get(0).epoch() == epoch) {
                learnMaxSeq(d.maxSeq());
            }
            take(d.messages(), out);
        } else if (frame instanceof PullResult r) {
            boolean fullPage = pulls.answered(r.fromSeq(), r.messages().size());
            if (r.epoch() != epoch) {
                return;
            }
            learnMaxSeq(r.maxSeq());
            long before = sequence.contiguous();
            take(r.messages(), out);
            // Set only: a late or duplicated answer must not cancel a page that is due.
            if (fullPage && sequence.contiguous() > before) {
                pageDue = true;
            }
            nextPage(event.now(), out);
        } else if (frame instanceof Notify n) {
            if (n.epoch() == epoch) {
                learnMaxSeq(n.maxSeq());
            }
        } else if (frame instanceof Pong p) {
            if (p.epoch() == epoch) {
                learnMaxSeq(p.maxSeq());
            }
        }
        // Any other frame is the engine's (it forwards only the four above); it is no concern of this half.
        watch(event.now(), out);
    }

    @Override
    public void persist(Event.ReadyToPersist event, ClientActions out) {
        if (waitingToRetry || !sequence.canStartCommit()) {
            return;
        }
        long token = tokens.next();
        out.persist(token, sequence.startCommit(token));
    }

    @Override
    public void confirm(Event.CommitDone event, ClientActions out) {
        boolean detached = sequence.inFlightDetached();
        Optional<List<Message>> committed = sequence.commitDone(event.token());
        if (committed.isEmpty()) {
            return;
        }
        commitFailuresInARow = 0;
        // A batch of a sequence that has since been renumbered (G10) is not acked: its seqs mean
        // something else now, and not confirming never loses anything.
        if (!detached) {
            List<String> ids = new ArrayList<>(committed.get().size());
            for (Message m : committed.get()) {
                ids.add(m.id());
            }
            sendAcks(ids, out);
        }
        nextPage(event.now(), out);
        watch(event.now(), out);
    }

    @Override
    public void recover(ClientEvent.Recover event, ClientActions out) {
        if (event instanceof Event.Started s) {
            started(s);
        } else if (event instanceof Event.Connected c) {
            connected(c, out);
        } else if (event instanceof Event.Disconnected) {
            connected = false;
            pageDue = false;
            sequence.clearHoldBack();
            pulls.reset();
            gapTimer.cancel(out);
            tailTimer.cancel(out);
        } else if (event instanceof Event.TimerFired t) {
            timerFired(t, out);
        } else if (event instanceof Event.CommitFailed f) {
            commitFailed(f, out);
        } else {
            throw new IllegalArgumentException("the client half takes no " + event);
        }
    }

    @Override
    public int buffered() {
        return sequence.buffered();
    }

    private void started(Event.Started s) {
        epoch = s.epoch();
        maxSeq = s.cursor();
        sequence.reset(s.cursor());
        pulls.reset();
        connected = false;
        pageDue = false;
        waitingToRetry = false;
        commitFailuresInARow = 0;
        gapTimer.forget();
        tailTimer.forget();
        retryTimer.forget();
    }

    private void connected(Event.Connected c, ClientActions out) {
        connected = true;
        if (epoch != 0 && c.epoch() != epoch) {
            sequence.rebase(c.cursor());
            maxSeq = c.maxSeq();
        } else {
            sequence.advanceCommitted(c.cursor());
            maxSeq = Math.max(maxSeq, c.maxSeq());
        }
        epoch = c.epoch();
        // The server redelivers from the cursor this session started at, in order: what was held back
        // will come again, and the holes it revealed are reported afresh.
        sequence.clearHoldBack();
        pulls.reset();
        pageDue = false;
        gapTimer.cancel(out);
        tailTimer.cancel(out);
        watch(c.now(), out);
    }

    private void timerFired(Event.TimerFired t, ClientActions out) {
        long now = t.now();
        if (gapTimer.fired(t)) {
            if (connected && sequence.hasHole() && sequence.contiguous() < gapWatched) {
                long from = sequence.contiguous() + 1;
                pull(from, (int) Math.min(pulls.page(), sequence.lowestHeld() - from), now, out);
            }
        } else if (tailTimer.fired(t)) {
            if (connected && maxSeq > sequence.highestSeen() && sequence.highestSeen() <= tailMark) {
                pull(sequence.contiguous() + 1, pulls.page(), now, out);
            }
        } else if (retryTimer.fired(t)) {
            waitingToRetry = false;
            if (connected) {
                // The pull asked before the failure may be answered into a sequence that fell back;
                // ask afresh from the committed position.
                pulls.reset();
                pull(sequence.contiguous() + 1, pulls.page(), now, out);
            }
        }
        watch(now, out);
    }

    private void commitFailed(Event.CommitFailed f, ClientActions out) {
        if (!sequence.commitFailed(f.token())) {
            return;
        }
        commitFailuresInARow++;
        waitingToRetry = true;
        pageDue = false;
        long delay = commitRetry.delay(Math.min(commitFailuresInARow, 30), f.random());
        retryTimer.arm(f.now() + delay, f.now(), out);
        watch(f.now(), out);
    }

    /** Verifies, deduplicates and orders the messages of one frame; re-acks committed duplicates. */
    private void take(List<Message> messages, ClientActions out) {
        List<String> reAck = new ArrayList<>();
        int duplicates = 0;
        int corrupt = 0;
        int held = 0;
        int gaps = 0;
        int overflow = 0;
        for (Message m : messages) {
            if (m.epoch() != epoch) {
                continue;
            }
            if (!m.payloadIntact()) {
                corrupt++;
                continue;
            }
            ReceiveSequence.Offer offer = sequence.offer(m);
            switch (offer.verdict()) {
                case COMMITTED_DUPLICATE:
                    duplicates++;
                    reAck.add(m.id());
                    break;
                case PENDING_DUPLICATE:
                case HELD_DUPLICATE:
                    duplicates++;
                    break;
                case HELD:
                    held++;
                    break;
                case DROPPED:
                    overflow++;
                    break;
                default:
                    break;
            }
            if (offer.newGap()) {
                gaps++;
            }
            if (offer.evicted()) {
                overflow++;
            }
        }
        out.signal(Kind.CORRUPT, corrupt);
        out.signal(Kind.DUPLICATE, duplicates);
        out.signal(Kind.GAP_DETECTED, gaps);
        out.signal(Kind.HELD_BACK, held);
        out.signal(Kind.HOLD_BACK_OVERFLOW, overflow);
        sendAcks(reAck, out);
    }

    private void sendAcks(List<String> ids, ClientActions out) {
        for (List<String> chunk : FrameBatches.chunks(ids, Frame.MAX_ACK_IDS)) {
            out.send(new Ack(chunk));
        }
    }

    private void learnMaxSeq(long seq) {
        maxSeq = Math.max(maxSeq, seq);
    }

    /**
     * Puts out a pull from the committed cursor + 1, unless one is outstanding or a failed commit waits to
     * be retried (the retry pulls itself). A pull's start confirms everything below it (the protocol's
     * rule, G5), so while messages wait to be committed the pull waits too: it goes out as soon as the
     * commits have caught up ({@link #nextPage}).
     */
    private void pull(long from, int limit, long now, ClientActions out) {
        if (waitingToRetry) {
            return;
        }
        if (sequence.pendingCount() > 0) {
            pageDue = true;
            return;
        }
        pulls.request(from, limit, now).ifPresent(out::add);
    }

    /** Pulls the page that follows a full one (or a pull that waited for commits), while the server has more. */
    private void nextPage(long now, ClientActions out) {
        if (pageDue && sequence.contiguous() >= maxSeq && !sequence.hasHole()) {
            pageDue = false;
        }
        if (pageDue && connected && !waitingToRetry && sequence.pendingCount() == 0) {
            pageDue = false;
            pull(sequence.contiguous() + 1, pulls.page(), now, out);
        }
    }

    /** Arms or stops the gap and tail timers to match what is missing now. */
    private void watch(long now, ClientActions out) {
        if (!connected) {
            return;
        }
        if (sequence.hasHole()) {
            if (!gapTimer.isArmed()) {
                gapWatched = sequence.contiguous() + 1;
                gapTimer.arm(now + config.gapTimeout().toNanos(), now, out);
            }
        } else {
            gapTimer.cancel(out);
        }
        if (maxSeq > sequence.highestSeen()) {
            if (!tailTimer.isArmed()) {
                tailMark = sequence.highestSeen();
                tailTimer.arm(now + config.tailTimeout().toNanos(), now, out);
            }
        } else {
            tailTimer.cancel(out);
        }
    }
}
