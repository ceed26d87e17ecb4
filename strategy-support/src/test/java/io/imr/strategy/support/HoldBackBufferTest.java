package io.imr.strategy.support;

import static io.imr.strategy.support.HoldBackBuffer.Outcome.ALREADY_HELD;
import static io.imr.strategy.support.HoldBackBuffer.Outcome.DROPPED;
import static io.imr.strategy.support.HoldBackBuffer.Outcome.HELD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.Message;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A hold-back buffer")
class HoldBackBufferTest {

    @Test
    @DisplayName("holds messages past a hole and gives back the run that follows once it is filled")
    void holdsAndDrains() {
        HoldBackBuffer buffer = new HoldBackBuffer(10);
        buffer.offer(Messages.seq(5), 2);
        buffer.offer(Messages.seq(4), 2);
        buffer.offer(Messages.seq(7), 2);
        assertThat(buffer.size()).isEqualTo(3);
        assertThat(buffer.lowestSeq()).isEqualTo(4);
        assertThat(buffer.highestSeq()).isEqualTo(7);
        assertThat(buffer.takeFrom(3)).isEmpty();
        assertThat(buffer.takeFrom(4)).extracting(Message::seq).containsExactly(4L, 5L);
        assertThat(buffer.takeFrom(6)).isEmpty();
        assertThat(buffer.takeFrom(7)).extracting(Message::seq).containsExactly(7L);
        assertThat(buffer.isEmpty()).isTrue();
        assertThat(buffer.lowestSeq()).isZero();
        assertThat(buffer.highestSeq()).isZero();
    }

    @Test
    @DisplayName("discards held seqs below the position asked for")
    void discardsStale() {
        HoldBackBuffer buffer = new HoldBackBuffer(10);
        buffer.offer(Messages.seq(4), 1);
        buffer.offer(Messages.seq(6), 1);
        assertThat(buffer.takeFrom(6)).extracting(Message::seq).containsExactly(6L);
        assertThat(buffer.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("holds a seq once")
    void holdsOnce() {
        HoldBackBuffer buffer = new HoldBackBuffer(10);
        assertThat(buffer.offer(Messages.seq(5), 2).outcome()).isEqualTo(HELD);
        assertThat(buffer.offer(Messages.seq(5), 2)).isEqualTo(new HoldBackBuffer.Offer(ALREADY_HELD, false, false));
        assertThat(buffer.size()).isEqualTo(1);
    }

    @Test
    @DisplayName("when full drops the arriving message if it has the highest seq")
    void fullDropsArrivingHighest() {
        HoldBackBuffer buffer = new HoldBackBuffer(3);
        for (long s = 3; s <= 5; s++) {
            buffer.offer(Messages.seq(s), 1);
        }
        assertThat(buffer.offer(Messages.seq(9), 1).outcome()).isEqualTo(DROPPED);
        assertThat(buffer.size()).isEqualTo(3);
        assertThat(buffer.highestSeq()).isEqualTo(5);
    }

    @Test
    @DisplayName("when full evicts its highest seq for an arriving message nearer the hole")
    void fullEvictsHighest() {
        HoldBackBuffer buffer = new HoldBackBuffer(3);
        buffer.offer(Messages.seq(4), 1);
        buffer.offer(Messages.seq(5), 1);
        buffer.offer(Messages.seq(9), 1);
        HoldBackBuffer.Offer offer = buffer.offer(Messages.seq(3), 1);
        assertThat(offer.outcome()).isEqualTo(HELD);
        assertThat(offer.evicted()).isTrue();
        assertThat(buffer.size()).isEqualTo(3);
        assertThat(buffer.takeFrom(3)).extracting(Message::seq).containsExactly(3L, 4L, 5L);
    }

    @Test
    @DisplayName("of capacity 0 drops everything but still detects the gap")
    void capacityZero() {
        HoldBackBuffer buffer = new HoldBackBuffer(0);
        HoldBackBuffer.Offer offer = buffer.offer(Messages.seq(5), 1);
        assertThat(offer).isEqualTo(new HoldBackBuffer.Offer(DROPPED, true, false));
        assertThat(buffer.isEmpty()).isTrue();
        assertThat(buffer.capacity()).isZero();
    }

    @Test
    @DisplayName("reports a hole once, when a message arrives above everything seen")
    void gapOncePerHole() {
        HoldBackBuffer buffer = new HoldBackBuffer(10);
        assertThat(buffer.offer(Messages.seq(5), 2).newGap()).as("3..4 missing").isTrue();
        assertThat(buffer.offer(Messages.seq(6), 2).newGap()).as("continues after 5").isFalse();
        assertThat(buffer.offer(Messages.seq(4), 2).newGap()).as("inside the hole").isFalse();
        assertThat(buffer.offer(Messages.seq(9), 2).newGap()).as("7..8 missing").isTrue();
        assertThat(buffer.offer(Messages.seq(8), 2).newGap()).as("inside the second hole").isFalse();
        assertThat(buffer.offer(Messages.seq(9), 2).newGap()).as("a copy").isFalse();
        assertThat(buffer.highestSeen()).isEqualTo(9);
    }

    @Test
    @DisplayName("counts a dropped message as seen, so its hole is not reported twice")
    void droppedStillSeen() {
        HoldBackBuffer buffer = new HoldBackBuffer(1);
        buffer.offer(Messages.seq(3), 1);
        assertThat(buffer.offer(Messages.seq(8), 1).newGap()).isTrue();
        assertThat(buffer.offer(Messages.seq(8), 1).newGap()).isFalse();
    }

    @Test
    @DisplayName("reports holes afresh after clear")
    void clearForgets() {
        HoldBackBuffer buffer = new HoldBackBuffer(10);
        buffer.offer(Messages.seq(5), 2);
        buffer.clear();
        assertThat(buffer.isEmpty()).isTrue();
        assertThat(buffer.highestSeen()).isZero();
        assertThat(buffer.offer(Messages.seq(5), 2).newGap()).isTrue();
    }

    @Test
    @DisplayName("takes the contiguous position into account for gaps")
    void gapAboveContiguous() {
        HoldBackBuffer buffer = new HoldBackBuffer(10);
        buffer.offer(Messages.seq(5), 2);
        buffer.takeFrom(5);
        // The caller now has everything up to 5; 7 reveals the hole at 6.
        assertThat(buffer.offer(Messages.seq(7), 5).newGap()).isTrue();
    }

    @Test
    @DisplayName("refuses a message that is not past a hole, and a negative capacity")
    void validates() {
        HoldBackBuffer buffer = new HoldBackBuffer(10);
        assertThatThrownBy(() -> buffer.offer(Messages.seq(3), 2)).hasMessageContaining("not past a hole");
        assertThatThrownBy(() -> new HoldBackBuffer(-1)).hasMessageContaining("must not be negative");
    }
}
