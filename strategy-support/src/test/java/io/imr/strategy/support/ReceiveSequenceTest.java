package io.imr.strategy.support;

import static io.imr.strategy.support.ReceiveSequence.Verdict.ACCEPTED;
import static io.imr.strategy.support.ReceiveSequence.Verdict.COMMITTED_DUPLICATE;
import static io.imr.strategy.support.ReceiveSequence.Verdict.DROPPED;
import static io.imr.strategy.support.ReceiveSequence.Verdict.HELD;
import static io.imr.strategy.support.ReceiveSequence.Verdict.HELD_DUPLICATE;
import static io.imr.strategy.support.ReceiveSequence.Verdict.PENDING_DUPLICATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.Message;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A receive sequence")
class ReceiveSequenceTest {

    private final ReceiveSequence sequence = new ReceiveSequence(4);

    @BeforeEach
    void startAtTen() {
        sequence.reset(10);
    }

    @Test
    @DisplayName("accepts the next seq and tells committed from pending duplicates")
    void acceptsAndDeduplicates() {
        assertThat(sequence.offer(Messages.seq(11)).verdict()).isEqualTo(ACCEPTED);
        assertThat(sequence.offer(Messages.seq(10)).verdict()).isEqualTo(COMMITTED_DUPLICATE);
        assertThat(sequence.offer(Messages.seq(3)).verdict()).isEqualTo(COMMITTED_DUPLICATE);
        assertThat(sequence.offer(Messages.seq(11)).verdict()).isEqualTo(PENDING_DUPLICATE);
        sequence.startCommit(1);
        assertThat(sequence.offer(Messages.seq(11)).verdict()).as("in flight").isEqualTo(PENDING_DUPLICATE);
        assertThat(sequence.contiguous()).isEqualTo(11);
        assertThat(sequence.committed()).isEqualTo(10);
    }

    @Test
    @DisplayName("holds messages past a hole and accepts them in order once it is filled")
    void fillsHoles() {
        ReceiveSequence.Offer first = sequence.offer(Messages.seq(13));
        assertThat(first.verdict()).isEqualTo(HELD);
        assertThat(first.newGap()).isTrue();
        assertThat(sequence.offer(Messages.seq(12)).verdict()).isEqualTo(HELD);
        assertThat(sequence.offer(Messages.seq(13)).verdict()).isEqualTo(HELD_DUPLICATE);
        assertThat(sequence.hasHole()).isTrue();
        assertThat(sequence.lowestHeld()).isEqualTo(12);
        assertThat(sequence.highestSeen()).isEqualTo(13);
        assertThat(sequence.canStartCommit()).as("nothing persisted past a hole").isFalse();

        ReceiveSequence.Offer fill = sequence.offer(Messages.seq(11));
        assertThat(fill.verdict()).isEqualTo(ACCEPTED);
        assertThat(fill.drained()).isEqualTo(2);
        assertThat(sequence.hasHole()).isFalse();
        assertThat(sequence.startCommit(1)).extracting(Message::seq).containsExactly(11L, 12L, 13L);
    }

    @Test
    @DisplayName("bounds what it holds back and reports the overflow")
    void boundedHoldBack() {
        for (long s = 12; s <= 15; s++) {
            assertThat(sequence.offer(Messages.seq(s)).verdict()).isEqualTo(HELD);
        }
        assertThat(sequence.offer(Messages.seq(16)).verdict()).isEqualTo(DROPPED);
        assertThat(sequence.heldCount()).isEqualTo(4);
        assertThat(sequence.buffered()).isEqualTo(4);
    }

    @Test
    @DisplayName("runs one commit at a time; what arrives meanwhile goes into the next")
    void groupCommit() {
        sequence.offer(Messages.seq(11));
        sequence.offer(Messages.seq(12));
        assertThat(sequence.startCommit(1)).extracting(Message::seq).containsExactly(11L, 12L);
        sequence.offer(Messages.seq(13));
        assertThat(sequence.canStartCommit()).isFalse();
        assertThatThrownBy(() -> sequence.startCommit(2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("running already");
        assertThat(sequence.inFlightCount()).isEqualTo(2);
        assertThat(sequence.acceptedCount()).isEqualTo(1);
        assertThat(sequence.pendingCount()).isEqualTo(3);

        assertThat(sequence.commitDone(99)).as("not its token").isEmpty();
        assertThat(sequence.commitDone(1).orElseThrow()).extracting(Message::seq).containsExactly(11L, 12L);
        assertThat(sequence.committed()).isEqualTo(12);
        assertThat(sequence.commitDone(1)).as("answered once").isEmpty();
        assertThat(sequence.startCommit(2)).extracting(Message::seq).containsExactly(13L);
    }

    @Test
    @DisplayName("refuses to start a commit with nothing accepted")
    void nothingToCommit() {
        assertThatThrownBy(() -> sequence.startCommit(1)).hasMessageContaining("nothing accepted");
    }

    @Test
    @DisplayName("falls back to the committed cursor after a failed commit, dropping everything after it")
    void failedCommitFallsBack() {
        sequence.offer(Messages.seq(11));
        sequence.startCommit(1);
        sequence.offer(Messages.seq(12));
        sequence.offer(Messages.seq(14));
        assertThat(sequence.commitFailed(7)).as("not its token").isFalse();
        assertThat(sequence.buffered()).isEqualTo(3);

        assertThat(sequence.commitFailed(1)).isTrue();
        assertThat(sequence.committed()).isEqualTo(10);
        assertThat(sequence.contiguous()).isEqualTo(10);
        assertThat(sequence.buffered()).isZero();
        assertThat(sequence.offer(Messages.seq(11)).verdict()).as("received again").isEqualTo(ACCEPTED);
    }

    @Test
    @DisplayName("a rebase drops what it holds and detaches the running commit")
    void rebase() {
        sequence.offer(Messages.seq(11));
        sequence.startCommit(1);
        sequence.offer(Messages.seq(12));
        sequence.rebase(3);
        assertThat(sequence.inFlightDetached()).isTrue();
        assertThat(sequence.committed()).isEqualTo(3);
        assertThat(sequence.contiguous()).isEqualTo(3);
        assertThat(sequence.offer(Messages.seq(4)).verdict()).isEqualTo(ACCEPTED);
        assertThat(sequence.canStartCommit()).as("the detached commit still runs").isFalse();

        assertThat(sequence.commitDone(1)).isPresent();
        assertThat(sequence.committed()).as("the detached batch does not move the cursor").isEqualTo(3);
        assertThat(sequence.startCommit(2)).extracting(Message::seq).containsExactly(4L);
    }

    @Test
    @DisplayName("a failed detached commit keeps what was accepted after the rebase")
    void failedDetachedCommit() {
        sequence.offer(Messages.seq(11));
        sequence.startCommit(1);
        sequence.rebase(3);
        sequence.offer(Messages.seq(4));
        assertThat(sequence.commitFailed(1)).isTrue();
        assertThat(sequence.acceptedCount()).isEqualTo(1);
        assertThat(sequence.contiguous()).isEqualTo(4);
    }

    @Test
    @DisplayName("adopts a reported cursor only when it is ahead, dropping what it makes stale")
    void advanceCommitted() {
        sequence.offer(Messages.seq(11));
        sequence.offer(Messages.seq(12));
        sequence.offer(Messages.seq(15));
        sequence.advanceCommitted(8);
        assertThat(sequence.committed()).isEqualTo(10);
        assertThat(sequence.buffered()).isEqualTo(3);

        sequence.advanceCommitted(11);
        assertThat(sequence.committed()).isEqualTo(11);
        assertThat(sequence.acceptedCount()).isEqualTo(1);
        assertThat(sequence.heldCount()).isZero();
        assertThat(sequence.contiguous()).isEqualTo(12);

        sequence.advanceCommitted(20);
        assertThat(sequence.buffered()).isZero();
        assertThat(sequence.contiguous()).isEqualTo(20);
    }

    @Test
    @DisplayName("keeps what is accepted and in flight when the hold-back buffer is cleared")
    void clearHoldBack() {
        sequence.offer(Messages.seq(11));
        sequence.startCommit(1);
        sequence.offer(Messages.seq(12));
        sequence.offer(Messages.seq(14));
        sequence.clearHoldBack();
        assertThat(sequence.buffered()).isEqualTo(2);
        assertThat(sequence.hasHole()).isFalse();
        assertThat(sequence.offer(Messages.seq(14)).newGap()).as("reported afresh").isTrue();
    }

    @Test
    @DisplayName("after reset forgets everything, a running commit included")
    void reset() {
        sequence.offer(Messages.seq(11));
        sequence.startCommit(1);
        sequence.reset(20);
        assertThat(sequence.buffered()).isZero();
        assertThat(sequence.commitDone(1)).isEmpty();
        assertThat(List.of(sequence.committed(), sequence.contiguous())).containsOnly(20L);
        assertThatThrownBy(() -> sequence.reset(-1)).hasMessageContaining("must not be negative");
    }
}
