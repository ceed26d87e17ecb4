package io.imr.strategy.ack;

import static io.imr.strategy.ack.Fixtures.MS;
import static io.imr.strategy.ack.Fixtures.SECOND;
import static io.imr.strategy.ack.Fixtures.corrupted;
import static io.imr.strategy.ack.Fixtures.ids;
import static io.imr.strategy.ack.Fixtures.msg;
import static io.imr.strategy.ack.Fixtures.only;
import static io.imr.strategy.ack.Fixtures.range;
import static io.imr.strategy.ack.Fixtures.scheduled;
import static io.imr.strategy.ack.Fixtures.sent;
import static io.imr.strategy.ack.Fixtures.seqs;
import static io.imr.strategy.ack.Fixtures.signalled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Notify;
import io.imr.api.frame.Pong;
import io.imr.api.frame.PullResult;
import io.imr.api.strategy.Action;
import io.imr.api.strategy.Action.Signal.Kind;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientEvent;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ClientReliability;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The ack strategy's client half")
class AckClientTest {

    /** Hold-back of 4, gap timeout 1s, tail timeout 2s, pull page 100. */
    private static final AckConfig CONFIG = AckConfig.builder().holdBack(4).pullPage(100).build();

    private ClientReliability client;
    private long now;

    @BeforeEach
    void startAtTenConnected() {
        client = AckClient.create(CONFIG);
        now = 1_000 * SECOND;
        on(new Event.Started(now, 0, 1, 10));
        on(new Event.Connected(now, 0, 1, 10, 10));
    }

    private List<Action> on(ClientEvent event) {
        ClientActions out = new ClientActions();
        client.on(event, out);
        return List.copyOf(out.drain());
    }

    private List<Action> deliver(long maxSeq, Message... messages) {
        return on(new Event.FrameArrived(now, 7, new Deliver(List.of(messages), maxSeq)));
    }

    private List<Action> frame(Frame frame) {
        return on(new Event.FrameArrived(now, 7, frame));
    }

    private List<Action> ready() {
        return on(new Event.ReadyToPersist(now, 7));
    }

    private Action.Persist persist() {
        List<Action.Persist> persists = only(ready(), Action.Persist.class);
        assertThat(persists).hasSize(1);
        return persists.get(0);
    }

    private List<Action> done(long token) {
        return on(new Event.CommitDone(now, 7, token));
    }

    private List<Action> fire(String timer) {
        return on(new Event.TimerFired(now, 7, timer));
    }

    /** The seqs acked, all of epoch 1 (the fixtures' epoch). */
    private static List<Long> acked(List<Action> actions) {
        List<Ack> acks = sent(actions, Ack.class);
        assertThat(acks).allMatch(a -> a.epoch() == 1, "of epoch 1");
        return Fixtures.ackedSeqs(acks);
    }

    @Nested
    @DisplayName("persists and confirms")
    class PersistAndConfirm {

        @Test
        @DisplayName("persists what continues the cursor and acks exactly the committed ids after the commit")
        void acksAfterCommit() {
            List<Action> received = deliver(12, msg(11), msg(12));
            assertThat(sent(received, Ack.class)).as("no ack before the commit (G5)").isEmpty();
            Action.Persist persist = persist();
            assertThat(seqs(persist.messages())).containsExactly(11L, 12L);
            assertThat(acked(ready())).isEmpty();

            List<Action> committed = done(persist.token());
            assertThat(acked(committed)).containsExactly(11L, 12L);
            assertThat(client.buffered()).isZero();
        }

        @Test
        @DisplayName("puts at most one Persist at a time; what arrives meanwhile goes into the next")
        void groupCommit() {
            deliver(11, msg(11));
            Action.Persist first = persist();
            deliver(13, msg(12), msg(13));
            assertThat(only(ready(), Action.Persist.class)).as("a commit is running").isEmpty();
            assertThat(client.buffered()).isEqualTo(3);

            assertThat(acked(done(first.token()))).containsExactly(11L);
            Action.Persist second = persist();
            assertThat(seqs(second.messages())).containsExactly(12L, 13L);
            assertThat(acked(done(second.token()))).containsExactly(12L, 13L);
        }

        @Test
        @DisplayName("acks a large commit of consecutive seqs with one range in one frame")
        void oneRangeForAConsecutiveCommit() {
            List<Message> many = range(11, 10 + Frame.MAX_BATCH + 10);
            for (int from = 0; from < many.size(); from += Frame.MAX_BATCH) {
                List<Message> batch = many.subList(from, Math.min(many.size(), from + Frame.MAX_BATCH));
                on(new Event.FrameArrived(now, 0, new Deliver(batch, 10 + many.size())));
            }
            Action.Persist persist = persist();
            List<Ack> acks = sent(done(persist.token()), Ack.class);
            assertThat(acks).containsExactly(Ack.of(1, 11, 10 + many.size()));
        }

        @Test
        @DisplayName("acks duplicates of two epochs in one frame per epoch, runs merged")
        void rangesPerEpoch() {
            deliver(11, msg(11));
            done(persist().token());
            List<Action> again = deliver(11, msg(8), msg(9), msg(11));
            assertThat(sent(again, Ack.class)).containsExactly(new Ack(1, List.of(new Ack.Range(8, 9),
                    new Ack.Range(11, 11))));
        }

        @Test
        @DisplayName("ignores the answer to a commit it did not ask for")
        void unknownToken() {
            deliver(11, msg(11));
            Action.Persist persist = persist();
            assertThat(done(persist.token() + 1)).isEmpty();
            assertThat(on(new Event.CommitFailed(now, 0, persist.token() + 1, "not ours"))).isEmpty();
            assertThat(client.buffered()).isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("deduplicates")
    class Dedup {

        @Test
        @DisplayName("acks a duplicate of a committed message again, so the server stops resending it")
        void reAcksCommitted() {
            deliver(11, msg(11));
            done(persist().token());
            List<Action> again = deliver(11, msg(10), msg(11));
            assertThat(signalled(again, Kind.DUPLICATE)).isEqualTo(2);
            assertThat(acked(again)).containsExactly(10L, 11L);
            assertThat(only(ready(), Action.Persist.class)).isEmpty();
        }

        @Test
        @DisplayName("drops a duplicate of a message being committed, without a second persist or an early ack")
        void dropsInFlight() {
            deliver(11, msg(11));
            Action.Persist persist = persist();
            List<Action> again = deliver(11, msg(11));
            assertThat(signalled(again, Kind.DUPLICATE)).isEqualTo(1);
            assertThat(sent(again, Ack.class)).isEmpty();
            assertThat(only(ready(), Action.Persist.class)).isEmpty();
            assertThat(acked(done(persist.token()))).containsExactly(11L);
            assertThat(only(ready(), Action.Persist.class)).isEmpty();
        }

        @Test
        @DisplayName("drops a duplicate of an accepted or held message")
        void dropsAcceptedAndHeld() {
            deliver(13, msg(11), msg(13));
            List<Action> again = deliver(13, msg(11), msg(13));
            assertThat(signalled(again, Kind.DUPLICATE)).isEqualTo(2);
            assertThat(client.buffered()).isEqualTo(2);
        }
    }

    @Nested
    @DisplayName("keeps order with a bounded hold-back buffer")
    class HoldBack {

        @Test
        @DisplayName("holds messages past a hole, persists nothing past it, and persists in order once it is filled")
        void fillsTheHole() {
            List<Action> past = deliver(14, msg(13), msg(14));
            assertThat(signalled(past, Kind.GAP_DETECTED)).isEqualTo(1);
            assertThat(signalled(past, Kind.HELD_BACK)).isEqualTo(2);
            assertThat(only(ready(), Action.Persist.class)).as("nothing past a hole (G3)").isEmpty();
            assertThat(client.buffered()).isEqualTo(2);

            List<Action> more = deliver(16, msg(16));
            assertThat(signalled(more, Kind.GAP_DETECTED)).as("a second hole").isEqualTo(1);
            assertThat(signalled(deliver(16, msg(12)), Kind.GAP_DETECTED)).as("inside a known hole").isZero();
            assertThat(only(ready(), Action.Persist.class)).isEmpty();

            deliver(16, msg(11));
            assertThat(seqs(persist().messages())).containsExactly(11L, 12L, 13L, 14L);
            assertThat(client.buffered()).isEqualTo(5);
        }

        @Test
        @DisplayName("drops what does not fit and counts it, keeping the messages nearest the hole")
        void overflow() {
            List<Action> past = deliver(20, msg(13), msg(14), msg(15), msg(16), msg(17), msg(18));
            assertThat(signalled(past, Kind.HOLD_BACK_OVERFLOW)).isEqualTo(2);
            assertThat(signalled(past, Kind.HELD_BACK)).isEqualTo(4);
            assertThat(client.buffered()).isEqualTo(4);

            deliver(20, msg(12));
            deliver(20, msg(11));
            assertThat(seqs(persist().messages())).containsExactly(11L, 12L, 13L, 14L, 15L);
        }

        @Test
        @DisplayName("pulls exactly the missing range when the hole is still open as the gap timer fires")
        void gapTimerPulls() {
            List<Action> past = deliver(14, msg(13), msg(14));
            assertThat(scheduled(past, AckClient.GAP_TIMER)).isEqualTo(SECOND);
            now += SECOND;
            List<Action> fired = fire(AckClient.GAP_TIMER);
            assertThat(only(fired, Action.PullRange.class)).containsExactly(new Action.PullRange(11, 2));
            assertThat(scheduled(fired, AckClient.GAP_TIMER)).as("watching on").isEqualTo(SECOND);
        }

        @Test
        @DisplayName("does not pull when the hole filled before the gap timer fired")
        void gapFilledInTime() {
            deliver(14, msg(13), msg(14));
            List<Action> filled = deliver(14, msg(11), msg(12));
            assertThat(only(filled, Action.CancelTimer.class)).contains(new Action.CancelTimer(AckClient.GAP_TIMER));
            now += SECOND;
            assertThat(only(fire(AckClient.GAP_TIMER), Action.PullRange.class)).isEmpty();
        }
    }

    @Test
    @DisplayName("drops a message whose payload does not verify and takes a good copy later")
    void corruptDropped() {
        List<Action> bad = deliver(11, corrupted(msg(11)));
        assertThat(signalled(bad, Kind.CORRUPT)).isEqualTo(1);
        assertThat(sent(bad, Ack.class)).isEmpty();
        assertThat(only(ready(), Action.Persist.class)).isEmpty();
        assertThat(client.buffered()).isZero();

        deliver(11, msg(11));
        assertThat(persist().messages()).containsExactly(msg(11));
    }

    @Test
    @DisplayName("ignores messages of another epoch than the session's")
    void otherEpoch() {
        List<Action> stale = deliver(11, msg(11, 2));
        assertThat(only(stale, Action.Signal.class)).isEmpty();
        assertThat(client.buffered()).isZero();
    }

    @Nested
    @DisplayName("after a failed commit")
    class CommitFailure {

        @Test
        @DisplayName("falls back to the committed cursor, waits, then pulls from it and persists what comes")
        void fallsBackAndPulls() {
            deliver(12, msg(11), msg(12));
            Action.Persist failed = persist();
            deliver(15, msg(13), msg(15));
            assertThat(client.buffered()).isEqualTo(4);

            List<Action> fail = on(new Event.CommitFailed(now, 0, failed.token(), "disk full"));
            assertThat(client.buffered()).as("in-flight, accepted and held dropped").isZero();
            long retryIn = scheduled(fail, AckClient.RETRY_TIMER);
            assertThat(retryIn).isBetween(200 * MS, 300 * MS);
            assertThat(sent(fail, Ack.class)).as("nothing acked").isEmpty();

            deliver(15, msg(11));
            assertThat(only(ready(), Action.Persist.class)).as("no commit while waiting to retry").isEmpty();

            now += retryIn;
            List<Action> retry = fire(AckClient.RETRY_TIMER);
            assertThat(only(retry, Action.PullRange.class)).as("the retry pulls what follows 11, which waits to be"
                    + " committed: the pull claims 10 only (G5)").containsExactly(new Action.PullRange(12, 100, 10));
            Action.Persist again = persist();
            assertThat(seqs(again.messages())).containsExactly(11L);

            List<Action> committed = done(again.token());
            assertThat(acked(committed)).containsExactly(11L);
            assertThat(only(committed, Action.PullRange.class)).as("one outstanding").isEmpty();
            frame(new PullResult(12, List.of(msg(12), msg(13), msg(14), msg(15)), 15, 1));
            assertThat(seqs(persist().messages())).containsExactly(12L, 13L, 14L, 15L);
        }

        @Test
        @DisplayName("pulls nothing while it waits to retry; the retry pulls")
        void noPullWhileWaiting() {
            frame(new Notify(1, 20));
            deliver(20, msg(11));
            Action.Persist p = persist();
            long retryIn = scheduled(on(new Event.CommitFailed(now, 0, p.token(), "io")), AckClient.RETRY_TIMER);
            now += 2 * SECOND;
            assertThat(only(fire(AckClient.TAIL_TIMER), Action.PullRange.class)).isEmpty();
            assertThat(retryIn).isLessThan(2 * SECOND);
            assertThat(only(fire(AckClient.RETRY_TIMER), Action.PullRange.class))
                    .containsExactly(new Action.PullRange(11, 100));
        }

        @Test
        @DisplayName("waits longer after failures in a row")
        void backsOff() {
            long previous = 0;
            for (int i = 0; i < 3; i++) {
                deliver(11, msg(11));
                Action.Persist p = persist();
                long delay = scheduled(on(new Event.CommitFailed(now, 0, p.token(), "io")), AckClient.RETRY_TIMER);
                assertThat(delay).isGreaterThan(previous);
                previous = delay;
                now += delay;
                fire(AckClient.RETRY_TIMER);
                frame(new PullResult(11, List.of(), 11, 1));
            }
        }
    }

    @Nested
    @DisplayName("notices a lost tail (G9)")
    class Tail {

        @Test
        @DisplayName("pulls when a Notify showed messages beyond what it has and none came within the tail timeout")
        void notifyThenPull() {
            List<Action> told = frame(new Notify(1, 15));
            assertThat(scheduled(told, AckClient.TAIL_TIMER)).isEqualTo(2 * SECOND);
            now += 2 * SECOND;
            List<Action> fired = fire(AckClient.TAIL_TIMER);
            assertThat(only(fired, Action.PullRange.class)).containsExactly(new Action.PullRange(11, 100));
        }

        @Test
        @DisplayName("learns the max seq from a Pong too")
        void pong() {
            assertThat(scheduled(frame(new Pong(1, 1, 12)), AckClient.TAIL_TIMER)).isEqualTo(2 * SECOND);
        }

        @Test
        @DisplayName("does not pull while messages keep coming, and stops watching once it has them all")
        void progressIsNotATail() {
            frame(new Notify(1, 13));
            deliver(13, msg(11));
            now += 2 * SECOND;
            List<Action> fired = fire(AckClient.TAIL_TIMER);
            assertThat(only(fired, Action.PullRange.class)).isEmpty();
            assertThat(scheduled(fired, AckClient.TAIL_TIMER)).as("still behind: watching on").isEqualTo(2 * SECOND);

            List<Action> all = deliver(13, msg(12), msg(13));
            assertThat(only(all, Action.CancelTimer.class)).contains(new Action.CancelTimer(AckClient.TAIL_TIMER));
        }

        @Test
        @DisplayName("pulls page after page, at once while the backlog allows and else as soon as a commit returns")
        void pagedPull() {
            frame(new Notify(1, 400));
            now += 2 * SECOND;
            assertThat(only(fire(AckClient.TAIL_TIMER), Action.PullRange.class))
                    .containsExactly(new Action.PullRange(11, 100));
            assertThat(only(frame(new Notify(1, 400)), Action.PullRange.class)).as("one pull at a time").isEmpty();

            List<Action> first = frame(new PullResult(11, range(11, 110), 400, 1));
            assertThat(only(first, Action.PullRange.class)).as("the next page travels while this one is committed;"
                    + " the pull claims only 10 (G5)").containsExactly(new Action.PullRange(111, 100, 10));
            assertThat(only(frame(new PullResult(11, range(11, 110), 400, 1)), Action.PullRange.class))
                    .as("a duplicate answer pulls nothing").isEmpty();
            Action.Persist firstPage = persist();
            List<Action> second = frame(new PullResult(111, range(111, 210), 400, 1));
            assertThat(client.buffered()).as("two pages: one being committed, one arrived").isEqualTo(200);
            assertThat(only(second, Action.PullRange.class)).as("two pages wait: no third").isEmpty();
            List<Action> firstCommitted = done(firstPage.token());
            assertThat(only(firstCommitted, Action.PullRange.class)).containsExactly(new Action.PullRange(211, 100, 110));
            frame(new PullResult(111, range(111, 210), 400, 1)); // a duplicate must not cancel anything
            List<Action> committed = done(persist().token());
            assertThat(only(committed, Action.PullRange.class)).as("one outstanding").isEmpty();

            List<Action> last = frame(new PullResult(211, range(211, 250), 400, 1));
            assertThat(only(last, Action.PullRange.class)).as("a short page: the server has no more now").isEmpty();
        }
    }

    @Nested
    @DisplayName("across sessions")
    class Sessions {

        @Test
        @DisplayName("keeps a commit running across a reconnect and acks it when it returns")
        void inFlightSurvivesReconnect() {
            deliver(12, msg(11), msg(12));
            Action.Persist persist = persist();
            deliver(14, msg(14));
            on(new Event.Disconnected(now, 0, "reset"));
            on(new Event.Connected(now, 0, 1, 10, 14));
            assertThat(client.buffered()).as("held back dropped; in flight kept").isEqualTo(2);
            List<Action> redelivered = deliver(14, msg(11), msg(12), msg(13), msg(14));
            assertThat(signalled(redelivered, Kind.DUPLICATE)).isEqualTo(2);
            assertThat(acked(done(persist.token()))).containsExactly(11L, 12L);
            assertThat(seqs(persist().messages())).containsExactly(13L, 14L);
        }

        @Test
        @DisplayName("stops its timers when disconnected and still persists what it accepted")
        void disconnected() {
            deliver(11, msg(11));
            deliver(14, msg(13));
            frame(new Notify(1, 20));
            List<Action> down = on(new Event.Disconnected(now, 0, "reset"));
            assertThat(only(down, Action.CancelTimer.class)).containsExactlyInAnyOrder(
                    new Action.CancelTimer(AckClient.GAP_TIMER), new Action.CancelTimer(AckClient.TAIL_TIMER));
            assertThat(seqs(persist().messages())).containsExactly(11L);
            now += 5 * SECOND;
            assertThat(only(fire(AckClient.TAIL_TIMER), Action.PullRange.class)).isEmpty();
        }

        @Test
        @DisplayName("watches the tail the welcome announced")
        void welcomeMaxSeq() {
            on(new Event.Disconnected(now, 0, "reset"));
            List<Action> up = on(new Event.Connected(now, 0, 1, 10, 30));
            assertThat(scheduled(up, AckClient.TAIL_TIMER)).isEqualTo(2 * SECOND);
        }

        @Test
        @DisplayName("continues from the new cursor when the server started a new epoch, without acking the old batch")
        void newEpoch() {
            deliver(11, msg(11));
            Action.Persist old = persist();
            on(new Event.Disconnected(now, 0, "reset"));
            on(new Event.Connected(now, 0, 2, 4, 6));
            deliver(6, msg(5, 2), msg(6, 2));
            assertThat(sent(done(old.token()), Ack.class)).isEmpty();
            assertThat(seqs(persist().messages())).containsExactly(5L, 6L);
        }
    }
}
