package io.imr.api.strategy;

import io.imr.api.Message;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a strategy puts the actions one event leads to. The driver passes a fresh or drained
 * instance with each event and carries out {@link #drain()} in order. Not thread-safe: a
 * strategy is driven by one thread at a time.
 */
public final class Actions {

    private final List<Action> actions = new ArrayList<>();

    /** Adds an action. */
    public Actions add(Action action) {
        if (action == null) {
            throw new IllegalArgumentException("action must not be null");
        }
        actions.add(action);
        return this;
    }

    public Actions send(Frame frame) {
        return add(new Action.SendFrame(frame));
    }

    public Actions persist(long token, List<Message> messages) {
        return add(new Action.Persist(token, messages));
    }

    public Actions persistWatermark(long token, long epoch, long confirmed) {
        return add(new Action.PersistWatermark(token, epoch, confirmed));
    }

    public Actions readInbox(long token, long fromSeq, int limit) {
        return add(new Action.ReadInbox(token, fromSeq, limit));
    }

    public Actions pull(long fromSeq, int limit) {
        return add(new Action.PullRange(fromSeq, limit));
    }

    public Actions schedule(String timer, long delayNanos) {
        return add(new Action.ScheduleTimer(timer, delayNanos));
    }

    public Actions cancel(String timer) {
        return add(new Action.CancelTimer(timer));
    }

    public Actions signal(Action.Signal.Kind kind, long amount) {
        return amount == 0 ? this : add(new Action.Signal(kind, amount));
    }

    public Actions close(ErrorFrame.Code code, String reason) {
        return add(new Action.Close(code, reason));
    }

    /** The actions so far, in order, without removing them. */
    public List<Action> list() {
        return List.copyOf(actions);
    }

    /** The actions so far, in order; afterwards this instance is empty. */
    public List<Action> drain() {
        List<Action> out = List.copyOf(actions);
        actions.clear();
        return out;
    }

    public boolean isEmpty() {
        return actions.isEmpty();
    }

    @Override
    public String toString() {
        return actions.toString();
    }
}
