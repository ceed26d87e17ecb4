package io.imr.strategy.seqid;

import static io.imr.testkit.StrategyFixtures.MS;
import static io.imr.testkit.StrategyFixtures.SECOND;
import static io.imr.testkit.StrategyFixtures.delivered;
import static io.imr.testkit.StrategyFixtures.msg;
import static io.imr.testkit.StrategyFixtures.only;
import static io.imr.testkit.StrategyFixtures.range;
import static io.imr.testkit.StrategyFixtures.scheduled;
import static io.imr.testkit.StrategyFixtures.sent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Notify;
import io.imr.api.frame.Pull;
import io.imr.api.frame.PullResult;
import io.imr.api.strategy.Action;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ServerActions;
import io.imr.api.strategy.ServerEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The seqid strategy's server half")
class SeqidServerTest {

    /** A push window of 4. */
    private static final SeqidConfig CONFIG = SeqidConfig.builder().pushWindow(4).build();

    private SeqidServer server;
    private long now;

    @BeforeEach
    void upToDateAtZero() {
        server = new SeqidServer(CONFIG);
        now = 1_000 * SECOND;
        on(new Event.Started(now, 0, 0, 0));
        on(new Event.Connected(now, 0, 1, 0, 0));
    }

    private List<Action> on(ServerEvent event) {
        ServerActions out = new ServerActions();
        server.on(event, out);
        return List.copyOf(out.drain());
    }

    private List<Action> append(Message... messages) {
        return on(new Event.MessagesAppended(now, 0, List.of(messages), messages[messages.length - 1].seq()));
    }

    private List<Action> frame(Frame frame) {
        return on(new Event.FrameArrived(now, 0, frame));
    }

    private List<Action> reconnect(long epoch, long cursor, long maxSeq) {
        on(new Event.Disconnected(now, 0, "reset"));
        return on(new Event.Connected(now, 0, epoch, cursor, maxSeq));
    }

    private List<Action.PersistWatermark> ready() {
        return only(on(new Event.ReadyToPersist(now, 0)), Action.PersistWatermark.class);
    }

    private static Action.ReadInbox theRead(List<Action> actions) {
        List<Action.ReadInbox> reads = only(actions, Action.ReadInbox.class);
        assertThat(reads).hasSize(1);
        return reads.get(0);
    }

    /** Answers a read from an inbox that holds seqs 1..inboxMax. */
    private List<Action> answer(Action.ReadInbox read, long inboxMax) {
        long to = Math.min(inboxMax, read.fromSeq() + read.limit() - 1);
        List<Message> found = read.fromSeq() > to ? List.of() : range(read.fromSeq(), to);
        return on(new Event.InboxRead(now, 0, read.token(), found, inboxMax));
    }

    @Nested
    @DisplayName("pushes within its push window")
    class Push {

        @Test
        @DisplayName("pushes what continues what was sent up to push-window beyond the watermark, and notifies beyond")
        void withinWindow() {
            List<Action> pushed = append(range(1, 6).toArray(new Message[0]));
            assertThat(delivered(pushed)).containsExactly(1L, 2L, 3L, 4L);
            assertThat(sent(pushed, Deliver.class).get(0).maxSeq()).isEqualTo(6);
            assertThat(sent(pushed, Notify.class)).as("its cue to pull").containsExactly(new Notify(1, 6));
            assertThat(server.unconfirmed()).isEqualTo(4);
            assertThat(only(pushed, Action.ScheduleTimer.class)).as("it never retransmits").isEmpty();
        }

        @Test
        @DisplayName("sends no Notify when everything appended was pushed")
        void allPushed() {
            List<Action> pushed = append(msg(1), msg(2));
            assertThat(delivered(pushed)).containsExactly(1L, 2L);
            assertThat(sent(pushed, Notify.class)).isEmpty();
        }

        @Test
        @DisplayName("notifies at most once per 100 ms, and the latest max seq once the interval is over")
        void throttled() {
            append(range(1, 5).toArray(new Message[0]));
            now += 10 * MS;
            List<Action> second = append(msg(6));
            assertThat(sent(second, Notify.class)).isEmpty();
            assertThat(scheduled(second, SeqidServer.NOTIFY_TIMER)).isEqualTo(90 * MS);
            now += 10 * MS;
            assertThat(sent(append(msg(7)), Notify.class)).isEmpty();
            now += 80 * MS;
            assertThat(sent(on(new Event.TimerFired(now, 0, SeqidServer.NOTIFY_TIMER)), Notify.class))
                    .containsExactly(new Notify(1, 7));
            assertThat(SeqidServer.NOTIFY_TIMER).isEqualTo("seqid.notify");
        }

        @Test
        @DisplayName("pushes nothing the device missed while away (it pulls that), and notifies what comes next")
        void nothingMissedIsPushed() {
            List<Action> up = reconnect(1, 0, 10);
            assertThat(up).as("the welcome told 10").isEmpty();
            List<Action> eleven = append(msg(11));
            assertThat(delivered(eleven)).isEmpty();
            assertThat(sent(eleven, Notify.class)).containsExactly(new Notify(1, 11));
            assertThat(server.unconfirmed()).isZero();
        }

        @Test
        @DisplayName("ignores appended messages of another epoch than the session's")
        void otherEpoch() {
            assertThat(delivered(append(msg(1, 2), msg(2, 2)))).isEmpty();
            assertThat(server.unconfirmed()).isZero();
            assertThat(delivered(append(msg(1)))).containsExactly(1L);
        }

        @Test
        @DisplayName("pushes nothing, and ignores every frame, while disconnected")
        void disconnected() {
            on(new Event.Disconnected(now, 0, "reset"));
            assertThat(append(msg(1))).isEmpty();
            assertThat(frame(new Pull(1, 10))).isEmpty();
            assertThat(ready()).isEmpty();
        }
    }

    @Nested
    @DisplayName("answers pulls")
    class Pulls {

        @Test
        @DisplayName("takes a pull from the committed cursor + 1 as confirming everything below it, and persists that watermark")
        void pullConfirms() {
            append(msg(1), msg(2), msg(3), msg(4));
            frame(new Pull(3, 100));
            assertThat(server.unconfirmed()).isEqualTo(2);
            assertThat(ready()).extracting(Action.PersistWatermark::epoch, Action.PersistWatermark::confirmed)
                    .containsExactly(tuple(1L, 2L));
            assertThat(ready()).as("one commit at a time").isEmpty();
        }

        @Test
        @DisplayName("takes a pull's committed cursor, not its start, as the confirmation")
        void pullCommittedConfirms() {
            append(msg(1), msg(2), msg(3), msg(4));
            frame(new Pull(4, 100, 1));
            assertThat(server.unconfirmed()).as("2 to 4 sent, 1 confirmed").isEqualTo(3);
            assertThat(ready()).extracting(Action.PersistWatermark::epoch, Action.PersistWatermark::confirmed)
                    .containsExactly(tuple(1L, 1L));
        }

        @Test
        @DisplayName("opens the push window again with each pull")
        void reopensWindow() {
            append(range(1, 6).toArray(new Message[0]));
            Action.ReadInbox read = theRead(frame(new Pull(5, 100)));
            assertThat(server.unconfirmed()).isZero();
            assertThat(delivered(append(msg(7)))).as("5 and 6 are being pulled").isEmpty();
            answer(read, 7);
            assertThat(server.unconfirmed()).as("5..7 went with the answer").isEqualTo(3);
            assertThat(delivered(append(msg(8)))).containsExactly(8L);
            assertThat(server.unconfirmed()).isEqualTo(4);
            assertThat(delivered(append(msg(9)))).as("beyond 4 + 4").isEmpty();
        }

        @Test
        @DisplayName("reads at most push-window messages, and answers with a PullResult")
        void readsAtMostTheWindow() {
            reconnect(1, 0, 10);
            Action.ReadInbox read = theRead(frame(new Pull(1, 100)));
            assertThat(read.fromSeq()).isEqualTo(1);
            assertThat(read.limit()).isEqualTo(4);
            assertThat(sent(answer(read, 10), PullResult.class)).containsExactly(new PullResult(1, range(1, 4), 10, 1));
            assertThat(server.unconfirmed()).as("what the answer carried counts as sent").isEqualTo(4);
        }

        @Test
        @DisplayName("resumes pushing after what a pull returned, and not before it returned")
        void pushResumesAfterPull() {
            reconnect(1, 0, 2);
            Action.ReadInbox read = theRead(frame(new Pull(1, 100)));
            assertThat(delivered(append(msg(3)))).as("1 and 2 are not answered yet").isEmpty();
            answer(read, 3);
            assertThat(delivered(append(msg(4)))).as("3 came with the answer").containsExactly(4L);
        }

        @Test
        @DisplayName("answers at once a pull from beyond the max seq")
        void beyondMax() {
            append(msg(1));
            assertThat(sent(frame(new Pull(2, 10)), PullResult.class))
                    .containsExactly(new PullResult(2, List.of(), 1, 1));
            assertThat(server.unconfirmed()).isZero();
        }

        @Test
        @DisplayName("takes no other confirmation: acks by seq and ack-up-to mean nothing here, and are signalled as"
                + " another strategy's")
        void noOtherConfirmation() {
            append(msg(1), msg(2));
            Action.Signal other = new Action.Signal(Action.Signal.Kind.IGNORED_OTHER_STRATEGY, 1);
            assertThat(frame(Ack.of(1, 1, 1))).containsExactly(other);
            assertThat(frame(new AckUpTo(1, 2))).containsExactly(other);
            assertThat(server.unconfirmed()).isEqualTo(2);
            assertThat(ready()).isEmpty();
        }

        @Test
        @DisplayName("drops the answer to a read of an earlier session")
        void staleRead() {
            reconnect(1, 0, 10);
            Action.ReadInbox read = theRead(frame(new Pull(1, 100)));
            reconnect(1, 0, 10);
            assertThat(answer(read, 10)).isEmpty();
            assertThat(server.unconfirmed()).isZero();
        }
    }

    @Nested
    @DisplayName("keeps the device's watermark")
    class Watermark {

        @Test
        @DisplayName("starts from the watermark the store kept and does not persist it again")
        void restored() {
            server = new SeqidServer(CONFIG);
            on(new Event.Started(now, 0, 1, 6));
            on(new Event.Connected(now, 0, 1, 6, 9));
            assertThat(ready()).isEmpty();
            frame(new Pull(8, 100));
            assertThat(ready()).extracting(Action.PersistWatermark::confirmed).containsExactly(7L);
        }

        @Test
        @DisplayName("takes the hello's cursor as confirmed, up to the max seq")
        void helloConfirms() {
            reconnect(1, 7, 9);
            assertThat(ready()).extracting(Action.PersistWatermark::confirmed).containsExactly(7L);
            server = new SeqidServer(CONFIG);
            on(new Event.Connected(now, 0, 1, 20, 9));
            assertThat(ready()).extracting(Action.PersistWatermark::confirmed).containsExactly(9L);
        }

        @Test
        @DisplayName("does not move back in the store when a device holds less than it confirmed")
        void lowerCursor() {
            server = new SeqidServer(CONFIG);
            on(new Event.Started(now, 0, 1, 6));
            on(new Event.Connected(now, 0, 1, 2, 9));
            assertThat(ready()).isEmpty();
            frame(new Pull(3, 100));
            frame(new Pull(6, 100));
            assertThat(ready()).as("the store keeps 6").isEmpty();
            frame(new Pull(8, 100));
            assertThat(ready()).extracting(Action.PersistWatermark::confirmed).containsExactly(7L);
        }

        @Test
        @DisplayName("starts over in a new epoch, and ignores the old epoch's messages")
        void newEpoch() {
            server = new SeqidServer(CONFIG);
            on(new Event.Started(now, 0, 1, 6));
            on(new Event.Connected(now, 0, 2, 3, 3));
            assertThat(ready()).extracting(Action.PersistWatermark::epoch, Action.PersistWatermark::confirmed)
                    .containsExactly(tuple(2L, 3L));
            assertThat(delivered(append(msg(4, 1)))).isEmpty();
            assertThat(delivered(append(msg(4, 2)))).containsExactly(4L);
        }

        @Test
        @DisplayName("asks again after a failed commit, and not after a done one")
        void retries() {
            append(msg(1), msg(2));
            frame(new Pull(3, 10));
            Action.PersistWatermark first = ready().get(0);
            on(new Event.CommitFailed(now, 0, first.token(), "io"));
            Action.PersistWatermark second = ready().get(0);
            assertThat(second.confirmed()).isEqualTo(2);
            on(new Event.CommitDone(now, 0, second.token()));
            assertThat(ready()).isEmpty();
        }
    }

    /** G7: whatever the device pulls and whenever it reconnects, nothing beyond the push window is unconfirmed. */
    @Test
    @DisplayName("never has more unconfirmed than its push window")
    void boundedUnconfirmed() {
        for (long seed = 1; seed <= 100; seed++) {
            Random random = new Random(seed);
            server = new SeqidServer(CONFIG);
            on(new Event.Started(now, 0, 1, 0));
            on(new Event.Connected(now, 0, 1, 0, 0));
            long maxSeq = 0;
            List<Action.ReadInbox> reads = new ArrayList<>();
            for (int step = 0; step < 300; step++) {
                now += random.nextInt(200) * MS;
                List<Action> actions;
                int pick = random.nextInt(10);
                if (pick <= 3) {
                    int n = 1 + random.nextInt(5);
                    List<Message> appended = range(maxSeq + 1, maxSeq + n);
                    maxSeq += n;
                    actions = on(new Event.MessagesAppended(now, 0, appended, maxSeq));
                } else if (pick <= 5) {
                    actions = frame(new Pull(1 + random.nextInt((int) maxSeq + 1), 1 + random.nextInt(20)));
                } else if (pick <= 7 && !reads.isEmpty()) {
                    actions = answer(reads.remove(random.nextInt(reads.size())), maxSeq);
                } else if (pick == 8) {
                    reads.clear();
                    actions = reconnect(1, random.nextInt((int) maxSeq + 1), maxSeq);
                } else {
                    actions = on(new Event.TimerFired(now, 0, SeqidServer.NOTIFY_TIMER));
                }
                reads.addAll(only(actions, Action.ReadInbox.class));
                assertThat(server.unconfirmed()).as("seed %d step %d", seed, step).isBetween(0, CONFIG.pushWindow());
                for (Action.ReadInbox read : only(actions, Action.ReadInbox.class)) {
                    assertThat(read.limit()).isLessThanOrEqualTo(CONFIG.pushWindow());
                }
            }
        }
    }
}
