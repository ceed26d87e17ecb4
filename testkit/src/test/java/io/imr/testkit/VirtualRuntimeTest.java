package io.imr.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The virtual runtime's clocks")
class VirtualRuntimeTest {

    @Test
    @DisplayName("a jump of the machine's wall clock moves currentTimeMillis only: timers and nanoTime run on")
    void wallClockJumps() {
        VirtualScheduler scheduler = new VirtualScheduler(1);
        Life life = new Life("p");
        VirtualRuntime.WallClock clock = new VirtualRuntime.WallClock();
        VirtualRuntime runtime = new VirtualRuntime(scheduler, life, clock);
        long[] fired = {-1};
        runtime.schedule(2_000_000_000L, () -> fired[0] = runtime.nanoTime());
        scheduler.runUntil(1_000_000_000L);
        assertThat(runtime.currentTimeMillis()).isEqualTo(VirtualRuntime.EPOCH_MILLIS + 1_000);

        clock.offsetMillis = -86_400_000L; // a day back
        assertThat(runtime.currentTimeMillis()).isEqualTo(VirtualRuntime.EPOCH_MILLIS + 1_000 - 86_400_000L);
        assertThat(runtime.nanoTime()).isEqualTo(1_000_000_000L);
        scheduler.runUntil(2_500_000_000L);
        assertThat(fired[0]).as("the timer fires when it was due, whatever the wall clock says").isEqualTo(2_000_000_000L);

        clock.offsetMillis = 3 * 86_400_000L; // three days ahead of the true time
        assertThat(runtime.currentTimeMillis()).isEqualTo(VirtualRuntime.EPOCH_MILLIS + 2_500 + 3 * 86_400_000L);
        assertThat(new VirtualRuntime(scheduler, new Life("q")).currentTimeMillis())
                .as("another machine's clock did not move").isEqualTo(VirtualRuntime.EPOCH_MILLIS + 2_500);
    }
}
