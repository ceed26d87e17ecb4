package io.imr.engine;

import java.util.concurrent.Executor;

/**
 * Time, randomness and execution for an engine, injected so that production runs it on real
 * threads and the simulator on virtual time with one seeded random source.
 *
 * <p>Everything an engine does runs as a task of {@link #execute}: tasks run one at a time, in
 * the order submitted (a serial executor), so engine state needs no locks.
 */
public interface EngineRuntime {

    /** Monotonic time in nanoseconds; only differences mean anything. */
    long nanoTime();

    /** Wall-clock milliseconds, for timestamps shown to people and token expiry only. */
    long currentTimeMillis();

    /** The next draw of the runtime's random source. Called on the engine's context only. */
    long nextRandom();

    /** Runs a task on the engine's context, after the tasks submitted before it. */
    void execute(Runnable task);

    /** Runs a task on the engine's context after a delay. */
    Cancellable schedule(long delayNanos, Runnable task);

    /**
     * An executor for work that may block (store reads), off the engine's context. Results
     * come back through {@link #execute}.
     */
    Executor blocking();

    /** A scheduled task that can be called off. */
    interface Cancellable {
        /** Calls the task off; does nothing if it ran or was cancelled. */
        void cancel();
    }
}
