package io.imr.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * How late this machine wakes a sleeping thread while a measurement runs: a thread of the bench's
 * own process (which only watches) parks for 1 ms again and again and records by how much each wake-up
 * came later than asked. A message crosses a dozen or more thread hand-offs between its send and its
 * commit on the device (network threads, engines, store writers, in three processes), each one such
 * wake-up; so the p99 and p999 of this lateness, measured under the run's own load, say how much of a
 * latency tail is the machine's scheduling rather than the code measured.
 */
final class WakeUpProbe implements AutoCloseable {

    static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final LongSupplier clock;
    private final LongConsumer sleep;
    /** Lateness in microseconds, up to a minute; written by the probe's thread only, read after it ended. */
    private final Histogram lateness = new Histogram(60_000_000L, 3);
    private final Thread thread;
    private volatile boolean stopped;

    private WakeUpProbe(LongSupplier clock, LongConsumer sleep) {
        this.clock = clock;
        this.sleep = sleep;
        this.thread = new Thread(this::run, "wake-up-probe");
        thread.setDaemon(true);
    }

    /** Starts probing this machine's wake-ups (parking 1 ms on {@link System#nanoTime}). */
    static WakeUpProbe start() {
        return start(System::nanoTime, LockSupport::parkNanos);
    }

    /** Starts probing with this clock and this way to sleep a number of nanoseconds; for tests. */
    static WakeUpProbe start(LongSupplier clock, LongConsumer sleep) {
        WakeUpProbe p = new WakeUpProbe(clock, sleep);
        p.thread.start();
        return p;
    }

    private void run() {
        while (!stopped) {
            long asked = clock.getAsLong() + PERIOD_NANOS;
            sleep.accept(PERIOD_NANOS);
            long late = clock.getAsLong() - asked;
            if (late >= 0) {
                // parkNanos may return early (a spurious wake-up): such a sample says nothing about lateness.
                lateness.recordValue(Math.min(late / 1000, lateness.getHighestTrackableValue()));
            }
        }
    }

    /** Stops the probe and says how late its wake-ups were. */
    Outcome.Lateness stop() throws InterruptedException {
        stopped = true;
        thread.join();
        if (lateness.getTotalCount() == 0) {
            return Outcome.Lateness.NONE;
        }
        return new Outcome.Lateness(lateness.getValueAtPercentile(50) / 1000.0, lateness.getValueAtPercentile(99) / 1000.0,
                lateness.getValueAtPercentile(99.9) / 1000.0, lateness.getMaxValue() / 1000.0,
                lateness.getTotalCount());
    }

    @Override
    public void close() throws InterruptedException {
        if (!stopped) {
            stop();
        }
    }
}
