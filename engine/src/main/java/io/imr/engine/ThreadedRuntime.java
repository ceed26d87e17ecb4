package io.imr.engine;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The production runtime: one engine thread (an {@link EngineLoop}), one thread for blocking store
 * reads, the JVM's clocks and a random source seeded from {@link SecureRandom}.
 */
public final class ThreadedRuntime implements EngineRuntime, AutoCloseable {

    private final EngineLoop engine;
    private final ExecutorService blocking;
    private final SplittableRandom random;

    /**
     * @param name names the threads ({@code imr-<name>-engine}, {@code imr-<name>-read})
     */
    public ThreadedRuntime(String name) {
        this.engine = new EngineLoop("imr-" + name + "-engine");
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
        engine.execute(task);
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        if (engine.isStopped()) {
            return () -> { };
        }
        return engine.schedule(delayNanos, task);
    }

    @Override
    public Executor blocking() {
        return blocking;
    }

    /** Stops both threads; tasks not yet run are dropped. */
    @Override
    public void close() {
        blocking.shutdownNow();
        try {
            engine.close(5, TimeUnit.SECONDS);
            blocking.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
