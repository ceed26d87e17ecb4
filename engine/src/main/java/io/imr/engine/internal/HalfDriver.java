package io.imr.engine.internal;

import io.imr.api.strategy.Action;
import io.imr.api.strategy.Actions;
import io.imr.api.strategy.Event;
import io.imr.engine.EngineRuntime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Feeds events to one strategy half and carries out its actions, with the parts every side
 * shares: the event stamps (time and a random draw), timers by name, and the group-commit
 * rhythm (a {@link Event.ReadyToPersist} whenever no commit of the half is running). What an
 * action means for I/O is the side's: it implements {@link #perform}.
 *
 * <p>Runs on the engine's context only.
 */
public abstract class HalfDriver {

    protected final EngineRuntime runtime;
    private final Actions actions = new Actions();
    private final Map<String, Timer> timers = new HashMap<>();
    private boolean commitRunning;
    private boolean feeding;
    private boolean stopped;

    protected HalfDriver(EngineRuntime runtime) {
        this.runtime = runtime;
    }

    /** Hands one event to the half: {@code half.on(event, out)}. */
    protected abstract void deliver(Event event, Actions out);

    /** Carries out one action other than timers. Returns true when it started a commit. */
    protected abstract boolean perform(Action action);

    /** The half threw: the side decides how to recover (a fresh half, a closed session). */
    protected abstract void halfFailed(RuntimeException e);

    /** Feeds an event, carries out what it leads to, then offers a commit if none runs. */
    public final void feed(Event event) {
        if (stopped) {
            return;
        }
        step(event);
        offerCommit();
    }

    /** The commit this half started returned: feed the outcome and offer the next commit. */
    public final void commitFinished(Event outcome) {
        commitRunning = false;
        feed(outcome);
    }

    private void offerCommit() {
        // Feeding ReadyToPersist can lead to further events only through actions, so one round suffices;
        // the guard keeps a half that persists nothing from spinning.
        if (!commitRunning && !feeding && !stopped) {
            step(new Event.ReadyToPersist(runtime.nanoTime(), runtime.nextRandom()));
        }
    }

    private void step(Event event) {
        boolean outer = !feeding;
        feeding = true;
        try {
            deliver(event, actions);
            List<Action> todo = actions.drain();
            for (Action a : todo) {
                if (stopped) {
                    break;
                }
                carryOut(a);
            }
        } catch (RuntimeException e) {
            actions.drain();
            halfFailed(e);
        } finally {
            if (outer) {
                feeding = false;
            }
        }
    }

    private void carryOut(Action a) {
        if (a instanceof Action.ScheduleTimer t) {
            Timer old = timers.remove(t.timer());
            if (old != null) {
                old.handle.cancel();
            }
            Timer timer = new Timer(t.timer());
            timers.put(t.timer(), timer);
            timer.handle = runtime.schedule(t.delayNanos(), () -> timer.fire());
        } else if (a instanceof Action.CancelTimer c) {
            Timer old = timers.remove(c.timer());
            if (old != null) {
                old.handle.cancel();
            }
        } else if (perform(a)) {
            commitRunning = true;
        }
    }

    /** Whether a commit of this half is running. */
    public final boolean commitRunning() {
        return commitRunning;
    }

    /** Cancels every timer and ignores all later events. */
    public final void stop() {
        stopped = true;
        timers.values().forEach(t -> t.handle.cancel());
        timers.clear();
    }

    public final boolean stopped() {
        return stopped;
    }

    /** Cancels every timer but keeps the driver usable (for a fresh half). */
    protected final void cancelTimers() {
        timers.values().forEach(t -> t.handle.cancel());
        timers.clear();
    }

    private final class Timer {
        final String name;
        EngineRuntime.Cancellable handle;

        Timer(String name) {
            this.name = name;
        }

        void fire() {
            // A timer replaced or cancelled after it was queued must not fire.
            if (timers.get(name) == this) {
                timers.remove(name);
                feed(new Event.TimerFired(runtime.nanoTime(), runtime.nextRandom(), name));
            }
        }
    }
}
