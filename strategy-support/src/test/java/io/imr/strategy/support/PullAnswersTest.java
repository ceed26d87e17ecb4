package io.imr.strategy.support;

import static io.imr.strategy.support.ActionLists.only;
import static io.imr.strategy.support.ActionLists.sent;
import static io.imr.strategy.support.Messages.range;
import static io.imr.strategy.support.Messages.seq;
import static io.imr.strategy.support.Messages.sized;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.Message;
import io.imr.api.frame.Pull;
import io.imr.api.frame.PullResult;
import io.imr.api.strategy.Action;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ServerActions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A server's pull answers")
class PullAnswersTest {

    /** At most 2 reads outstanding, each of at most 10 messages. */
    private final PullAnswers answers = new PullAnswers(2, 10);
    private final TokenSource tokens = new TokenSource();
    private final ServerActions out = new ServerActions();

    private Action.ReadInbox pull(Pull pull, long maxSeq) {
        assertThat(answers.pull(pull, 1, maxSeq, tokens, out)).as("nothing told before the read returns").isZero();
        List<Action.ReadInbox> reads = only(out.drain(), Action.ReadInbox.class);
        assertThat(reads).hasSize(1);
        return reads.get(0);
    }

    private long read(Action.ReadInbox read, List<Message> messages, long maxSeq) {
        return answers.inboxRead(new Event.InboxRead(0, 0, read.token(), messages, maxSeq), 1, maxSeq, tokens, out);
    }

    @Test
    @DisplayName("reads for a pull at most the read limit and answers with what was read and the max seq")
    void readsAndAnswers() {
        Action.ReadInbox read = pull(new Pull(1, 50), 100);
        assertThat(read.fromSeq()).isEqualTo(1);
        assertThat(read.limit()).isEqualTo(10);
        assertThat(answers.outstanding()).isEqualTo(1);
        assertThat(read(read, range(1, 10), 100)).isEqualTo(100);
        assertThat(sent(out.drain(), PullResult.class)).containsExactly(new PullResult(1, range(1, 10), 100, 1));
        assertThat(answers.outstanding()).isZero();
    }

    @Test
    @DisplayName("reads no more than the pull asked for")
    void pullLimit() {
        assertThat(pull(new Pull(5, 3), 100).limit()).isEqualTo(3);
    }

    @Test
    @DisplayName("answers at once, with nothing, a pull from beyond the max seq")
    void beyondMax() {
        assertThat(answers.pull(new Pull(11, 5), 1, 10, tokens, out)).isEqualTo(10);
        List<? extends Action> actions = out.drain();
        assertThat(only(actions, Action.ReadInbox.class)).isEmpty();
        assertThat(sent(actions, PullResult.class)).containsExactly(new PullResult(11, List.of(), 10, 1));
        assertThat(answers.outstanding()).isZero();
    }

    @Test
    @DisplayName("keeps at most its reads outstanding and merges further pulls into one, read when a slot frees")
    void boundedAndMerged() {
        Action.ReadInbox first = pull(new Pull(1, 5), 100);
        pull(new Pull(20, 5), 100);
        for (Pull p : List.of(new Pull(40, 5, 0), new Pull(30, 5, 0), new Pull(42, 5, 0))) {
            assertThat(answers.pull(p, 1, 100, tokens, out)).isZero();
        }
        assertThat(out.drain()).as("merged, waiting").isEmpty();
        assertThat(answers.outstanding()).isEqualTo(2);

        read(first, range(1, 5), 100);
        List<? extends Action> next = out.drain();
        assertThat(sent(next, PullResult.class)).hasSize(1);
        List<Action.ReadInbox> merged = only(next, Action.ReadInbox.class);
        assertThat(merged).hasSize(1);
        assertThat(merged.get(0).fromSeq()).isEqualTo(30);
        assertThat(merged.get(0).limit()).as("the merged pull covers 30..46, read at most 10").isEqualTo(10);
        assertThat(answers.outstanding()).isEqualTo(2);
    }

    @Test
    @DisplayName("answers only what is in the pull's range and epoch, within its limit")
    void inRange() {
        Action.ReadInbox read = pull(new Pull(3, 2), 100);
        List<Message> found = new ArrayList<>(List.of(seq(2), seq(3), seq(4, 2), seq(5), seq(6)));
        read(read, found, 100);
        assertThat(sent(out.drain(), PullResult.class)).containsExactly(new PullResult(3, List.of(seq(3), seq(5)), 100,
                1));
    }

    @Test
    @DisplayName("keeps an answer within one frame's bytes")
    void frameBytes() {
        Action.ReadInbox read = pull(new Pull(1, 10), 3);
        List<Message> big = List.of(sized(1, 400 << 10), sized(2, 400 << 10), sized(3, 400 << 10));
        read(read, big, 3);
        PullResult result = sent(out.drain(), PullResult.class).get(0);
        assertThat(result.messages()).containsExactly(big.get(0), big.get(1));
        assertThat(result.maxSeq()).as("the device learns there is more").isEqualTo(3);
    }

    @Test
    @DisplayName("tells the higher of the max seqs it knows and the read found")
    void maxSeq() {
        Action.ReadInbox read = pull(new Pull(1, 10), 5);
        assertThat(answers.inboxRead(new Event.InboxRead(0, 0, read.token(), range(1, 5), 8), 1, 5, tokens, out))
                .isEqualTo(8);
        assertThat(sent(out.drain(), PullResult.class).get(0).maxSeq()).isEqualTo(8);
    }

    @Test
    @DisplayName("does not know reads that are not its own, nor those of a session it was cleared of")
    void foreignAndCleared() {
        assertThat(answers.inboxRead(new Event.InboxRead(0, 0, 999, range(1, 2), 2), 1, 2, tokens, out)).isEqualTo(-1);
        Action.ReadInbox read = pull(new Pull(1, 5), 100);
        pull(new Pull(10, 5), 100);
        answers.pull(new Pull(20, 5), 1, 100, tokens, out);
        answers.clear();
        assertThat(answers.outstanding()).isZero();
        assertThat(read(read, range(1, 5), 100)).isEqualTo(-1);
        assertThat(out.drain()).as("no answer, and the waiting pull is gone").isEmpty();
    }

    @Test
    @DisplayName("refuses a read limit below 1")
    void validates() {
        assertThatThrownBy(() -> new PullAnswers(1, 0)).hasMessageContaining("read limit must be 1 or more");
        assertThatThrownBy(() -> new PullAnswers(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
