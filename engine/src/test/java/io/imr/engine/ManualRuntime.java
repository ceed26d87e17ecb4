package io.imr.engine;

import java.util.PriorityQueue;
import java.util.concurrent.Executor;

/** A runtime for tests: virtual time that moves only when the test says, tasks run when the test runs them. */
final class ManualRuntime implements EngineRuntime {

    /** The wall clock at virtual time 0: messages a test stores directly carry it, so retention finds them new. */
    static final long WALL_START = 1_800_000_000_000L;

    private record Task(long at, long order, Runnable run, boolean[] cancelled) { }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
            : Long.compare(a.order, b.order));
    private long now;
    private long order;
    private long random = 42;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public long currentTimeMillis() {
        return WALL_START + now / 1_000_000;
    }

    @Override
    public long nextRandom() {
        random = random * 6364136223846793005L + 1442695040888963407L;
        return random;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(new Task(now, order++, task, new boolean[1]));
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        boolean[] cancelled = new boolean[1];
        tasks.add(new Task(now + delayNanos, order++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    @Override
    public Executor blocking() {
        return this::execute;
    }

    /** Runs every task due now, including those they add, then returns. */
    void runDue() {
        while (!tasks.isEmpty() && tasks.peek().at <= now) {
            Task t = tasks.poll();
            if (!t.cancelled[0]) {
                t.run.run();
            }
        }
    }

    /** Moves time forward, running what falls due on the way. */
    void advance(long nanos) {
        long until = now + nanos;
        while (!tasks.isEmpty() && tasks.peek().at <= until) {
            now = Math.max(now, tasks.peek().at);
            runDue();
        }
        now = until;
        runDue();
    }
}
