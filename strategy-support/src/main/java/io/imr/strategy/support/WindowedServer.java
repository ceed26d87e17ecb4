package io.imr.strategy.support;

import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Notify;
import io.imr.api.frame.Pull;
import io.imr.api.strategy.Action.Signal.Kind;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ServerActions;
import io.imr.api.strategy.ServerEvent;
import io.imr.api.strategy.ServerReliability;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The server half of a strategy that pushes within a bounded window of unconfirmed messages and
 * retransmits what stays unconfirmed: {@code ack} (confirmed by seq ranges, the window refilled from the inbox)
 * and {@code hybrid} (confirmed cumulatively; beyond the window the device pulls) are this class with
 * {@link Settings} each.
 *
 * <ul>
 *   <li><b>Window.</b> What was pushed in this session and not confirmed stays in a window bounded by
 *       {@code window} messages and {@code windowBytes} (G7). Pushes are contiguous: a message is pushed
 *       only when it follows the last one sent (or confirmed). With {@link Settings#refillFromInbox()},
 *       the window is also filled from the inbox in order as it drains ({@code ReadInbox} pages of at most
 *       the free room); without, it is filled from the inbox only once, when a session resumes from the
 *       confirmed watermark (as XMPP stream management resumes from {@code h}), and a device behind by
 *       more than the window is told the max seq and pulls.</li>
 *   <li><b>Confirmations.</b> {@code AckUpTo} of the session's epoch confirms everything up to its seq
 *       (never beyond the sequence); so does a pull's committed cursor, for everything up to it (the
 *       protocol's rule: a pull carries the device's committed cursor). With {@link Settings#acksBySeq()}, an
 *       {@code Ack} of the session's epoch confirms the seqs of its ranges that are in the window; other
 *       seqs are ignored (acks of an earlier session's sends, or of pulled messages), and so is an Ack of
 *       another epoch. Each refills the window.</li>
 *   <li><b>Watermark.</b> The highest seq up to which the device confirmed everything, persisted with
 *       {@code PersistWatermark} when it advanced (one commit at a time; after a failed one, asked again).
 *       It starts from what the store kept ({@code Started}) and follows the device's cursor at each
 *       session: up, and down when the device holds less than it once confirmed (its store was lost).</li>
 *   <li><b>Retransmit.</b> One timer, armed for the earliest deadline in the window. When it fires, every
 *       message whose deadline passed is sent again (only what is above the watermark is in the window)
 *       and counted; its next deadline doubles per attempt from {@code retransmitInitial} up to
 *       {@code retransmitMax}, with ±20% jitter from the event's random draw.</li>
 *   <li><b>Notify</b> (G9). When appended messages are not pushed (window full, not contiguous with what
 *       was sent), the device is told the max seq, at most once per {@code notifyInterval}, and always
 *       eventually for the latest max seq, unless a {@code Deliver} or {@code PullResult} told it.</li>
 *   <li><b>Pulls</b> are answered by {@link PullAnswers}; what is pulled does not enter the window.</li>
 *   <li><b>Sessions.</b> {@code Disconnected} forgets the window, the reads and the timers: the inbox still
 *       holds everything, and the next session starts again from the watermark.</li>
 * </ul>
 *
 * <p>A failure inside a method leaves the instance unusable; the engine drops it, and a fresh one starts
 * from the device's persisted watermark and cursor, so nothing confirmed or stored is lost.
 */
public final class WindowedServer implements ServerReliability {

    /**
     * How a windowed server behaves.
     *
     * @param name              the strategy's name: its timers are {@code NAME.retransmit} and {@code NAME.notify}
     * @param window            the most messages pushed and not confirmed, 1 or more
     * @param windowBytes       the most estimated bytes of them (a single larger message still goes, alone)
     * @param retransmitInitial the first wait for a confirmation before a resend; doubles per resend
     * @param retransmitMax     the cap of that wait
     * @param notifyInterval    the least time between two {@code Notify} frames to the device
     * @param maxPullReads      the most inbox reads outstanding for the device's pulls
     * @param acksBySeq         whether {@code Ack} frames (seq ranges of one epoch) confirm what they name, besides
     *                          {@code AckUpTo} and pulls
     * @param refillFromInbox   whether the window is refilled from the inbox as it drains, or only when a
     *                          session resumes (the device pulls what lies beyond)
     */
    public record Settings(String name, int window, int windowBytes, Duration retransmitInitial,
                           Duration retransmitMax, Duration notifyInterval, int maxPullReads, boolean acksBySeq,
                           boolean refillFromInbox) {
        public Settings {
            if (name == null || name.isEmpty() || window < 1 || windowBytes < 1 || maxPullReads < 1
                    || retransmitInitial == null || retransmitMax == null || notifyInterval == null
                    || retransmitInitial.isNegative() || retransmitInitial.isZero()
                    || retransmitMax.compareTo(retransmitInitial) < 0 || notifyInterval.isNegative()) {
                throw new IllegalArgumentException("a windowed server needs a name, a window and reads of 1 or more,"
                        + " a positive retransmit wait not above its cap, and a notify interval of 0 or more");
            }
        }
    }

    private final Settings settings;
    private final UnackedWindow window;
    private final Backoff backoff;
    private final WatermarkTracker watermark = new WatermarkTracker();
    private final PullAnswers pulls;
    private final TokenSource tokens = new TokenSource();
    private final TimerSlot retransmitTimer;
    private final Announcer announcer;

    private boolean connected;
    private long epoch;
    private long maxSeq;
    /** The highest seq sent in this session or confirmed; everything from the watermark up to it was sent. */
    private long sentUpTo;
    /** The outstanding read that fills the window, 0 for none. */
    private long fillToken;
    /** The session resumes from the watermark: the window may be filled from the inbox once. */
    private boolean resuming;
    /**
     * The next message to send was refused by the window (by its bytes, or its count): reading it again
     * is pointless until something leaves the window.
     */
    private boolean windowFull;

    public WindowedServer(Settings settings) {
        this.settings = settings;
        this.window = new UnackedWindow(settings.window(), settings.windowBytes());
        this.backoff = new Backoff(settings.retransmitInitial().toNanos(), settings.retransmitMax().toNanos(),
                Backoff.DEFAULT_JITTER);
        this.pulls = new PullAnswers(settings.maxPullReads(), settings.window());

        this.retransmitTimer = new TimerSlot(settings.name() + ".retransmit");
        this.announcer = new Announcer(settings.name() + ".notify", settings.notifyInterval().toNanos());
    }

    /** The retransmit timer's name. */
    public String retransmitTimer() {
        return retransmitTimer.name();
    }

    /** The notify timer's name. */
    public String notifyTimer() {
        return announcer.timerName();
    }

    @Override
    public void receive(ServerEvent.Receive event, ServerActions out) {
        if (event instanceof Event.MessagesAppended appended) {
            maxSeq = Math.max(maxSeq, appended.maxSeq());
            if (!connected) {
                return;
            }
            if (send(appended.messages(), appended, out) == 0) {
                announce(appended.now(), out);
            }
            refill(out);
            return;
        }
        Frame frame = ((Event.FrameArrived) event).frame();
        if (!connected) {
            return;
        }
        if (frame instanceof Ack && !settings.acksBySeq()) {
            out.signal(Kind.IGNORED_OTHER_STRATEGY, 1); // acks by seq are another strategy's
        } else if (frame instanceof Ack ack) {
            if (ack.epoch() != epoch) {
                return; // seqs of another numbering: an earlier session's
            }
            for (Ack.Range r : ack.ranges()) {
                if (r.last() > maxSeq) {
                    out.signal(Kind.IGNORED_NOT_DELIVERED, 1); // what lies above was never sent
                    break;
                }
            }
            int left = 0;
            for (Ack.Range r : ack.ranges()) {
                left += window.acknowledgeRange(r.first(), r.last());
            }
            if (left > 0) {
                confirmed(event.now(), out);
            }
        } else if (frame instanceof AckUpTo upTo) {
            if (upTo.epoch() == epoch && upTo.seq() > maxSeq) {
                out.signal(Kind.IGNORED_NOT_DELIVERED, 1); // confirmed only up to the sequence's end
            }
            if (upTo.epoch() == epoch) {
                confirmUpTo(upTo.seq(), event.now(), out);
            }
        } else if (frame instanceof Pull pull) {
            confirmUpTo(pull.committed(), event.now(), out);
            announcer.told(pulls.pull(pull, epoch, maxSeq, tokens, out));
        }
        // Any other frame is the engine's (it forwards only the three above); no concern of this half.
    }

    @Override
    public void persist(Event.ReadyToPersist event, ServerActions out) {
        watermark.persist(tokens, out);
    }

    @Override
    public void confirm(Event.CommitDone event, ServerActions out) {
        watermark.done(event.token());
    }

    @Override
    public void recover(ServerEvent.Recover event, ServerActions out) {
        if (event instanceof Event.Started s) {
            epoch = s.epoch();
            watermark.restore(s.epoch(), s.cursor());
        } else if (event instanceof Event.Connected c) {
            connected(c, out);
        } else if (event instanceof Event.Disconnected) {
            endSession(out);
        } else if (event instanceof Event.TimerFired t) {
            if (retransmitTimer.fired(t)) {
                retransmit(t, out);
            } else if (announcer.fired(t)) {
                announce(t.now(), out);
            }
        } else if (event instanceof Event.InboxRead r) {
            inboxRead(r, out);
        } else if (event instanceof Event.CommitFailed f) {
            watermark.failed(f.token());
        }
    }

    @Override
    public int unconfirmed() {
        return window.size();
    }

    /** The device's confirmed watermark. */
    public long watermark() {
        return watermark.confirmed();
    }

    private void connected(Event.Connected c, ServerActions out) {
        // A session that replaces another without a Disconnected in between ends it first.
        endSession(out);
        connected = true;
        // The device's cursor counts as confirmed (the session is authenticated as that device), but never
        // beyond the sequence: a cursor above the max seq is the engine's to settle with a new epoch (G10).
        long cursor = Math.min(c.cursor(), c.maxSeq());
        maxSeq = c.epoch() != epoch ? c.maxSeq() : Math.max(maxSeq, c.maxSeq());
        epoch = c.epoch();
        sentUpTo = watermark.connected(c.epoch(), cursor);
        // The welcome told the max seq; a server that will not push all of it still owes a Notify.
        announcer.startSession(settings.refillFromInbox() ? c.maxSeq() : cursor, out);
        resuming = true;
        refill(out);
        // The fill belongs to the resumption: a session with nothing to read then is not filled later, when
        // the device is told instead and pulls (else it would be pushed and pull the same messages).
        resuming = fillToken != 0;
    }

    private void endSession(ServerActions out) {
        connected = false;
        window.clear();
        pulls.clear();
        fillToken = 0;
        windowFull = false;
        resuming = false;
        retransmitTimer.cancel(out);
        announcer.endSession(out);
    }

    private void inboxRead(Event.InboxRead r, ServerActions out) {
        if (r.token() == fillToken && fillToken != 0) {
            fillToken = 0;
            maxSeq = Math.max(maxSeq, r.maxSeq());
            boolean sentSome = send(r.messages(), r, out) > 0;
            resuming = false;
            if (sentSome) {
                refill(out);
            }
            announce(r.now(), out);
            return;
        }
        long told = pulls.inboxRead(r, epoch, maxSeq, tokens, out);
        if (told >= 0) {
            maxSeq = Math.max(maxSeq, r.maxSeq());
            announcer.told(told);
        }
        // Otherwise: a read of an earlier session; its session is gone, and so is whom it was for.
    }

    /**
     * Sends, in order, the messages that continue what was sent and fit the window.
     *
     * @return how many were sent
     */
    private int send(List<Message> messages, ServerEvent event, ServerActions out) {
        long now = event.now();
        long deadline = now + backoff.delay(1, event.random());
        List<Message> sent = new ArrayList<>();
        for (Message m : messages) {
            if (m.epoch() != epoch || m.seq() <= sentUpTo) {
                continue;
            }
            if (m.seq() != sentUpTo + 1) {
                break;
            }
            if (!window.admits(m)) {
                windowFull = true;
                break;
            }
            window.add(m, now, deadline);
            sentUpTo = m.seq();
            sent.add(m);
        }
        deliver(sent, out);
        armRetransmit(now, out);
        return sent.size();
    }

    /** Reads the next page from the inbox for the window, when allowed, unless one is being read or there is no room. */
    private void refill(ServerActions out) {
        if (!connected || fillToken != 0 || windowFull || !window.hasRoom() || sentUpTo >= maxSeq
                || !(settings.refillFromInbox() || resuming)) {
            return;
        }
        fillToken = tokens.next();
        out.readInbox(fillToken, sentUpTo + 1, Math.min(window.countRoom(), Frame.MAX_BATCH));
    }

    /** The device confirmed everything up to {@code seq} (never beyond the sequence). */
    private void confirmUpTo(long seq, long now, ServerActions out) {
        long upTo = Math.min(seq, maxSeq);
        if (upTo <= watermark.confirmed() && upTo <= sentUpTo) {
            return;
        }
        window.acknowledgeUpTo(upTo);
        sentUpTo = Math.max(sentUpTo, upTo);
        watermark.advanceTo(upTo);
        confirmed(now, out);
    }

    /** Messages left the window: move the watermark, the retransmit timer and the window on. */
    private void confirmed(long now, ServerActions out) {
        windowFull = false;
        watermark.advanceTo(window.isEmpty() ? sentUpTo : window.lowestSeq() - 1);
        armRetransmit(now, out);
        refill(out);
        if (!settings.refillFromInbox()) {
            announce(now, out);
        }
    }

    private void retransmit(Event.TimerFired t, ServerActions out) {
        if (!connected) {
            return;
        }
        long now = t.now();
        List<UnackedWindow.Entry> due = window.due(now);
        List<Message> resend = new ArrayList<>(due.size());
        for (UnackedWindow.Entry e : due) {
            window.resent(e, now, now + backoff.delay(e.attempts() + 1, t.random()));
            resend.add(e.message());
        }
        out.signal(Kind.RETRANSMIT, resend.size());
        deliver(resend, out);
        armRetransmit(now, out);
    }

    /**
     * Keeps the retransmit timer at or before the earliest deadline. A timer that ends up early (its
     * message was confirmed) finds nothing due and is moved then, which saves a reschedule per ack.
     */
    private void armRetransmit(long now, ServerActions out) {
        OptionalLong earliest = window.earliestDeadline();
        if (earliest.isEmpty()) {
            retransmitTimer.cancel(out);
        } else if (!retransmitTimer.isArmed() || earliest.getAsLong() < retransmitTimer.deadline()) {
            retransmitTimer.arm(earliest.getAsLong(), now, out);
        }
    }

    /**
     * Pushes messages. Their frame tells the max seq; with {@link Settings#refillFromInbox()} that is all
     * the device needs to know (the rest will be pushed). Without, the device still has to be told, with a
     * {@code Notify}, of what will not be pushed: that is its cue to pull.
     */
    private void deliver(List<Message> messages, ServerActions out) {
        for (List<Message> batch : FrameBatches.split(messages, Frame.MAX_BATCH, FrameBatches.DEFAULT_FRAME_BYTES)) {
            long last = batch.get(batch.size() - 1).seq();
            long top = Math.max(maxSeq, last);
            out.send(new Deliver(batch, top));
            announcer.told(settings.refillFromInbox() ? top : last);
        }
    }

    /** Tells the device the max seq, throttled, unless it knows it already. */
    private void announce(long now, ServerActions out) {
        if (connected) {
            announcer.announce(epoch, maxSeq, now, out);
        }
    }
}
