package io.imr.strategy.support;

import io.imr.api.frame.Notify;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ServerActions;

/**
 * What a server half has told a device of its user's max seq (G9), and the {@code Notify} frames that
 * tell it the rest: at most one per interval, and always eventually one for the latest max seq (a timer
 * sends it when the interval forbade it). What a device was told by any frame ({@code Deliver},
 * {@code PullResult}, the welcome) counts, so a burst of appends costs one frame, not one per message.
 */
public final class Announcer {

    private final Throttle throttle;
    private final TimerSlot timer;
    /** The highest max seq the device was told, or will get without asking, in this session. */
    private long told;

    /**
     * @param timerName     the timer that sends a notify the interval held back
     * @param intervalNanos the least time between two notifies, 1 or more
     */
    public Announcer(String timerName, long intervalNanos) {
        this.throttle = new Throttle(Math.max(1, intervalNanos));
        this.timer = new TimerSlot(timerName);
    }

    /** A session starts: the device knows of everything up to {@code known}; no notify is due. */
    public void startSession(long known, ServerActions out) {
        told = known;
        throttle.reset();
        timer.cancel(out);
    }

    /** The session ended: a due notify is no longer due. */
    public void endSession(ServerActions out) {
        throttle.reset();
        timer.cancel(out);
    }

    /** The device learnt of everything up to {@code seq} from a frame it was sent. */
    public void told(long seq) {
        told = Math.max(told, seq);
    }

    /** The highest max seq the device was told. */
    public long toldUpTo() {
        return told;
    }

    /**
     * Tells the device the max seq, unless it knows it already: now, or when the interval allows.
     */
    public void announce(long epoch, long maxSeq, long now, ServerActions out) {
        if (maxSeq <= told) {
            return;
        }
        if (throttle.tryAcquire(now)) {
            out.send(new Notify(epoch, maxSeq));
            told = maxSeq;
            timer.cancel(out);
        } else {
            timer.armIfIdle(throttle.nextAllowed(now), now, out);
        }
    }

    /** Whether this event is the announcer's timer firing (then the caller announces again). */
    public boolean fired(Event.TimerFired event) {
        return timer.fired(event);
    }

    /** The timer's name. */
    public String timerName() {
        return timer.name();
    }
}
