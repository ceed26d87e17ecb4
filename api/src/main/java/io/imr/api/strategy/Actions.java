package io.imr.api.strategy;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a half puts the actions one event leads to: {@link ClientActions} for a client half,
 * {@link ServerActions} for a server half, each taking only its side's actions. The driver passes a
 * drained instance with each event and carries out {@link #drain()} in order. Not thread-safe: a half
 * is driven by one thread at a time.
 *
 * @param <A> the side's actions
 */
public abstract sealed class Actions<A extends Action> permits ClientActions, ServerActions {

    private final List<A> actions = new ArrayList<>();

    Actions() {
    }

    /** Adds an action. */
    public final Actions<A> add(A action) {
        if (action == null) {
            throw new IllegalArgumentException("action must not be null");
        }
        actions.add(action);
        return this;
    }

    /** Adds an action both sides may take (they implement both sides' interfaces). */
    @SuppressWarnings("unchecked")
    private Actions<A> common(Action action) {
        return add((A) action);
    }

    public final Actions<A> send(Frame frame) {
        return common(new Action.SendFrame(frame));
    }

    public final Actions<A> schedule(String timer, long delayNanos) {
        return common(new Action.ScheduleTimer(timer, delayNanos));
    }

    public final Actions<A> cancel(String timer) {
        return common(new Action.CancelTimer(timer));
    }

    public final Actions<A> signal(Action.Signal.Kind kind, long amount) {
        return amount == 0 ? this : common(new Action.Signal(kind, amount));
    }

    public final Actions<A> close(ErrorFrame.Code code, String reason) {
        return common(new Action.Close(code, reason));
    }

    /** The actions so far, in order, without removing them. */
    public final List<A> list() {
        return List.copyOf(actions);
    }

    /** How many actions are collected so far. */
    public final int size() {
        return actions.size();
    }

    /** The actions so far, in order; afterwards this instance is empty. */
    public final List<A> drain() {
        List<A> out = List.copyOf(actions);
        actions.clear();
        return out;
    }

    public final boolean isEmpty() {
        return actions.isEmpty();
    }

    @Override
    public String toString() {
        return actions.toString();
    }
}
