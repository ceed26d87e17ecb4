package io.imr.strategy.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A throttle")
class ThrottleTest {

    @Test
    @DisplayName("permits the first action at once and the next only after the interval")
    void oncePerInterval() {
        Throttle throttle = new Throttle(100);
        assertThat(throttle.nextAllowed(5_000)).isEqualTo(5_000);
        assertThat(throttle.tryAcquire(1_000)).isTrue();
        assertThat(throttle.tryAcquire(1_050)).isFalse();
        assertThat(throttle.nextAllowed(1_050)).isEqualTo(1_100);
        assertThat(throttle.tryAcquire(1_099)).isFalse();
        assertThat(throttle.tryAcquire(1_100)).isTrue();
        assertThat(throttle.nextAllowed(1_100)).isEqualTo(1_200);
    }

    @Test
    @DisplayName("a refused attempt does not push the next permitted moment further out")
    void refusalsDoNotCount() {
        Throttle throttle = new Throttle(100);
        throttle.tryAcquire(0);
        for (long t = 10; t < 100; t += 10) {
            assertThat(throttle.tryAcquire(t)).isFalse();
        }
        assertThat(throttle.tryAcquire(100)).isTrue();
    }

    @Test
    @DisplayName("after reset permits at once")
    void reset() {
        Throttle throttle = new Throttle(100);
        throttle.tryAcquire(0);
        throttle.reset();
        assertThat(throttle.tryAcquire(1)).isTrue();
    }

    @Test
    @DisplayName("refuses a negative interval")
    void validates() {
        assertThatThrownBy(() -> new Throttle(-1)).hasMessageContaining("must not be negative");
    }
}
