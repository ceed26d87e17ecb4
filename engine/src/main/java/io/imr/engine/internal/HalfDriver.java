package io.imr.engine.internal;

import io.imr.api.strategy.Action;
import io.imr.api.strategy.Actions;
import io.imr.api.strategy.Event;
import io.imr.engine.EngineRuntime;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Feeds events to one strategy half and carries out its actions, with the parts every side
 * shares: the event stamps (time and a random draw), timers by name, and the group-commit
 * rhythm (a {@link Event.ReadyToPersist} whenever no commit of the half is running). What an
 * action means for I/O is the side's: it implements {@link #perform}.
 *
 * <p>Owns: the timers of one half, whether its commit runs, the pauses. May not: perform I/O itself
 * (the side's {@link #perform} does) or replace the half (the side does, inside a {@link #pause}).
 * Runs on the engine's context only.
 *
 * @param <E> the side's events
 * @param <A> the side's actions
 * @param <O> the side's action collector
 */
public abstract class HalfDriver<E extends Event, A extends Action, O extends Actions<A>> {

    protected final EngineRuntime runtime;
    private final O actions;
    private final Map<String, Timer> timers = new HashMap<>();
    private boolean commitRunning;
    private int pauses;
    private final ArrayDeque<Runnable> whenIdle = new ArrayDeque<>();
    private boolean feeding;
    private boolean stopped;

    /** Makes one of the events both sides share, stamped: {@code Event.ReadyToPersist::new}. */
    @FunctionalInterface
    public interface Stamped<E> {
        E make(long now, long random);
    }

    /** Makes a timer's event, stamped: {@code Event.TimerFired::new}. */
    @FunctionalInterface
    public interface TimerEvent<E> {
        E make(long now, long random, String timer);
    }

    private final Stamped<E> readyToPersist;
    private final TimerEvent<E> timerFired;

    /**
     * @param readyToPersist {@code Event.ReadyToPersist::new}, typed as this side's event
     * @param timerFired     {@code Event.TimerFired::new}, typed as this side's event
     */
    protected HalfDriver(EngineRuntime runtime, O actions, Stamped<E> readyToPersist, TimerEvent<E> timerFired) {
        this.runtime = runtime;
        this.actions = actions;
        this.readyToPersist = readyToPersist;
        this.timerFired = timerFired;
    }

    /** Hands one event to the half: {@code half.on(event, out)}. */
    protected abstract void deliver(E event, O out);

    /** Carries out one action other than timers. Returns true when it started a commit. */
    protected abstract boolean perform(A action);



    /** The half threw: the side decides how to recover (a fresh half, a closed session). */
    protected abstract void halfFailed(RuntimeException e);

    /** Feeds an event, carries out what it leads to, then offers a commit if none runs. */
    public final void feed(E event) {
        if (stopped) {
            return;
        }
        step(event);
        offerCommit();
    }

    /**
     * The commit this half started returned: feed the outcome, run what waited for no commit to be running
     * ({@link #pause}), and offer the next commit.
     */
    public final void commitFinished(E outcome) {
        commitRunning = false;
        if (stopped) {
            return;
        }
        step(outcome);
        while (!commitRunning && !whenIdle.isEmpty()) {
            whenIdle.poll().run();
        }
        offerCommit();
    }

    /**
     * Offers the half no commit until {@link #resume}, and runs {@code action} as soon as none of its
     * commits is running: at once when none is, else right after the running one's outcome was fed. A
     * half is replaced (another strategy, a new epoch) only then, so no outcome of an old half's commit
     * ever reaches a new half, and no new half starts from a cursor that a running commit is moving.
     */
    public final void pause(Runnable action) {
        pauses++;
        if (commitRunning) {
            whenIdle.add(action);
        } else {
            action.run();
        }
    }

    /** Ends one {@link #pause}; when none is left, commits are offered again. */
    public final void resume() {
        if (pauses > 0) {
            pauses--;
        }
        offerCommit();
    }

    /** Whether commits are paused. */
    public final boolean paused() {
        return pauses > 0;
    }

    private void offerCommit() {
        // Feeding ReadyToPersist can lead to further events only through actions, so one round suffices;
        // the guard keeps a half that persists nothing from spinning.
        if (!commitRunning && !feeding && !stopped && pauses == 0) {
            step(readyToPersist.make(runtime.nanoTime(), runtime.nextRandom()));
        }
    }

    private void step(E event) {
        boolean outer = !feeding;
        feeding = true;
        try {
            deliver(event, actions);
            List<A> todo = actions.drain();
            for (A a : todo) {
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

    private void carryOut(A a) {
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
                feed(timerFired.make(runtime.nanoTime(), runtime.nextRandom(), name));
            }
        }
    }
}
