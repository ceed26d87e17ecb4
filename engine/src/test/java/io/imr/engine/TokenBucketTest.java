package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A token bucket")
class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    @DisplayName("starts full, gives its burst at once, then one token per 1/rate, never saving more than the burst")
    void rate() {
        TokenBucket b = new TokenBucket(10, 3, 0);
        assertThat(b.take(0)).isZero();
        assertThat(b.take(0)).isZero();
        assertThat(b.take(0)).isZero();
        long wait = b.take(0);
        assertThat(wait).as("a tenth of a second until the next").isEqualTo(SECOND / 10);
        assertThat(b.take(SECOND / 20)).as("half-way: half the wait left").isEqualTo(SECOND / 20);
        assertThat(b.take(SECOND / 10)).isZero();
        assertThat(b.take(100 * SECOND)).isZero();
        assertThat(b.take(100 * SECOND)).isZero();
        assertThat(b.take(100 * SECOND)).isZero();
        assertThat(b.take(100 * SECOND)).as("a long pause saves no more than the burst").isPositive();
    }

    @Test
    @DisplayName("takes nothing when it answers a wait, and refuses a rate of 0 or a burst below 1")
    void refusals() {
        TokenBucket b = new TokenBucket(1, 1, 0);
        assertThat(b.take(0)).isZero();
        for (int i = 0; i < 5; i++) {
            assertThat(b.take(SECOND / 2)).isEqualTo(SECOND / 2);
        }
        assertThat(b.take(SECOND)).isZero();
        assertThatThrownBy(() -> new TokenBucket(0, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenBucket(1, 0.5, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("charge goes into debt, which the rate pays back before a token is there again; full again later")
    void charge() {
        TokenBucket b = new TokenBucket(10, 10, 0);
        for (int i = 0; i < 15; i++) {
            b.charge(0);
        }
        assertThat(b.untilNext(0)).as("5 in debt and one to come: 6 tenths of a second").isEqualTo(6 * SECOND / 10);
        assertThat(b.isFull(SECOND)).isFalse();
        assertThat(b.untilNext(6 * SECOND / 10)).isZero();
        assertThat(b.isFull(15 * SECOND / 10)).as("15 tokens back after 1.5 s").isTrue();
    }
}
