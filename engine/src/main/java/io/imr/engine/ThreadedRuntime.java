package io.imr.engine;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The production runtime: one engine thread (a single-threaded scheduled executor), one thread
 * for blocking store reads, the JVM's clocks and a random source seeded from
 * {@link SecureRandom}.
 */
public final class ThreadedRuntime implements EngineRuntime, AutoCloseable {

    private final ScheduledThreadPoolExecutor engine;
    private final ExecutorService blocking;
    private final SplittableRandom random;

    /**
     * @param name names the threads ({@code imr-<name>-engine}, {@code imr-<name>-read})
     */
    public ThreadedRuntime(String name) {
        this.engine = new ScheduledThreadPoolExecutor(1, daemon("imr-" + name + "-engine"));
        this.engine.setRemoveOnCancelPolicy(true);
        this.engine.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.blocking = Executors.newSingleThreadExecutor(daemon("imr-" + name + "-read"));
        this.random = new SplittableRandom(new SecureRandom().nextLong());
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, n.getAndIncrement() == 0 ? name : name + "-" + n.get());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public long currentTimeMillis() {
        return System.currentTimeMillis();
    }

    @Override
    public long nextRandom() {
        return random.nextLong();
    }

    @Override
    public void execute(Runnable task) {
        if (!engine.isShutdown()) {
            engine.execute(guard(task));
        }
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        if (engine.isShutdown()) {
            return () -> { };
        }
        ScheduledFuture<?> f = engine.schedule(guard(task), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public Executor blocking() {
        return blocking;
    }

    /** An exception in a task must not kill the engine thread (a scheduled executor would swallow it silently). */
    private static Runnable guard(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        };
    }

    /** Stops both threads; tasks not yet run are dropped. */
    @Override
    public void close() {
        engine.shutdownNow();
        blocking.shutdownNow();
        try {
            engine.awaitTermination(5, TimeUnit.SECONDS);
            blocking.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
