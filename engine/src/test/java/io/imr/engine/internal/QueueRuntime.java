package io.imr.engine.internal;

import io.imr.engine.EngineRuntime;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * A runtime for tests of the engine's internal pieces: tasks wait until the test runs them, one at
 * a time, as on an engine's context; time stands still and nothing may be scheduled.
 */
final class QueueRuntime implements EngineRuntime {

    final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public long nanoTime() {
        return 0;
    }

    @Override
    public long currentTimeMillis() {
        return 0;
    }

    @Override
    public long nextRandom() {
        return 4;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        throw new UnsupportedOperationException("these pieces schedule nothing");
    }

    @Override
    public Executor blocking() {
        return this::execute;
    }

    /** Runs the next {@code n} tasks. */
    void run(int n) {
        for (int i = 0; i < n; i++) {
            tasks.poll().run();
        }
    }

    /** Runs tasks until none is left, including those they add. */
    void runAll() {
        while (!tasks.isEmpty()) {
            tasks.poll().run();
        }
    }
}
