package io.imr.strategy.ack;

import static io.imr.strategy.ack.Fixtures.MS;
import static io.imr.strategy.ack.Fixtures.SECOND;
import static io.imr.strategy.ack.Fixtures.ids;
import static io.imr.strategy.ack.Fixtures.msg;
import static io.imr.strategy.ack.Fixtures.only;
import static io.imr.strategy.ack.Fixtures.range;
import static io.imr.strategy.ack.Fixtures.scheduled;
import static io.imr.strategy.ack.Fixtures.sent;
import static io.imr.strategy.ack.Fixtures.seqs;
import static io.imr.strategy.ack.Fixtures.signalled;
import static io.imr.strategy.ack.Fixtures.sized;
import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Notify;
import io.imr.api.frame.Pull;
import io.imr.api.frame.PullResult;
import io.imr.api.strategy.Action;
import io.imr.api.strategy.Action.Signal.Kind;
import io.imr.api.strategy.ServerActions;
import io.imr.api.strategy.ServerEvent;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ServerReliability;
import io.imr.strategy.support.FrameBatches;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The ack strategy's server half")
class AckServerTest {

    /** A window of 4 messages; retransmits after 1s, doubling up to 4s. */
    private static final AckConfig CONFIG = AckConfig.builder().window(4)
            .retransmitMax(Duration.ofSeconds(4)).build();

    private ServerReliability server;
    private long now;
    private long random;

    @BeforeEach
    void connectedAtZero() {
        server = AckServer.create(CONFIG);
        now = 1_000 * SECOND;
        random = Long.MIN_VALUE; // the middle of the jitter: delays are their base
        on(new Event.Connected(now, random, 1, 0, 0));
    }

    private List<Action> on(ServerEvent event) {
        ServerActions out = new ServerActions();
        server.on(event, out);
        return List.copyOf(out.drain());
    }

    private List<Action> append(Message... messages) {
        long max = messages[messages.length - 1].seq();
        return on(new Event.MessagesAppended(now, random, List.of(messages), max));
    }

    private List<Action> frame(Frame frame) {
        return on(new Event.FrameArrived(now, random, frame));
    }

    private List<Action> ack(Message... messages) {
        return frame(Fixtures.ackOf(List.of(messages)));
    }

    private List<Action> fire(String timer) {
        return on(new Event.TimerFired(now, random, timer));
    }

    private List<Action> ready() {
        return on(new Event.ReadyToPersist(now, random));
    }

    /** Answers every ReadInbox among the actions from an inbox holding seqs 1..inboxMax; returns all that followed. */
    private List<Action> answerReads(List<Action> actions, long inboxMax) {
        List<Action> followed = new ArrayList<>();
        for (Action.ReadInbox read : only(actions, Action.ReadInbox.class)) {
            long to = Math.min(inboxMax, read.fromSeq() + read.limit() - 1);
            List<Action> next = on(new Event.InboxRead(now, random, read.token(), range(read.fromSeq(), to), inboxMax));
            followed.addAll(next);
            followed.addAll(answerReads(next, inboxMax));
        }
        return followed;
    }

    private static List<Long> delivered(List<Action> actions) {
        List<Long> seqs = new ArrayList<>();
        sent(actions, Deliver.class).forEach(d -> seqs.addAll(seqs(d.messages())));
        return seqs;
    }

    @Nested
    @DisplayName("bounds its window")
    class Window {

        @Test
        @DisplayName("pushes appended messages up to the window and no further")
        void countBound() {
            List<Action> pushed = append(msg(1), msg(2), msg(3), msg(4), msg(5), msg(6));
            assertThat(delivered(pushed)).containsExactly(1L, 2L, 3L, 4L);
            assertThat(sent(pushed, Deliver.class).get(0).maxSeq()).as("the device learns the tail").isEqualTo(6);
            assertThat(sent(pushed, Notify.class)).as("the Deliver told the max seq").isEmpty();
            assertThat(server.unconfirmed()).isEqualTo(4);
            assertThat(only(pushed, Action.ReadInbox.class)).as("no room to read into").isEmpty();
        }

        @Test
        @DisplayName("refills from the inbox as acks free the window")
        void refillOnAck() {
            append(msg(1), msg(2), msg(3), msg(4), msg(5), msg(6));
            List<Action> acked = ack(msg(1), msg(2));
            assertThat(only(acked, Action.ReadInbox.class)).hasSize(1);
            Action.ReadInbox read = only(acked, Action.ReadInbox.class).get(0);
            assertThat(read.fromSeq()).isEqualTo(5);
            assertThat(read.limit()).isEqualTo(2);
            assertThat(delivered(answerReads(acked, 6))).containsExactly(5L, 6L);
            assertThat(server.unconfirmed()).isEqualTo(4);
        }

        @Test
        @DisplayName("keeps the estimated bytes within window-bytes, and sends an oversized message alone")
        void byteBound() {
            server = AckServer.create(AckConfig.builder().window(100).windowBytes(1024)
                    .retransmitMax(Duration.ofSeconds(4)).build());
            on(new Event.Connected(now, random, 1, 0, 0));
            List<Action> pushed = append(sized(1, 400), sized(2, 400), sized(3, 400));
            assertThat(delivered(pushed)).containsExactly(1L, 2L);
            assertThat(only(pushed, Action.ReadInbox.class)).as("3 did not fit: no read for it").isEmpty();
            long bytes = FrameBatches.estimatedBytes(sized(1, 400)) * 2;
            assertThat(bytes).isLessThanOrEqualTo(1024);

            List<Action> acked = ack(sized(1, 400), sized(2, 400));
            Action.ReadInbox read = only(acked, Action.ReadInbox.class).get(0);
            assertThat(read.fromSeq()).isEqualTo(3);
            List<Action> third = on(new Event.InboxRead(now, random, read.token(), List.of(sized(3, 400)), 3));
            assertThat(delivered(third)).containsExactly(3L);

            List<Action> big = on(new Event.MessagesAppended(now, random, List.of(sized(4, 5_000)), 4));
            assertThat(delivered(big)).as("too large to join 3").isEmpty();
            ack(sized(3, 400));
            assertThat(server.unconfirmed()).isZero();
            List<Action> alone = on(new Event.MessagesAppended(now, random, List.of(sized(4, 5_000)), 4));
            assertThat(delivered(alone)).as("an empty window takes any one message").containsExactly(4L);
        }

        @Test
        @DisplayName("never has more unacked than the window while redelivering a long backlog")
        void pacedRedelivery() {
            on(new Event.Disconnected(now, random, "reset"));
            List<Action> up = on(new Event.Connected(now, random, 1, 0, 100));
            List<Action> first = answerReads(up, 100);
            assertThat(delivered(first)).containsExactly(1L, 2L, 3L, 4L);
            for (long s = 1; s <= 96; s++) {
                List<Action> next = answerReads(ack(msg(s)), 100);
                assertThat(server.unconfirmed()).isLessThanOrEqualTo(4);
                assertThat(delivered(next)).containsExactly(s + 4);
            }
        }
    }

    @Nested
    @DisplayName("retransmits")
    class Retransmit {

        @Test
        @DisplayName("what is not acked, with deadlines that double up to the cap")
        void backoff() {
            List<Action> pushed = append(msg(1), msg(2));
            assertThat(scheduled(pushed, AckServer.RETRANSMIT_TIMER)).isEqualTo(SECOND);
            long[] expected = {2 * SECOND, 4 * SECOND, 4 * SECOND, 4 * SECOND};
            long delay = SECOND;
            for (long next : expected) {
                now += delay;
                List<Action> resent = fire(AckServer.RETRANSMIT_TIMER);
                assertThat(delivered(resent)).containsExactly(1L, 2L);
                assertThat(sent(resent, Deliver.class)).as("batched").hasSize(1);
                assertThat(signalled(resent, Kind.RETRANSMIT)).isEqualTo(2);
                delay = scheduled(resent, AckServer.RETRANSMIT_TIMER);
                assertThat(delay).isEqualTo(next);
            }
            assertThat(server.unconfirmed()).as("nothing forgotten until acked").isEqualTo(2);
        }

        @Test
        @DisplayName("only what is due, and re-arms for the earliest deadline")
        void onlyDue() {
            append(msg(1));
            now += 500 * MS;
            append(msg(2));
            now += 500 * MS;
            List<Action> resent = fire(AckServer.RETRANSMIT_TIMER);
            assertThat(delivered(resent)).containsExactly(1L);
            assertThat(scheduled(resent, AckServer.RETRANSMIT_TIMER)).isEqualTo(500 * MS);
        }

        @Test
        @DisplayName("nothing that was acked, and stops the timer when the window empties")
        void stopsWhenAcked() {
            append(msg(1), msg(2));
            ack(msg(1));
            now += SECOND;
            assertThat(delivered(fire(AckServer.RETRANSMIT_TIMER))).containsExactly(2L);
            List<Action> last = ack(msg(2));
            assertThat(only(last, Action.CancelTimer.class))
                    .containsExactly(new Action.CancelTimer(AckServer.RETRANSMIT_TIMER));
        }

        @Test
        @DisplayName("with jitter within ±20%: the same draw gives the same delay, different draws different ones")
        void jitter() {
            Set<Long> delays = new HashSet<>();
            for (long i = 1; i <= 50; i++) {
                long draw = i * 0x9E3779B97F4A7C15L;
                long d1 = firstDelay(draw);
                assertThat(d1).isBetween(800 * MS, 1_200 * MS);
                assertThat(firstDelay(draw)).isEqualTo(d1);
                delays.add(d1);
            }
            assertThat(delays).hasSizeGreaterThan(45);
        }

        private long firstDelay(long draw) {
            ServerReliability fresh = AckServer.create(CONFIG);
            ServerActions out = new ServerActions();
            fresh.on(new Event.Connected(now, draw, 1, 0, 0), out);
            fresh.on(new Event.MessagesAppended(now, draw, List.of(msg(1)), 1), out);
            return scheduled(List.copyOf(out.drain()), AckServer.RETRANSMIT_TIMER);
        }
    }

    @Nested
    @DisplayName("confirms")
    class Confirm {

        @Test
        @DisplayName("persists the watermark of what was acked without a hole, and only when it advanced")
        void watermark() {
            append(msg(1), msg(2), msg(3));
            ack(msg(2));
            assertThat(ready()).as("1 is not acked yet").isEmpty();
            ack(msg(1));
            List<Action.PersistWatermark> persists = only(ready(), Action.PersistWatermark.class);
            assertThat(persists).hasSize(1);
            assertThat(persists.get(0).epoch()).isEqualTo(1);
            assertThat(persists.get(0).confirmed()).isEqualTo(2);
            assertThat(ready()).as("one commit at a time").isEmpty();

            on(new Event.CommitDone(now, random, persists.get(0).token()));
            assertThat(ready()).as("not advanced").isEmpty();
            ack(msg(3));
            assertThat(only(ready(), Action.PersistWatermark.class)).extracting(Action.PersistWatermark::confirmed)
                    .containsExactly(3L);
        }

        @Test
        @DisplayName("asks again for the watermark after a failed commit")
        void retriesAfterFailure() {
            append(msg(1));
            ack(msg(1));
            Action.PersistWatermark first = only(ready(), Action.PersistWatermark.class).get(0);
            on(new Event.CommitFailed(now, random, first.token(), "io"));
            assertThat(only(ready(), Action.PersistWatermark.class)).extracting(Action.PersistWatermark::confirmed)
                    .containsExactly(1L);
        }

        @Test
        @DisplayName("ignores acks of seqs it does not hold, and of another epoch; those above the sequence (never"
                + " delivered) it signals")
        void unknownSeqs() {
            append(msg(1), msg(2));
            assertThat(frame(Ack.of(1, 3, 99))).containsExactly(
                    new Action.Signal(Action.Signal.Kind.IGNORED_NOT_DELIVERED, 1));
            assertThat(frame(Ack.of(2, 1, 2))).as("another epoch").isEmpty();
            assertThat(server.unconfirmed()).isEqualTo(2);
            assertThat(frame(new Ack(1, List.of(new Ack.Range(2, 2), new Ack.Range(5, 7)))))
                    .contains(new Action.Signal(Action.Signal.Kind.IGNORED_NOT_DELIVERED, 1));
            assertThat(server.unconfirmed()).as("seq 2 of the ranges is in the window").isEqualTo(1);
        }

        @Test
        @DisplayName("takes an AckUpTo of its epoch as a cumulative confirmation")
        void ackUpTo() {
            append(msg(1), msg(2), msg(3));
            frame(new AckUpTo(2, 3));
            assertThat(server.unconfirmed()).as("another epoch").isEqualTo(3);
            frame(new AckUpTo(1, 2));
            assertThat(server.unconfirmed()).isEqualTo(1);
            assertThat(only(ready(), Action.PersistWatermark.class)).extracting(Action.PersistWatermark::confirmed)
                    .containsExactly(2L);
        }
    }

    @Nested
    @DisplayName("tells the tail (G9)")
    class Notifies {

        @Test
        @DisplayName("with a Notify when it cannot push, at most one per 100 ms, and always the latest max seq")
        void notifyRateLimited() {
            append(msg(1), msg(2), msg(3), msg(4));
            List<Action> first = append(msg(5));
            assertThat(sent(first, Notify.class)).containsExactly(new Notify(1, 5));
            now += 10 * MS;
            List<Action> second = append(msg(6));
            assertThat(sent(second, Notify.class)).isEmpty();
            assertThat(scheduled(second, AckServer.NOTIFY_TIMER)).isEqualTo(90 * MS);
            now += 10 * MS;
            assertThat(sent(append(msg(7)), Notify.class)).isEmpty();
            now += 80 * MS;
            assertThat(sent(fire(AckServer.NOTIFY_TIMER), Notify.class)).containsExactly(new Notify(1, 7));
        }

        @Test
        @DisplayName("not when a Deliver already told it")
        void noNotifyWhenDelivered() {
            append(msg(1), msg(2), msg(3), msg(4), msg(5), msg(6));
            List<Action> more = append(msg(7));
            assertThat(sent(more, Notify.class)).containsExactly(new Notify(1, 7));
            ack(msg(1));
            now += 200 * MS;
            assertThat(sent(fire(AckServer.NOTIFY_TIMER), Notify.class)).isEmpty();
        }
    }

    @Nested
    @DisplayName("answers pulls")
    class Pulls {

        @Test
        @DisplayName("by reading the inbox and sending a PullResult; its start confirms what lies below it; pulled"
                + " messages stay out of the window")
        void pullAnswered() {
            on(new Event.Disconnected(now, random, "reset"));
            on(new Event.Connected(now, random, 1, 0, 0));
            append(msg(1), msg(2), msg(3), msg(4), msg(5), msg(6), msg(7), msg(8));
            List<Action> pulled = frame(new Pull(3, 3));
            assertThat(server.unconfirmed()).as("1 and 2 confirmed by the pull's committed cursor").isEqualTo(2);
            Action.ReadInbox read = only(pulled, Action.ReadInbox.class).stream().filter(r -> r.fromSeq() == 3)
                    .findFirst().orElseThrow();
            assertThat(read.limit()).isEqualTo(3);
            List<Action> answer = on(new Event.InboxRead(now, random, read.token(), range(3, 5), 8));
            assertThat(sent(answer, PullResult.class)).containsExactly(new PullResult(3, range(3, 5), 8, 1));
            assertThat(server.unconfirmed()).isEqualTo(2);
        }

        @Test
        @DisplayName("from beyond the max seq at once, with nothing")
        void beyondMax() {
            append(msg(1));
            assertThat(sent(frame(new Pull(2, 10)), PullResult.class)).containsExactly(new PullResult(2, List.of(), 1, 1));
        }

        @Test
        @DisplayName("with at most 4 reads outstanding; further pulls merge into one read that follows")
        void boundedPulls() {
            on(new Event.Disconnected(now, random, "reset"));
            append(range(1, 100).toArray(new Message[0]));
            on(new Event.Connected(now, random, 1, 0, 100));
            List<Action.ReadInbox> reads = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                reads.addAll(only(frame(new Pull(1, 5 + i)), Action.ReadInbox.class));
            }
            assertThat(reads).as("four reads; two pulls wait, merged").hasSize(4);
            List<Action> answered = on(new Event.InboxRead(now, random, reads.get(0).token(), range(1, 4), 100));
            assertThat(sent(answered, PullResult.class)).hasSize(1);
            List<Action.ReadInbox> merged = only(answered, Action.ReadInbox.class);
            assertThat(merged).hasSize(1);
            assertThat(merged.get(0).fromSeq()).isEqualTo(1);
            assertThat(merged.get(0).limit()).as("capped at the window").isEqualTo(4);
        }
    }

    @Nested
    @DisplayName("across the device's sessions")
    class Sessions {

        @Test
        @DisplayName("forgets the window when disconnected and redelivers from the cursor the device holds")
        void redeliverFromWatermark() {
            append(msg(1), msg(2), msg(3), msg(4));
            ack(msg(1), msg(2));
            List<Action> down = on(new Event.Disconnected(now, random, "reset"));
            assertThat(server.unconfirmed()).isZero();
            assertThat(only(down, Action.CancelTimer.class)).contains(new Action.CancelTimer(AckServer.RETRANSMIT_TIMER));
            assertThat(append(msg(5))).as("nothing goes out while disconnected").isEmpty();

            List<Action> up = on(new Event.Connected(now, random, 1, 2, 5));
            Action.ReadInbox read = only(up, Action.ReadInbox.class).get(0);
            assertThat(read.fromSeq()).as("the device's cursor 2 + 1").isEqualTo(3);
            assertThat(delivered(answerReads(up, 5))).containsExactly(3L, 4L, 5L);
        }

        @Test
        @DisplayName("follows a device that holds less than it confirmed (its store was lost): sends again what it lacks")
        void followsADeviceThatLostItsStore() {
            append(msg(1), msg(2), msg(3));
            ack(msg(1), msg(2), msg(3));
            on(new Event.Disconnected(now, random, "reset"));
            List<Action> up = on(new Event.Connected(now, random, 1, 0, 3));
            assertThat(only(up, Action.ReadInbox.class).get(0).fromSeq()).isEqualTo(1);
            assertThat(delivered(answerReads(up, 3))).containsExactly(1L, 2L, 3L);
        }

        @Test
        @DisplayName("starts from the watermark the store kept, and does not persist it again")
        void startsFromThePersistedWatermark() {
            server = AckServer.create(CONFIG);
            on(new Event.Started(now, random, 1, 6));
            assertThat(only(ready(), Action.PersistWatermark.class)).as("6 is persisted already").isEmpty();
            List<Action> up = on(new Event.Connected(now, random, 1, 6, 9));
            assertThat(only(up, Action.ReadInbox.class).get(0).fromSeq()).isEqualTo(7);
            assertThat(only(ready(), Action.PersistWatermark.class)).isEmpty();
        }

        @Test
        @DisplayName("takes the device's cursor as confirmed")
        void cursorConfirms() {
            on(new Event.Disconnected(now, random, "reset"));
            List<Action> up = on(new Event.Connected(now, random, 1, 7, 9));
            assertThat(only(up, Action.ReadInbox.class).get(0).fromSeq()).isEqualTo(8);
            assertThat(only(ready(), Action.PersistWatermark.class)).extracting(Action.PersistWatermark::confirmed)
                    .containsExactly(7L);
        }

        @Test
        @DisplayName("ignores the answer to a read of an earlier session")
        void staleRead() {
            on(new Event.Disconnected(now, random, "reset"));
            List<Action> up = on(new Event.Connected(now, random, 1, 0, 3));
            Action.ReadInbox old = only(up, Action.ReadInbox.class).get(0);
            on(new Event.Disconnected(now, random, "reset"));
            List<Action> again = on(new Event.Connected(now, random, 1, 0, 3));
            assertThat(on(new Event.InboxRead(now, random, old.token(), range(1, 3), 3))).isEmpty();
            assertThat(delivered(answerReads(again, 3))).containsExactly(1L, 2L, 3L);
        }
    }
}
