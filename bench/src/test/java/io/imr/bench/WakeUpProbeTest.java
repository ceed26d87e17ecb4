package io.imr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The wake-up probe")
class WakeUpProbeTest {

    @Test
    @DisplayName("records how late each wake-up came, and skips wake-ups that came early")
    void recordsLateness() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        AtomicLong sleeps = new AtomicLong();
        long tenMs = TimeUnit.MILLISECONDS.toNanos(10);
        WakeUpProbe probe = WakeUpProbe.start(now::get, nanos -> {
            long n = sleeps.incrementAndGet();
            if (n <= 1000) {
                // On time, except every 50th, which wakes 10 ms late.
                now.addAndGet(nanos + (n % 50 == 0 ? tenMs : 0));
            } else {
                // From here on every wake-up is early (the clock stands still): none may be recorded.
                Thread.onSpinWait();
            }
        });
        while (sleeps.get() < 2000) {
            Thread.onSpinWait();
        }
        Outcome.Lateness l = probe.stop();
        assertThat(l.count()).isEqualTo(1000);
        assertThat(l.p50Ms()).isZero();
        assertThat(l.p99Ms()).as("2% of the wake-ups were 10 ms late").isBetween(9.9, 10.1);
        assertThat(l.maxMs()).isBetween(9.9, 10.1);
    }

    @Test
    @DisplayName("on this machine's clock, wakes about once a millisecond and orders its percentiles")
    void realClock() throws Exception {
        WakeUpProbe probe = WakeUpProbe.start();
        Thread.sleep(300);
        Outcome.Lateness l = probe.stop();
        assertThat(l.count()).isBetween(10L, 301L);
        assertThat(l.p50Ms()).isGreaterThanOrEqualTo(0);
        assertThat(l.p99Ms()).isGreaterThanOrEqualTo(l.p50Ms());
        assertThat(l.maxMs()).isGreaterThanOrEqualTo(l.p999Ms()).isGreaterThanOrEqualTo(l.p99Ms());
    }
}
