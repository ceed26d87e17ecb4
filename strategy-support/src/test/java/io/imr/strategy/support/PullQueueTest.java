package io.imr.strategy.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.frame.Frame;
import io.imr.api.frame.Pull;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A pull queue")
class PullQueueTest {

    private final PullQueue queue = new PullQueue(2);

    @Test
    @DisplayName("admits pulls up to its bound, then merges the rest into one waiting pull")
    void boundsAndMerges() {
        assertThat(queue.admit(new Pull(1, 10))).contains(new Pull(1, 10));
        assertThat(queue.admit(new Pull(20, 10))).contains(new Pull(20, 10));
        assertThat(queue.outstanding()).isEqualTo(2);
        assertThat(queue.admit(new Pull(40, 10, 0))).isEmpty();
        assertThat(queue.admit(new Pull(30, 5, 0))).isEmpty();
        assertThat(queue.admit(new Pull(45, 20, 0))).isEmpty();
        assertThat(queue.waiting()).contains(new Pull(30, 35, 0));
        assertThat(queue.outstanding()).isEqualTo(2);
    }

    @Test
    @DisplayName("reads for the waiting pull when a slot frees")
    void completes() {
        queue.admit(new Pull(1, 10));
        queue.admit(new Pull(2, 10));
        queue.admit(new Pull(3, 10));
        assertThat(queue.completed()).contains(new Pull(3, 10));
        assertThat(queue.outstanding()).isEqualTo(2);
        assertThat(queue.waiting()).isEmpty();
        assertThat(queue.completed()).isEmpty();
        assertThat(queue.completed()).isEmpty();
        assertThat(queue.outstanding()).isZero();
        assertThat(queue.completed()).as("never below zero").isEmpty();
        assertThat(queue.outstanding()).isZero();
    }

    @Test
    @DisplayName("merges to the lower start, covering both ranges as far as one pull reaches, with the higher"
            + " committed cursor")
    void merge() {
        assertThat(PullQueue.merge(new Pull(10, 5, 9), new Pull(12, 10, 9))).isEqualTo(new Pull(10, 12, 9));
        assertThat(PullQueue.merge(new Pull(12, 10, 9), new Pull(10, 5, 9))).isEqualTo(new Pull(10, 12, 9));
        assertThat(PullQueue.merge(new Pull(1, 100, 0), new Pull(10_000, 100, 0)))
                .isEqualTo(new Pull(1, Frame.MAX_BATCH, 0));
        assertThat(PullQueue.merge(new Pull(20, 10, 4), new Pull(30, 10, 9)))
                .as("a page ahead, then the next").isEqualTo(new Pull(20, 20, 9));
        assertThat(PullQueue.merge(new Pull(10, 50, 9), new Pull(40, 50, 39)))
                .as("what the later pull says is committed is not asked for again").isEqualTo(new Pull(40, 50, 39));
        assertThat(PullQueue.merge(new Pull(40, 50, 39), new Pull(10, 5, 9)))
                .as("nor by an earlier pull that arrives late").isEqualTo(new Pull(40, 50, 39));
    }

    @Test
    @DisplayName("forgets everything on clear")
    void clear() {
        queue.admit(new Pull(1, 10));
        queue.admit(new Pull(2, 10));
        queue.admit(new Pull(3, 10));
        queue.clear();
        assertThat(queue.outstanding()).isZero();
        assertThat(queue.waiting()).isEmpty();
        assertThat(queue.admit(new Pull(4, 10))).isPresent();
    }

    @Test
    @DisplayName("refuses a bound below 1")
    void validates() {
        assertThatThrownBy(() -> new PullQueue(0)).hasMessageContaining("bounded by 1 or more");
    }
}
