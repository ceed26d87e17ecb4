package io.imr.testkit;

import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Virtual time for a whole simulation: one queue of tasks ordered by time, then by the order they were
 * scheduled in; one seeded random source; one task at a time. Nothing here reads a clock or starts a
 * thread, so a seed replays the same run.
 *
 * <p>A task that throws is not swallowed: the exception goes to the failure handler, which the
 * simulation turns into a reported failure (the production runtime logs it; a simulation must not
 * hide it).
 */
final class VirtualScheduler {

    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private final SplittableRandom random;
    private long now;
    private long order;
    private java.util.function.Consumer<RuntimeException> onFailure = e -> {
        throw e;
    };

    VirtualScheduler(long seed) {
        this.random = new SplittableRandom(seed);
    }

    void onFailure(java.util.function.Consumer<RuntimeException> handler) {
        this.onFailure = handler;
    }

    /** Virtual nanoseconds since the start of the simulation. */
    long now() {
        return now;
    }

    SplittableRandom random() {
        return random;
    }

    /** Whether an event of this probability happens now (one draw). */
    boolean chance(double probability) {
        return probability > 0 && random.nextDouble() < probability;
    }

    /** A draw from {@code min} (inclusive) to {@code max} (exclusive); {@code min} when the range is empty. */
    long between(long min, long max) {
        return max <= min ? min : random.nextLong(min, max);
    }

    /** Runs the task after the delay, unless its life ended by then or it was cancelled. */
    Task schedule(long delayNanos, Life life, Runnable task) {
        Task t = new Task(now + Math.max(0, delayNanos), order++, life, task);
        queue.add(t);
        return t;
    }

    /** Runs every task due up to {@code until}, then sets the clock to it. */
    void runUntil(long until) {
        while (!queue.isEmpty() && queue.peek().time <= until) {
            Task t = queue.poll();
            now = t.time;
            if (t.cancelled || !t.life.alive()) {
                continue;
            }
            try {
                t.task.run();
            } catch (RuntimeException e) {
                onFailure.accept(e);
            }
        }
        now = Math.max(now, until);
    }

    /** A scheduled task. */
    static final class Task implements Comparable<Task>, io.imr.engine.EngineRuntime.Cancellable {
        final long time;
        final long order;
        final Life life;
        final Runnable task;
        boolean cancelled;

        Task(long time, long order, Life life, Runnable task) {
            this.time = time;
            this.order = order;
            this.life = life;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(order, o.order);
        }
    }
}
