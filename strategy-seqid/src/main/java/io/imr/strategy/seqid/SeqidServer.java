package io.imr.strategy.seqid;

import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Pull;
import io.imr.api.strategy.Action;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ServerActions;
import io.imr.api.strategy.ServerEvent;
import io.imr.api.strategy.ServerReliability;
import io.imr.strategy.support.Announcer;
import io.imr.strategy.support.FrameBatches;
import io.imr.strategy.support.PullAnswers;
import io.imr.strategy.support.TokenSource;
import io.imr.strategy.support.WatermarkTracker;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's half of the {@code seqid} strategy, for one device. It keeps no message in memory and
 * never retransmits: the device repairs every loss by pulling.
 *
 * <ul>
 *   <li><b>What the device holds</b> the server learns only from implicit cumulative confirmations: the
 *       cursor of its hello, and the committed cursor each pull carries. That is the device's watermark, persisted when it advanced
 *       ({@code PersistWatermark}, one commit at a time); a fresh half starts from the persisted one.</li>
 *   <li><b>Push.</b> Appended messages that continue what was sent are pushed while they lie within
 *       {@code push-window} of the watermark; beyond, the device is told the max seq ({@code Notify}, at
 *       most once per 100 ms, always eventually for the latest) and pulls, which confirms and opens the
 *       window again. Nothing is pushed that the device missed while away: it pulls that on connecting.
 *       So what was sent and not confirmed ({@link #unconfirmed()}) never exceeds the push window (G7).</li>
 *   <li><b>Pulls</b> are answered from the inbox ({@link PullAnswers}: bounded reads, merged pulls), each
 *       read at most {@code push-window} long; pushing resumes after what a pull returned.</li>
 *   <li><b>Tail</b> (G9): every frame carrying messages tells the max seq, and so does each pong (the
 *       engine's), so a device that lost the last message notices it and pulls.</li>
 * </ul>
 */
final class SeqidServer implements ServerReliability {

    static final String NOTIFY_TIMER = SeqidStrategyProvider.NAME + ".notify";

    private final SeqidConfig config;
    private final WatermarkTracker watermark = new WatermarkTracker();
    private final PullAnswers pulls;
    private final TokenSource tokens = new TokenSource();
    private final Announcer announcer = new Announcer(NOTIFY_TIMER, SeqidConfig.NOTIFY_INTERVAL.toNanos());

    private boolean connected;
    private long epoch;
    private long maxSeq;
    /** The highest seq sent to the device in this session, or confirmed by it. */
    private long sentUpTo;

    SeqidServer(SeqidConfig config) {
        this.config = config;
        this.pulls = new PullAnswers(SeqidConfig.MAX_PULL_READS, config.pushWindow());
    }

    @Override
    public void receive(ServerEvent.Receive event, ServerActions out) {
        if (event instanceof Event.MessagesAppended appended) {
            maxSeq = Math.max(maxSeq, appended.maxSeq());
            if (connected) {
                push(appended.messages(), out);
                announce(event.now(), out);
            }
            return;
        }
        Frame frame = ((Event.FrameArrived) event).frame();
        if (connected && frame instanceof Pull pull) {
            long confirmed = Math.min(pull.committed(), maxSeq);
            watermark.advanceTo(confirmed);
            sentUpTo = Math.max(sentUpTo, confirmed);
            pulls.pull(pull, epoch, maxSeq, tokens, out);
        }
        if (connected && (frame instanceof Ack || frame instanceof AckUpTo)) {
            out.signal(Action.Signal.Kind.IGNORED_OTHER_STRATEGY, 1); // the pull's cursor confirms, nothing else
        }
        // Any other frame is the engine's.
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
            connected = true;
            long cursor = Math.min(c.cursor(), c.maxSeq());
            maxSeq = c.epoch() != epoch ? c.maxSeq() : Math.max(maxSeq, c.maxSeq());
            epoch = c.epoch();
            sentUpTo = watermark.connected(c.epoch(), cursor);
            // The welcome told the max seq: a device that starts behind pulls without being told again.
            announcer.startSession(c.maxSeq(), out);
            pulls.clear();
        } else if (event instanceof Event.Disconnected) {
            connected = false;
            pulls.clear();
            announcer.endSession(out);
        } else if (event instanceof Event.TimerFired t) {
            if (announcer.fired(t)) {
                announce(t.now(), out);
            }
        } else if (event instanceof Event.InboxRead r) {
            maxSeq = Math.max(maxSeq, r.maxSeq());
            long told = pulls.inboxRead(r, epoch, maxSeq, tokens, out);
            if (told >= 0 && !r.messages().isEmpty()) {
                long last = r.messages().get(r.messages().size() - 1).seq();
                // What the answer carried was sent: pushing goes on after it.
                sentUpTo = Math.max(sentUpTo, Math.min(last, watermark.confirmed() + config.pushWindow()));
                announcer.told(told);
            }
        } else if (event instanceof Event.CommitFailed f) {
            watermark.failed(f.token());
        }
    }

    @Override
    public int unconfirmed() {
        return (int) Math.max(0, sentUpTo - watermark.confirmed());
    }

    /** Pushes what continues what was sent, within the push window. */
    private void push(List<Message> messages, ServerActions out) {
        List<Message> sent = new ArrayList<>();
        for (Message m : messages) {
            if (m.epoch() != epoch || m.seq() <= sentUpTo) {
                continue;
            }
            if (m.seq() != sentUpTo + 1 || m.seq() - watermark.confirmed() > config.pushWindow()) {
                break;
            }
            sentUpTo = m.seq();
            sent.add(m);
        }
        for (List<Message> batch : FrameBatches.split(sent, Frame.MAX_BATCH, FrameBatches.DEFAULT_FRAME_BYTES)) {
            long last = batch.get(batch.size() - 1).seq();
            out.send(new Deliver(batch, Math.max(maxSeq, last)));
            announcer.told(last);
        }
    }

    /** Tells the device of messages it will not get pushed, throttled. */
    private void announce(long now, ServerActions out) {
        if (connected) {
            announcer.announce(epoch, maxSeq, now, out);
        }
    }
}
