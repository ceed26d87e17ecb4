package io.imr.strategy.ack;

import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Notify;
import io.imr.api.frame.Pull;
import io.imr.api.frame.PullResult;
import io.imr.api.strategy.Action.Signal.Kind;
import io.imr.api.strategy.ServerActions;
import io.imr.api.strategy.ServerEvent;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ServerReliability;
import io.imr.strategy.support.Backoff;
import io.imr.strategy.support.FrameBatches;
import io.imr.strategy.support.PullQueue;
import io.imr.strategy.support.Throttle;
import io.imr.strategy.support.TimerSlot;
import io.imr.strategy.support.TokenSource;
import io.imr.strategy.support.UnackedWindow;
import io.imr.strategy.support.WatermarkTracker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The server's half of the {@code ack} strategy, for one device.
 *
 * <ul>
 *   <li><b>Window.</b> What was sent in this session and not acked stays in a window bounded by
 *       {@code window} messages and {@code window-bytes} (G7). Sends are contiguous from the confirmed
 *       watermark: the window is filled from the inbox in order ({@link Event.MessagesAppended} pushes
 *       directly when it continues what was sent; otherwise {@code ReadInbox} pages of at most the free
 *       room), so the watermark is the seq below the lowest one still in the window, or the last seq
 *       sent when the window is empty. A message leaves the window only by an ack.</li>
 *   <li><b>Acks.</b> {@code Ack} removes the ids it names that are in the window; other ids are ignored
 *       (acks of an earlier session's sends, or of pulled messages: those are confirmed when the
 *       window reaches them and the device re-acks them as duplicates). {@code AckUpTo} is taken as a
 *       cumulative confirmation of its epoch. Either refills the window.</li>
 *   <li><b>Retransmit.</b> One timer, armed for the earliest deadline in the window. When it fires, every
 *       message whose deadline passed is sent again (in {@code Deliver} batches) and counted; its next
 *       deadline doubles per attempt from {@code retransmit-initial} up to {@code retransmit-max}, with
 *       ±20% jitter from the event's random draw (one draw per event, so a batch sent together stays
 *       together).</li>
 *   <li><b>Notify</b> (G9). When appended messages are not pushed (window full, not contiguous with
 *       what was sent), the device is told the max seq, at most once per 100 ms, and always eventually
 *       for the latest max seq, unless a {@code Deliver} or {@code PullResult} told it already.</li>
 *   <li><b>Pulls</b> are answered from the inbox ({@code ReadInbox} then one {@code PullResult} of at
 *       most the pull's limit and one frame's bytes); what is pulled does not enter the window. At most
 *       {@value AckConfig#MAX_PULL_READS} reads are outstanding for pulls, each of at most
 *       {@code window} messages; further pulls are merged into one waiting pull ({@link PullQueue}), so
 *       a pull storm costs bounded memory and nothing asked for is refused. A pull from beyond the max
 *       seq is answered at once, empty.</li>
 *   <li><b>Persist</b>: one {@code PersistWatermark} when the watermark advanced beyond the persisted or
 *       persisting one; after a failed commit the next {@code ReadyToPersist} asks again.</li>
 *   <li><b>Sessions.</b> {@code Connected} takes the device's cursor as confirmed and redelivers from
 *       the watermark, paced by the window. {@code Disconnected} forgets the window, the reads and the
 *       timers: the inbox still holds everything, and the next session rebuilds the window from the
 *       watermark. Answers to reads of an earlier session are ignored.</li>
 * </ul>
 *
 * <p>A failure inside a method leaves the instance unusable; the engine drops it, and a fresh one
 * rebuilds everything from the device's cursor and the inbox, so nothing confirmed or stored is lost.
 */
final class AckServer implements ServerReliability {

    static final String RETRANSMIT_TIMER = "ack.retransmit";
    static final String NOTIFY_TIMER = "ack.notify";

    private final AckConfig config;
    private final UnackedWindow window;
    private final Backoff backoff;
    private final WatermarkTracker watermark = new WatermarkTracker();
    private final PullQueue pullQueue = new PullQueue(AckConfig.MAX_PULL_READS);
    /** The outstanding reads for pulls, by token. */
    private final Map<Long, Pull> pullReads = new HashMap<>();
    private final TokenSource tokens = new TokenSource();
    private final Throttle notifyThrottle = new Throttle(AckConfig.NOTIFY_INTERVAL_NANOS);
    private final TimerSlot retransmitTimer = new TimerSlot(RETRANSMIT_TIMER);
    private final TimerSlot notifyTimer = new TimerSlot(NOTIFY_TIMER);

    private boolean connected;
    private long epoch;
    private long maxSeq;
    /** The highest seq sent in this session; everything from the watermark up to it was sent. */
    private long sentUpTo;
    /** The highest max seq the device was told in this session. */
    private long advertised;
    /** The outstanding read that refills the window, 0 for none. */
    private long fillToken;
    /**
     * The next message to send was refused by the window (by its bytes, or its count): reading it again
     * is pointless until something leaves the window.
     */
    private boolean windowFull;

    AckServer(AckConfig config) {
        this.config = config;
        this.window = new UnackedWindow(config.window(), config.windowBytes());
        this.backoff = new Backoff(config.retransmitInitial().toNanos(), config.retransmitMax().toNanos(),
                Backoff.DEFAULT_JITTER);
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
        if (frame instanceof Ack ack) {
            boolean any = false;
            for (String id : ack.messageIds()) {
                any |= window.acknowledge(id).isPresent();
            }
            if (any) {
                confirmed(event.now(), out);
            }
        } else if (frame instanceof AckUpTo upTo) {
            if (upTo.epoch() == epoch) {
                // Never beyond the sequence: a device cannot confirm what does not exist.
                long seq = Math.min(upTo.seq(), maxSeq);
                window.acknowledgeUpTo(seq);
                sentUpTo = Math.max(sentUpTo, seq);
                confirmed(event.now(), out);
            }
        } else if (frame instanceof Pull pull) {
            pull(pull, out);
        }
        // Any other frame is the engine's (it forwards only the three above); no concern of this half.
    }

    @Override
    public void persist(Event.ReadyToPersist event, ServerActions out) {
        if (epoch >= 1 && watermark.needsPersist()) {
            long token = tokens.next();
            out.persistWatermark(token, epoch, watermark.startPersist(token));
        }
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
            } else if (notifyTimer.fired(t)) {
                announce(t.now(), out);
            }
        } else if (event instanceof Event.InboxRead r) {
            inboxRead(r, out);
        } else if (event instanceof Event.CommitFailed f) {
            watermark.failed(f.token());
        } else {
            throw new IllegalArgumentException("the server half takes no " + event);
        }
    }

    @Override
    public int unconfirmed() {
        return window.size();
    }

    private void connected(Event.Connected c, ServerActions out) {
        // A session that replaces another without a Disconnected in between ends it first.
        endSession(out);
        connected = true;
        // The device's cursor counts as confirmed (the session is authenticated as that device), but never
        // beyond the sequence: a cursor above the max seq is the engine's to settle with a new epoch (G10).
        long cursor = Math.min(c.cursor(), c.maxSeq());
        if (c.epoch() != epoch) {
            epoch = c.epoch();
            maxSeq = c.maxSeq();
        } else {
            maxSeq = Math.max(maxSeq, c.maxSeq());
        }
        sentUpTo = watermark.connected(c.epoch(), cursor);
        advertised = c.maxSeq();
        refill(out);
    }

    private void endSession(ServerActions out) {
        connected = false;
        window.clear();
        pullReads.clear();
        pullQueue.clear();
        fillToken = 0;
        windowFull = false;
        notifyThrottle.reset();
        retransmitTimer.cancel(out);
        notifyTimer.cancel(out);
    }

    private void inboxRead(Event.InboxRead r, ServerActions out) {
        if (r.token() == fillToken && fillToken != 0) {
            fillToken = 0;
            maxSeq = Math.max(maxSeq, r.maxSeq());
            if (send(r.messages(), r, out) > 0) {
                refill(out);
            } else {
                announce(r.now(), out);
            }
            return;
        }
        Pull pull = pullReads.remove(r.token());
        if (pull == null) {
            return; // a read of an earlier session: its session is gone, and so is whom it was for
        }
        maxSeq = Math.max(maxSeq, r.maxSeq());
        answer(pull, r.messages(), out);
        pullQueue.completed().ifPresent(next -> readFor(next, out));
    }

    /**
     * Sends, in order, the messages that continue what was sent and fit the window.
     *
     * @return how many were sent
     */
    private int send(List<Message> messages, Event event, ServerActions out) {
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

    /** Reads the next page from the inbox for the window, unless one is being read or there is no room. */
    private void refill(ServerActions out) {
        if (!connected || fillToken != 0 || windowFull || !window.hasRoom() || sentUpTo >= maxSeq) {
            return;
        }
        fillToken = tokens.next();
        out.readInbox(fillToken, sentUpTo + 1, Math.min(window.countRoom(), Frame.MAX_BATCH));
    }

    /** Messages left the window: move the watermark, the retransmit timer and the window on. */
    private void confirmed(long now, ServerActions out) {
        windowFull = false;
        watermark.advanceTo(window.isEmpty() ? sentUpTo : window.lowestSeq() - 1);
        armRetransmit(now, out);
        refill(out);
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
     * message was acked) finds nothing due and is moved then, which saves a reschedule per ack.
     */
    private void armRetransmit(long now, ServerActions out) {
        OptionalLong earliest = window.earliestDeadline();
        if (earliest.isEmpty()) {
            retransmitTimer.cancel(out);
        } else if (!retransmitTimer.isArmed() || earliest.getAsLong() < retransmitTimer.deadline()) {
            retransmitTimer.arm(earliest.getAsLong(), now, out);
        }
    }

    private void deliver(List<Message> messages, ServerActions out) {
        for (List<Message> batch : FrameBatches.split(messages, Frame.MAX_BATCH, FrameBatches.DEFAULT_FRAME_BYTES)) {
            long top = Math.max(maxSeq, batch.get(batch.size() - 1).seq());
            out.send(new Deliver(batch, top));
            advertised = Math.max(advertised, top);
        }
    }

    /** Tells the device the max seq, throttled, unless it knows it already. */
    private void announce(long now, ServerActions out) {
        if (!connected || maxSeq <= advertised) {
            return;
        }
        if (notifyThrottle.tryAcquire(now)) {
            out.send(new Notify(epoch, maxSeq));
            advertised = maxSeq;
            notifyTimer.cancel(out);
        } else {
            notifyTimer.armIfIdle(notifyThrottle.nextAllowed(now), now, out);
        }
    }

    private void pull(Pull pull, ServerActions out) {
        if (pull.fromSeq() > maxSeq) {
            answer(pull, List.of(), out);
            return;
        }
        pullQueue.admit(pull).ifPresent(p -> readFor(p, out));
    }

    private void readFor(Pull pull, ServerActions out) {
        long token = tokens.next();
        pullReads.put(token, pull);
        out.readInbox(token, pull.fromSeq(), Math.min(pull.limit(), config.window()));
    }

    /** One PullResult of what was read: in range, of this epoch, within the pull's limit and one frame. */
    private void answer(Pull pull, List<Message> read, ServerActions out) {
        List<Message> inRange = new ArrayList<>(read.size());
        for (Message m : read) {
            if (m.seq() >= pull.fromSeq() && m.epoch() == epoch) {
                inRange.add(m);
            }
        }
        List<Message> page = FrameBatches.prefix(inRange, pull.limit(), FrameBatches.DEFAULT_FRAME_BYTES);
        long top = page.isEmpty() ? maxSeq : Math.max(maxSeq, page.get(page.size() - 1).seq());
        out.send(new PullResult(pull.fromSeq(), page, top, epoch));
        advertised = Math.max(advertised, top);
    }
}
