package io.imr.testkit;

import io.imr.engine.EngineRuntime;
import java.util.concurrent.Executor;

/**
 * An engine's view of the virtual scheduler: its tasks belong to one {@link Life}, so a crash drops
 * them; time, randomness and the blocking executor are the simulation's. The wall clock is the virtual
 * clock shifted to a fixed date, so timestamps and token expiry are reproducible too, plus the offset of the
 * process's machine's {@link WallClock}, which the {@code clock-jump} fault moves.
 */
final class VirtualRuntime implements EngineRuntime {

    /** The wall-clock time at virtual time 0: 2026-01-01T00:00:00Z. */
    static final long EPOCH_MILLIS = 1_767_225_600_000L;

    /** Store reads on the blocking executor take this long: they leave the context, as in production. */
    private static final long BLOCKING_NANOS = 50_000;

    private final VirtualScheduler scheduler;
    private final Life life;
    private final WallClock clock;

    /**
     * The wall clock of one machine: the true time plus an offset, moved by jumps (an administrator, NTP after a
     * long suspend, a wrong RTC). It outlives the processes that run on the machine.
     */
    static final class WallClock {
        long offsetMillis;
    }

    VirtualRuntime(VirtualScheduler scheduler, Life life) {
        this(scheduler, life, new WallClock());
    }

    VirtualRuntime(VirtualScheduler scheduler, Life life, WallClock clock) {
        this.scheduler = scheduler;
        this.life = life;
        this.clock = clock;
    }

    static long wallMillis(VirtualScheduler scheduler) {
        return EPOCH_MILLIS + scheduler.now() / 1_000_000;
    }

    @Override
    public long nanoTime() {
        return scheduler.now();
    }

    @Override
    public long currentTimeMillis() {
        return wallMillis(scheduler) + clock.offsetMillis;
    }

    @Override
    public long nextRandom() {
        return scheduler.random().nextLong();
    }

    @Override
    public void execute(Runnable task) {
        scheduler.schedule(0, life, task);
    }

    @Override
    public Cancellable schedule(long delayNanos, Runnable task) {
        return scheduler.schedule(delayNanos, life, task);
    }

    @Override
    public Executor blocking() {
        return task -> scheduler.schedule(BLOCKING_NANOS, life, task);
    }
}
