package io.imr.strategy.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A backoff")
class BackoffTest {

    private static final long MS = 1_000_000;

    private final Backoff backoff = new Backoff(1_000 * MS, 30_000 * MS, 0.2);

    @Test
    @DisplayName("doubles the base delay per attempt up to the cap")
    void doublesUpToTheCap() {
        assertThat(backoff.baseDelay(1)).isEqualTo(1_000 * MS);
        assertThat(backoff.baseDelay(2)).isEqualTo(2_000 * MS);
        assertThat(backoff.baseDelay(3)).isEqualTo(4_000 * MS);
        assertThat(backoff.baseDelay(5)).isEqualTo(16_000 * MS);
        assertThat(backoff.baseDelay(6)).isEqualTo(30_000 * MS);
        assertThat(backoff.baseDelay(1_000)).isEqualTo(30_000 * MS);
        assertThat(backoff.baseDelay(Integer.MAX_VALUE)).isEqualTo(30_000 * MS);
    }

    @Test
    @DisplayName("spreads each delay within ±20% of its base, from the random draw")
    void jitterWithinBounds() {
        long seed = 42;
        for (int i = 0; i < 10_000; i++) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            int attempt = 1 + (i % 8);
            long base = backoff.baseDelay(attempt);
            assertThat(backoff.delay(attempt, seed)).isBetween(Math.round(base * 0.8), Math.round(base * 1.2));
        }
    }

    @Test
    @DisplayName("reaches both ends of the spread")
    void jitterEnds() {
        assertThat(backoff.delay(1, 0)).isEqualTo(800 * MS);
        assertThat(backoff.delay(1, -1L)).isBetween(1_199 * MS, 1_200 * MS);
        assertThat(backoff.delay(1, Long.MIN_VALUE)).isEqualTo(1_000 * MS);
    }

    @Test
    @DisplayName("gives the same delay for the same draw and different delays for different draws")
    void deterministic() {
        assertThat(backoff.delay(3, 123_456_789L)).isEqualTo(backoff.delay(3, 123_456_789L));
        Set<Long> delays = new HashSet<>();
        for (long r = 1; r <= 100; r++) {
            delays.add(backoff.delay(3, r * 0x9E3779B97F4A7C15L));
        }
        assertThat(delays).hasSizeGreaterThan(90);
    }

    @Test
    @DisplayName("without jitter gives the base delay")
    void noJitter() {
        Backoff plain = new Backoff(10, 100, 0);
        assertThat(plain.delay(1, 987_654_321L)).isEqualTo(10);
        assertThat(plain.delay(9, -5L)).isEqualTo(100);
    }

    @Test
    @DisplayName("maps draws into [0, 1)")
    void unit() {
        assertThat(Backoff.unit(0)).isZero();
        assertThat(Backoff.unit(-1L)).isLessThan(1.0).isGreaterThan(0.999);
        assertThat(Backoff.unit(Long.MIN_VALUE)).isEqualTo(0.5);
    }

    @Test
    @DisplayName("refuses bad parameters with a message naming them")
    void validates() {
        assertThatThrownBy(() -> new Backoff(0, 10, 0.2)).hasMessageContaining("initial delay must be positive");
        assertThatThrownBy(() -> new Backoff(10, 5, 0.2)).hasMessageContaining("must not be below its initial delay");
        assertThatThrownBy(() -> new Backoff(10, 50, 1.0)).hasMessageContaining("jitter must be from 0 to below 1");
        assertThatThrownBy(() -> new Backoff(10, 50, Double.NaN)).hasMessageContaining("jitter");
        assertThatThrownBy(() -> backoff.baseDelay(0)).hasMessageContaining("attempts count from 1");
        assertThat(backoff.initialNanos()).isEqualTo(1_000 * MS);
        assertThat(backoff.maxNanos()).isEqualTo(30_000 * MS);
        assertThat(backoff.jitter()).isEqualTo(0.2);
    }
}
