package io.imr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.engine.metrics.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ImrTargetRegistryTest {

    private static long inBucketOf(Timer t, double seconds) {
        for (CountAtBucket b : t.takeSnapshot().histogramCounts()) {
            if (b.bucket(TimeUnit.SECONDS) == seconds) {
                return (long) b.count();
            }
        }
        throw new AssertionError("no bucket " + seconds);
    }

    @Test
    void aClientsSyncDurationsCountFromTheStartNotTheLastTwoMinutes() {
        MockClock clock = new MockClock();
        MeterRegistry bench = ImrTarget.registry(clock);
        MeterRegistry plain = new io.micrometer.core.instrument.simple.SimpleMeterRegistry(
                io.micrometer.core.instrument.simple.SimpleConfig.DEFAULT, clock);
        Timer[] timers = new Timer[2];
        MeterRegistry[] registries = {bench, plain};
        for (int i = 0; i < 2; i++) {
            timers[i] = Timer.builder(MetricNames.STORE_SYNC_DURATION).serviceLevelObjectives(Duration.ofMillis(1),
                    Duration.ofMillis(10)).register(registries[i]);
            timers[i].record(Duration.ofMillis(5));
        }
        clock.add(Duration.ofMinutes(10));
        for (Timer t : timers) {
            t.record(Duration.ofMillis(5));
        }
        assertThat(inBucketOf(timers[0], 0.01)).as("the bench's registry").isEqualTo(2);
        assertThat(inBucketOf(timers[1], 0.01)).as("a registry's default: the last two minutes").isLessThan(2);
        Timer other = Timer.builder("other").serviceLevelObjectives(Duration.ofMillis(10)).register(bench);
        other.record(Duration.ofMillis(5));
        clock.add(Duration.ofMinutes(10));
        other.record(Duration.ofMillis(5));
        assertThat(inBucketOf(other, 0.01)).as("other meters keep the default").isLessThan(2);
    }
}
