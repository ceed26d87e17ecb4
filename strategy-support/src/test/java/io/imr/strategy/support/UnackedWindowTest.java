package io.imr.strategy.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.Message;
import java.util.OptionalLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An unacked window")
class UnackedWindowTest {

    @Test
    @DisplayName("admits no more messages than its count bound")
    void countBound() {
        UnackedWindow window = new UnackedWindow(3, Long.MAX_VALUE);
        for (long s = 1; s <= 3; s++) {
            assertThat(window.admits(Messages.seq(s))).isTrue();
            window.add(Messages.seq(s), 0, 100);
        }
        assertThat(window.admits(Messages.seq(4))).isFalse();
        assertThat(window.hasRoom()).isFalse();
        assertThat(window.countRoom()).isZero();
        assertThatThrownBy(() -> window.add(Messages.seq(4), 0, 100)).hasMessageContaining("does not fit");
        assertThat(window.size()).isEqualTo(3);
    }

    @Test
    @DisplayName("admits no more bytes than its byte bound, but always one message when empty")
    void byteBound() {
        Message big = Messages.sized(1, 5_000);
        long bound = FrameBatches.estimatedBytes(Messages.sized(2, 1_000)) * 2;
        UnackedWindow window = new UnackedWindow(100, bound);
        assertThat(window.admits(big)).isTrue();
        window.add(big, 0, 100);
        assertThat(window.admits(Messages.sized(2, 10))).isFalse();
        window.acknowledge(big.id());

        window.add(Messages.sized(2, 1_000), 0, 100);
        window.add(Messages.sized(3, 1_000), 0, 100);
        assertThat(window.bytes()).isEqualTo(bound);
        assertThat(window.admits(Messages.sized(4, 0))).isFalse();
        assertThat(window.hasRoom()).isFalse();
        assertThat(window.maxBytes()).isEqualTo(bound);
        assertThat(window.maxCount()).isEqualTo(100);
    }

    @Test
    @DisplayName("lets messages leave only by acks, by id or cumulatively")
    void acks() {
        UnackedWindow window = new UnackedWindow(10, Long.MAX_VALUE);
        for (long s = 5; s <= 9; s++) {
            window.add(Messages.seq(s), 0, 100);
        }
        assertThat(window.acknowledge(Messages.seq(7).id())).isEqualTo(OptionalLong.of(7));
        assertThat(window.acknowledge(Messages.seq(7).id())).isEmpty();
        assertThat(window.acknowledge("nobody/x")).isEmpty();
        assertThat(window.containsId(Messages.seq(7).id())).isFalse();
        assertThat(window.lowestSeq()).isEqualTo(5);
        assertThat(window.highestSeq()).isEqualTo(9);

        assertThat(window.acknowledgeUpTo(8)).isEqualTo(3);
        assertThat(window.lowestSeq()).isEqualTo(9);
        assertThat(window.size()).isEqualTo(1);
        assertThat(window.bytes()).isEqualTo(FrameBatches.estimatedBytes(Messages.seq(9)));
    }

    @Test
    @DisplayName("lets the seqs of a range leave, and ignores the seqs of a range it does not hold")
    void acksByRange() {
        UnackedWindow window = new UnackedWindow(10, Long.MAX_VALUE);
        for (long s = 5; s <= 12; s++) {
            window.add(Messages.seq(s), 0, 100 + s);
        }
        assertThat(window.acknowledgeRange(1, 4)).isZero();
        assertThat(window.acknowledgeRange(7, 9)).isEqualTo(3);
        assertThat(window.acknowledgeRange(8, 10)).as("8 and 9 left already").isEqualTo(1);
        assertThat(window.acknowledgeRange(12, Long.MAX_VALUE)).isEqualTo(1);
        assertThat(window.size()).isEqualTo(3);
        assertThat(window.lowestSeq()).isEqualTo(5);
        assertThat(window.highestSeq()).isEqualTo(11);
        assertThat(window.containsId(Messages.seq(8).id())).isFalse();
        assertThat(window.earliestDeadline()).isEqualTo(OptionalLong.of(105));
        assertThat(window.bytes()).isEqualTo(FrameBatches.estimatedBytes(Messages.seq(5))
                + FrameBatches.estimatedBytes(Messages.seq(6)) + FrameBatches.estimatedBytes(Messages.seq(11)));
    }

    @Test
    @DisplayName("lists the entries due, in seq order, and reschedules them on resend")
    void deadlines() {
        UnackedWindow window = new UnackedWindow(10, Long.MAX_VALUE);
        window.add(Messages.seq(1), 0, 300);
        window.add(Messages.seq(2), 0, 100);
        window.add(Messages.seq(3), 0, 200);
        assertThat(window.earliestDeadline()).isEqualTo(OptionalLong.of(100));
        assertThat(window.due(99)).isEmpty();
        assertThat(window.due(200)).extracting(UnackedWindow.Entry::seq).containsExactly(2L, 3L);

        UnackedWindow.Entry two = window.get(2);
        window.resent(two, 150, 500);
        assertThat(two.attempts()).isEqualTo(2);
        assertThat(two.firstSent()).isZero();
        assertThat(two.lastSent()).isEqualTo(150);
        assertThat(two.deadline()).isEqualTo(500);
        assertThat(window.earliestDeadline()).isEqualTo(OptionalLong.of(200));
        assertThat(window.due(300)).extracting(UnackedWindow.Entry::seq).containsExactly(1L, 3L);
    }

    @Test
    @DisplayName("keeps its deadline index in step when entries leave")
    void deadlineIndexFollowsAcks() {
        UnackedWindow window = new UnackedWindow(10, Long.MAX_VALUE);
        window.add(Messages.seq(1), 0, 100);
        window.add(Messages.seq(2), 0, 200);
        window.acknowledge(Messages.seq(1).id());
        assertThat(window.earliestDeadline()).isEqualTo(OptionalLong.of(200));
        window.acknowledgeUpTo(2);
        assertThat(window.earliestDeadline()).isEmpty();
        assertThat(window.due(Long.MAX_VALUE)).isEmpty();
    }

    @Test
    @DisplayName("holds a seq and an id once")
    void noDuplicates() {
        UnackedWindow window = new UnackedWindow(10, Long.MAX_VALUE);
        window.add(Messages.seq(1), 0, 100);
        assertThatThrownBy(() -> window.add(Messages.seq(1), 0, 100)).hasMessageContaining("in the window already");
        UnackedWindow.Entry stranger = new UnackedWindow(1, 1).add(Messages.seq(1), 0, 1);
        assertThatThrownBy(() -> window.resent(stranger, 0, 1)).hasMessageContaining("not in the window");
    }

    @Test
    @DisplayName("forgets everything on clear")
    void clear() {
        UnackedWindow window = new UnackedWindow(10, Long.MAX_VALUE);
        window.add(Messages.seq(1), 0, 100);
        window.clear();
        assertThat(window.isEmpty()).isTrue();
        assertThat(window.bytes()).isZero();
        assertThat(window.lowestSeq()).isZero();
        assertThat(window.earliestDeadline()).isEmpty();
        assertThat(window.get(1)).isNull();
    }

    @Test
    @DisplayName("refuses bounds below 1")
    void validates() {
        assertThatThrownBy(() -> new UnackedWindow(0, 10)).hasMessageContaining("room for 1 or more");
        assertThatThrownBy(() -> new UnackedWindow(10, 0)).hasMessageContaining("room for 1 or more");
    }
}
