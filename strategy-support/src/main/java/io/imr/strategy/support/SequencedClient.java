package io.imr.strategy.support;

import io.imr.api.Message;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The client half that every strategy over consecutive seqs shares: receive, persist and recover,
 * with the strategy's own confirmation plugged in ({@link Confirmer}). The {@code ack}, {@code seqid}
 * and {@code hybrid} strategies are this class with a confirmer and {@link Settings} each.
 *
 * <ul>
 *   <li><b>receive</b> ({@code Deliver}, {@code PullResult}): a message whose payload does not verify is
 *       dropped and counted (G4; it is received again). One at or below the committed cursor is a
 *       duplicate, handed to the confirmer (a strategy that acks by id acks it again). One accepted or
 *       being committed is a duplicate that is dropped. The next expected one is accepted, with whatever
 *       held messages then follow without a hole. One further on waits in the bounded hold-back buffer
 *       ({@code holdBack}; beyond it, dropped and counted). Messages of another epoch than the session's
 *       are ignored. Every frame that carries the server's max seq ({@code Deliver}, {@code PullResult},
 *       {@code Notify}, {@code Pong}) teaches it (G9).</li>
 *   <li><b>persist</b>: one {@code Persist} of everything accepted, never past a hole (G3); what arrives
 *       meanwhile goes into the next one. Nothing is persisted while waiting to retry after a failed
 *       commit.</li>
 *   <li><b>confirm</b>: the cursor moves to the commit's last seq and the confirmer is told, never
 *       before (G5).</li>
 *   <li><b>recover</b>: {@code Started} takes the store's committed state. {@code Connected} adopts the
 *       session's epoch and cursor and drops what is held back (the server sends again from the cursor);
 *       what is accepted or being committed stays. {@code Disconnected} stops the timers and keeps what is
 *       accepted. {@code CommitFailed} falls back to the committed cursor, dropping the failed batch and
 *       everything received after it, and arms a retry timer with backoff; when it fires, commits resume
 *       and the device pulls from the committed cursor.</li>
 * </ul>
 *
 * <p><b>Pulls.</b> Every pull starts right after the contiguous position (what was received in order,
 * committed or not) and carries the <em>committed</em> cursor, which the server may take as a
 * confirmation (the protocol's rule, G5): it never claims a position that only sits in memory. A pull
 * goes out only while at most a page waits to be committed, so that the next page travels while the last
 * one is being committed. At most one is outstanding
 * ({@link PullTracker}: further wishes merge into it, and one unanswered for {@code tailTimeout} counts
 * as lost). A pull is wanted when:
 * <ul>
 *   <li>a hole is seen: at once ({@link Settings#gapTimeout()} zero: the {@code seqid} rule, "on any
 *       discontinuity, pull from the cursor", and again if it is still open after {@code tailTimeout}), or
 *       when the hole is still open after the gap timeout, for exactly the missing range (reordering gets
 *       that long to fill it);</li>
 *   <li>the server's max seq is above everything received and nothing new arrived for
 *       {@code tailTimeout} (G9: a lost last message is noticed within that bound), or at once when a
 *       {@code Notify} says so and the strategy's server notifies instead of pushing
 *       ({@link Settings#pullOnNotify()});</li>
 *   <li>a full page was pulled and the server has more: the next page, as soon as at most this one waits to
 *       be committed;</li>
 *   <li>a failed commit's retry timer fired.</li>
 * </ul>
 * Catch-up therefore runs at the speed of the commits, the server reading and sending one page while the
 * device commits the one before, and what the device holds stays bounded (G7) by what the server pushes,
 * two pull pages and the hold-back buffer.
 *
 * <p>A failure inside a method leaves the instance unusable; the driver starts a new one from the
 * store, and nothing committed is lost.
 */
public final class SequencedClient implements ClientReliability {

    /** The first wait before a device retries after a failed commit; doubles per failure in a row. */
    public static final long COMMIT_RETRY_INITIAL_NANOS = Duration.ofMillis(250).toNanos();

    /** The cap of that wait. */
    public static final long COMMIT_RETRY_MAX_NANOS = Duration.ofSeconds(10).toNanos();

    /**
     * How a sequenced client behaves, apart from its confirmations.
     *
     * @param name        the strategy's name: its timers are {@code NAME.gap}, {@code NAME.tail} and
     *                    {@code NAME.commit-retry}
     * @param holdBack    the most messages kept past a hole, 0 or more
     * @param gapTimeout  how long a hole may stay open before its range is pulled; zero pulls at once
     * @param tailTimeout how long a device that knows of messages beyond what it has waits without progress
     *                    before it pulls them (G9), and how long it waits for a pull's answer
     * @param pullPage    the most messages one pull asks for, 1 to {@link Frame#MAX_BATCH}
     * @param pullOnNotify whether a {@code Notify} of messages beyond what the device has is pulled at once:
     *                    for a strategy whose server notifies instead of pushing when the device is behind
     * @param pullOnConnect whether a session that starts behind the server's max seq pulls at once: for a
     *                    strategy whose server does not push what a device missed while away
     */
    public record Settings(String name, int holdBack, Duration gapTimeout, Duration tailTimeout, int pullPage,
                           boolean pullOnNotify, boolean pullOnConnect) {
        public Settings {
            if (name == null || name.isEmpty() || holdBack < 0 || gapTimeout == null || gapTimeout.isNegative()
                    || tailTimeout == null || tailTimeout.isNegative() || tailTimeout.isZero() || pullPage < 1
                    || pullPage > Frame.MAX_BATCH) {
                throw new IllegalArgumentException("a sequenced client needs a name, a hold-back of 0 or more, a gap"
                        + " timeout of 0 or more, a positive tail timeout and a pull page of 1 to " + Frame.MAX_BATCH);
            }
        }
    }

    /** What the confirmer may read of the device's sequence. */
    public interface View {
        /** The epoch of the session, 0 before the first. */
        long epoch();

        /** The committed cursor. */
        long committed();

        /** Whether a session is up. */
        boolean connected();

        /** Whether nothing is accepted, being committed or held back. */
        boolean idle();
    }

    /**
     * What a strategy tells the server about what the device committed, and when. Every method is called
     * after the sequence took the event, so {@link View} shows the state it led to. Never confirm more
     * than {@link View#committed()} (G5).
     */
    public interface Confirmer {

        /** A commit returned: {@code batch} is committed now. */
        void committed(List<Message> batch, View view, long now, ClientActions out);

        /** Messages at or below the committed cursor arrived again (the server resent them). */
        default void committedAgain(List<Message> duplicates, View view, long now, ClientActions out) {
        }

        /** A session is up; {@link View#committed()} is the cursor it started at. */
        default void connected(View view, long now, ClientActions out) {
        }

        /** The session ended; nothing can be sent until the next one. */
        default void disconnected(ClientActions out) {
        }

        /**
         * A timer fired that is not the sequence's own.
         *
         * @return whether it was one of the confirmer's
         */
        default boolean timerFired(Event.TimerFired timer, View view, ClientActions out) {
            return false;
        }
    }

    private final Settings settings;
    private final Confirmer confirmer;
    private final ReceiveSequence sequence;
    private final PullTracker pulls;
    private final Backoff commitRetry;
    private final TokenSource tokens = new TokenSource();
    private final TimerSlot gapTimer;
    private final TimerSlot tailTimer;
    private final TimerSlot retryTimer;
    private final View view = new View() {
        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public long committed() {
            return sequence.committed();
        }

        @Override
        public boolean connected() {
            return connected;
        }

        @Override
        public boolean idle() {
            return sequence.buffered() == 0;
        }
    };

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
    /** A pull is wanted (a page follows a full one, or a pull waited for commits): it goes out when it may. */
    private boolean pullDue;
    /** The most the due pull needs: the hole's length, or a page. */
    private int pullDueLimit;

    public SequencedClient(Settings settings, Confirmer confirmer) {
        this.settings = settings;
        this.confirmer = confirmer;
        this.sequence = new ReceiveSequence(settings.holdBack());
        this.pulls = new PullTracker(settings.pullPage(), settings.tailTimeout().toNanos());
        this.commitRetry = new Backoff(COMMIT_RETRY_INITIAL_NANOS, COMMIT_RETRY_MAX_NANOS, Backoff.DEFAULT_JITTER);
        this.gapTimer = new TimerSlot(settings.name() + ".gap");
        this.tailTimer = new TimerSlot(settings.name() + ".tail");
        this.retryTimer = new TimerSlot(settings.name() + ".commit-retry");
    }

    /** The timer of a hole that is still open. */
    public String gapTimer() {
        return gapTimer.name();
    }

    /** The timer of a tail the device knows of and has not received. */
    public String tailTimer() {
        return tailTimer.name();
    }

    /** The timer of the retry after a failed commit. */
    public String retryTimer() {
        return retryTimer.name();
    }

    @Override
    public void receive(Event.FrameArrived event, ClientActions out) {
        Frame frame = event.frame();
        long now = event.now();
        if (frame instanceof Deliver d) {
            if (d.messages().get(0).epoch() == epoch) {
                learnMaxSeq(d.maxSeq());
            }
            take(d.messages(), now, out);
        } else if (frame instanceof PullResult r) {
            boolean fullPage = pulls.answered(r.fromSeq(), r.messages().size());
            if (r.epoch() != epoch) {
                return;
            }
            learnMaxSeq(r.maxSeq());
            long before = sequence.contiguous();
            take(r.messages(), now, out);
            // Set only: a late or duplicated answer must not cancel a pull that is due. A short answer while the
            // server has more is a page too, for a strategy whose server will not push the rest.
            boolean more = fullPage || settings.pullOnNotify() && maxSeq > sequence.highestSeen();
            if (more && sequence.contiguous() > before) {
                wantPull(settings.pullPage());
            }
        } else if (frame instanceof Notify n) {
            if (n.epoch() == epoch) {
                learnMaxSeq(n.maxSeq());
                if (settings.pullOnNotify() && connected && maxSeq > sequence.highestSeen()) {
                    wantPull(settings.pullPage());
                }
            }
        } else if (frame instanceof Pong p) {
            if (p.epoch() == epoch) {
                learnMaxSeq(p.maxSeq());
            }
        }
        // Any other frame is the engine's (it forwards only the four above); it is no concern of this half.
        duePull(now, out);
        watch(now, out);
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
        // A batch of a sequence that has since been renumbered (G10) is not confirmed: its seqs mean
        // something else now, and not confirming never loses anything.
        if (!detached) {
            confirmer.committed(committed.get(), view, event.now(), out);
        }
        duePull(event.now(), out);
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
            pullDue = false;
            sequence.clearHoldBack();
            pulls.reset();
            gapTimer.cancel(out);
            tailTimer.cancel(out);
            confirmer.disconnected(out);
        } else if (event instanceof Event.TimerFired t) {
            timerFired(t, out);
        } else if (event instanceof Event.CommitFailed f) {
            commitFailed(f, out);
        }
    }

    @Override
    public int buffered() {
        return sequence.buffered();
    }

    /** The sequence, for tests and confirmers that need more than the {@link View}. */
    public ReceiveSequence sequence() {
        return sequence;
    }

    private void started(Event.Started s) {
        epoch = s.epoch();
        maxSeq = s.cursor();
        sequence.reset(s.cursor());
        pulls.reset();
        connected = false;
        pullDue = false;
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
        // The server sends again from the cursor this session started at, in order: what was held back
        // will come again, and the holes it revealed are reported afresh.
        sequence.clearHoldBack();
        pulls.reset();
        pullDue = false;
        gapTimer.cancel(out);
        tailTimer.cancel(out);
        confirmer.connected(view, c.now(), out);
        if (settings.pullOnConnect() && maxSeq > sequence.committed()) {
            pull(settings.pullPage(), c.now(), out);
        }
        watch(c.now(), out);
    }

    private void timerFired(Event.TimerFired t, ClientActions out) {
        long now = t.now();
        if (gapTimer.fired(t)) {
            if (connected && sequence.hasHole() && sequence.contiguous() < gapWatched) {
                pullHole(now, out);
            }
        } else if (tailTimer.fired(t)) {
            if (connected && maxSeq > sequence.highestSeen() && sequence.highestSeen() <= tailMark) {
                pull(settings.pullPage(), now, out);
            }
        } else if (retryTimer.fired(t)) {
            waitingToRetry = false;
            if (connected) {
                // Pull from the committed position, which the failure fell back to. A pull still outstanding
                // merges this one: two failures in a row cannot pile pulls up (G7). If it started further on
                // (a page ahead, after messages the failed commit dropped), its answer leaves a hole, which is
                // pulled as any other.
                pull(settings.pullPage(), now, out);
            }
        } else if (!confirmer.timerFired(t, view, out)) {
            return;
        }
        watch(now, out);
    }

    private void commitFailed(Event.CommitFailed f, ClientActions out) {
        if (!sequence.commitFailed(f.token())) {
            return;
        }
        commitFailuresInARow++;
        waitingToRetry = true;
        pullDue = false;
        long delay = commitRetry.delay(Math.min(commitFailuresInARow, 30), f.random());
        retryTimer.arm(f.now() + delay, f.now(), out);
        watch(f.now(), out);
    }

    /** Verifies, deduplicates and orders the messages of one frame. */
    private void take(List<Message> messages, long now, ClientActions out) {
        List<Message> again = new ArrayList<>();
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
                    again.add(m);
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
        if (!again.isEmpty()) {
            confirmer.committedAgain(again, view, now, out);
        }
        if ((gaps > 0 || overflow > 0) && settings.gapTimeout().isZero() && connected) {
            pull(settings.pullPage(), now, out);
        }
    }

    private void learnMaxSeq(long seq) {
        maxSeq = Math.max(maxSeq, seq);
    }

    /**
     * Pulls the hole after the contiguous position: exactly up to the lowest message held past it, or, for
     * a strategy that pulls at once ({@code seqid}), a whole page from there.
     */
    private void pullHole(long now, ClientActions out) {
        long from = sequence.contiguous() + 1;
        long lowest = sequence.lowestHeld();
        int limit = lowest > from && !settings.gapTimeout().isZero()
                ? (int) Math.min(settings.pullPage(), lowest - from) : settings.pullPage();
        pull(limit, now, out);
    }

    private void wantPull(int limit) {
        pullDueLimit = pullDue ? Math.max(pullDueLimit, limit) : limit;
        pullDue = true;
    }

    /**
     * Puts out a pull from the contiguous position + 1 with the committed cursor as its confirmation, unless
     * one is outstanding or a failed commit waits to be retried (the retry pulls itself). While more than a
     * page waits to be committed the pull waits too: it goes out as soon as the commits have caught up to
     * within a page ({@link #duePull}).
     */
    private void pull(int limit, long now, ClientActions out) {
        if (waitingToRetry) {
            return;
        }
        if (!roomForAPage()) {
            wantPull(limit);
            return;
        }
        pulls.request(sequence.contiguous() + 1, limit, sequence.committed(), now).ifPresent(out::add);
    }

    /**
     * Whether a pull may go out now: at most a page of what was received in order waits to be committed
     * (being committed or accepted for the next commit). So the next page travels while the last is being
     * committed, and the device never holds more than that, one page arriving and the hold-back buffer (G7).
     */
    private boolean roomForAPage() {
        return sequence.pendingCount() <= settings.pullPage();
    }

    /** Puts out the pull that is due, once it may go, while the server has more or a hole is open. */
    private void duePull(long now, ClientActions out) {
        if (pullDue && sequence.contiguous() >= maxSeq && !sequence.hasHole()) {
            pullDue = false;
        }
        if (pullDue && connected && !waitingToRetry && roomForAPage()) {
            pullDue = false;
            pull(pullDueLimit, now, out);
        }
    }

    /** Arms or stops the gap and tail timers to match what is missing now. */
    private void watch(long now, ClientActions out) {
        if (!connected) {
            return;
        }
        if (sequence.hasHole()) {
            if (!gapTimer.isArmed()) {
                // A strategy that pulls a hole at once watches it for as long as a pull may take to come back.
                long delay = settings.gapTimeout().isZero() ? settings.tailTimeout().toNanos()
                        : settings.gapTimeout().toNanos();
                gapWatched = sequence.contiguous() + 1;
                gapTimer.arm(now + delay, now, out);
            }
        } else {
            gapTimer.cancel(out);
        }
        if (maxSeq > sequence.highestSeen()) {
            if (!tailTimer.isArmed()) {
                tailMark = sequence.highestSeen();
                tailTimer.arm(now + settings.tailTimeout().toNanos(), now, out);
            }
        } else {
            tailTimer.cancel(out);
        }
    }
}
