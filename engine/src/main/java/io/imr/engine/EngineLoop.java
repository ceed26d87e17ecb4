package io.imr.engine;

import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's thread: runs tasks one at a time in the order they were given, and timers when
 * they are due. Tasks come from any thread through a lock-free queue and wake the thread only
 * when it sleeps; timers live in a heap that only the loop's thread touches.
 *
 * <p>Why not a {@code ScheduledThreadPoolExecutor}: it puts every task, timers or not, through a
 * locked delay heap and signals a condition for each, which cost a busy sender's engine thread a
 * sixth of its time.
 *
 * <p>A task that throws is reported to the thread's uncaught-exception handler and the loop goes
 * on. {@link #close()} stops the loop; tasks and timers not yet run are dropped.
 */
final class EngineLoop {

    /** A scheduled task; {@link #cancel()} from any thread. */
    static final class Timer implements EngineRuntime.Cancellable {
        private final EngineLoop loop;
        private final long deadline;
        private final Runnable task;
        /** Orders timers of one deadline as they were scheduled; set on the loop's thread. */
        private long sequence;
        private volatile boolean cancelled;

        private Timer(EngineLoop loop, long deadline, Runnable task) {
            this.loop = loop;
            this.deadline = deadline;
            this.task = task;
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                loop.cancelled.incrementAndGet();
            }
        }
    }

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> a.deadline != b.deadline
            ? Long.compare(a.deadline, b.deadline) : Long.compare(a.sequence, b.sequence));
    private final AtomicInteger cancelled = new AtomicInteger();
    private final Thread thread;
    private volatile boolean sleeping;
    private volatile boolean stopped;
    private long sequence;

    EngineLoop(String threadName) {
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs the task on the loop's thread, after every task given before it. */
    void execute(Runnable task) {
        if (stopped) {
            return;
        }
        tasks.add(task);
        if (sleeping) {
            LockSupport.unpark(thread);
        }
    }

    /** Runs the task on the loop's thread once {@code delayNanos} have passed (at once for 0 or less). */
    EngineRuntime.Cancellable schedule(long delayNanos, Runnable task) {
        Timer timer = new Timer(this, System.nanoTime() + Math.max(0, delayNanos), task);
        execute(() -> addTimer(timer));
        return timer;
    }

    boolean isStopped() {
        return stopped;
    }

    /** Timers waiting, cancelled ones included until they are dropped; for tests. */
    int timersWaiting() {
        return timers.size();
    }

    private void addTimer(Timer t) {
        if (t.cancelled) {
            cancelled.updateAndGet(c -> Math.max(0, c - 1));
            return;
        }
        t.sequence = sequence++;
        timers.add(t);
        int c = cancelled.get();
        if (c > 64 && c > timers.size() / 2) {
            // Cancelled timers are dropped lazily; purge them once they are most of the heap.
            timers.removeIf(x -> x.cancelled);
            cancelled.set(0);
        }
    }

    private void run() {
        while (!stopped) {
            runDueTimers();
            int ran = 0;
            Runnable r;
            while (!stopped && ran < 1024 && (r = tasks.poll()) != null) {
                runGuarded(r);
                ran++;
            }
            if (stopped || !tasks.isEmpty()) {
                continue;
            }
            Timer next = timers.peek();
            long now = System.nanoTime();
            if (next != null && next.deadline <= now) {
                continue;
            }
            sleeping = true;
            if (tasks.isEmpty() && !stopped) {
                if (next == null) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, next.deadline - now);
                }
            }
            sleeping = false;
        }
        tasks.clear();
        timers.clear();
    }

    private void runDueTimers() {
        long now = System.nanoTime();
        Timer t;
        while (!stopped && (t = timers.peek()) != null && t.deadline <= now) {
            timers.poll();
            if (t.cancelled) {
                cancelled.updateAndGet(c -> Math.max(0, c - 1));
            } else {
                runGuarded(t.task);
            }
        }
    }

    private void runGuarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, e);
        }
    }

    /**
     * Stops the loop: the task running finishes, nothing else runs.
     *
     * @return whether the thread ended within the time given
     */
    boolean close(long timeout, TimeUnit unit) throws InterruptedException {
        stopped = true;
        LockSupport.unpark(thread);
        if (Thread.currentThread() == thread) {
            return true;
        }
        thread.join(unit.toMillis(timeout));
        return !thread.isAlive();
    }
}
