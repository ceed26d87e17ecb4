package io.imr.strategy.support;

import static io.imr.strategy.support.ActionLists.MS;
import static io.imr.strategy.support.ActionLists.SECOND;
import static io.imr.strategy.support.ActionLists.delivered;
import static io.imr.strategy.support.ActionLists.only;
import static io.imr.strategy.support.ActionLists.scheduled;
import static io.imr.strategy.support.ActionLists.sent;
import static io.imr.strategy.support.ActionLists.signalled;
import static io.imr.strategy.support.Messages.range;
import static io.imr.strategy.support.Messages.seq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ServerActions;
import io.imr.api.strategy.ServerEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The windowed server as {@code hybrid} uses it: confirmed cumulatively, the window filled from the inbox
 * only when a session resumes. ({@code ack}'s settings, acks by id and refills, are tested in
 * {@code AckServerTest}.)
 */
@DisplayName("A windowed server that confirms cumulatively and does not refill from the inbox")
class WindowedServerTest {

    /** A window of 4 messages; retransmits after 1s, doubling up to 4s; a Notify at most every 100ms. */
    private static final WindowedServer.Settings SETTINGS = new WindowedServer.Settings("w", 4, 8 << 20,
            Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofMillis(100), 4, false, false);

    private WindowedServer server;
    private long now;
    private final long random = Long.MIN_VALUE; // the middle of the jitter: delays are their base

    @BeforeEach
    void upToDateAtZero() {
        server = new WindowedServer(SETTINGS);
        now = 1_000 * SECOND;
        on(new Event.Started(now, random, 0, 0));
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

    private List<Action> reconnect(long epoch, long cursor, long maxSeq) {
        on(new Event.Disconnected(now, random, "reset"));
        return on(new Event.Connected(now, random, epoch, cursor, maxSeq));
    }

    private List<Action> fire(String timer) {
        return on(new Event.TimerFired(now, random, timer));
    }

    private List<Action.PersistWatermark> ready() {
        return only(on(new Event.ReadyToPersist(now, random)), Action.PersistWatermark.class);
    }

    private static Action.ReadInbox theRead(List<Action> actions) {
        List<Action.ReadInbox> reads = only(actions, Action.ReadInbox.class);
        assertThat(reads).hasSize(1);
        return reads.get(0);
    }

    /** Answers a read from an inbox that holds seqs 1..inboxMax. */
    private List<Action> answer(Action.ReadInbox read, long inboxMax) {
        long to = Math.min(inboxMax, read.fromSeq() + read.limit() - 1);
        return on(new Event.InboxRead(now, random, read.token(), range(read.fromSeq(), to), inboxMax));
    }

    @Test
    @DisplayName("refuses settings without a name, a window, a positive retransmit wait within its cap")
    void validatesSettings() {
        assertThatThrownBy(() -> new WindowedServer.Settings("", 4, 1024, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ZERO, 1, false, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WindowedServer.Settings("w", 0, 1024, Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ZERO, 1, false, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WindowedServer.Settings("w", 4, 1024, Duration.ofSeconds(2),
                Duration.ofSeconds(1), Duration.ZERO, 1, false, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WindowedServer.Settings("w", 4, 1024, Duration.ZERO, Duration.ofSeconds(1),
                Duration.ZERO, 1, false, false)).isInstanceOf(IllegalArgumentException.class);
        assertThat(server.retransmitTimer()).isEqualTo("w.retransmit");
        assertThat(server.notifyTimer()).isEqualTo("w.notify");
    }

    @Nested
    @DisplayName("when a session resumes from the watermark")
    class Resume {

        @Test
        @DisplayName("fills the window from the inbox once, then notifies the max seq it will not push")
        void oneFillThenNotify() {
            List<Action> up = reconnect(1, 0, 10);
            Action.ReadInbox read = theRead(up);
            assertThat(read.fromSeq()).isEqualTo(1);
            assertThat(read.limit()).as("no more than the window holds").isEqualTo(4);

            List<Action> filled = answer(read, 10);
            assertThat(delivered(filled)).containsExactly(1L, 2L, 3L, 4L);
            assertThat(sent(filled, Notify.class)).as("its cue to pull 5..10").containsExactly(new Notify(1, 10));
            assertThat(only(filled, Action.ReadInbox.class)).as("one fill only").isEmpty();
            assertThat(server.unconfirmed()).isEqualTo(4);

            List<Action> acked = frame(new AckUpTo(1, 4));
            assertThat(server.unconfirmed()).isZero();
            assertThat(only(acked, Action.ReadInbox.class)).as("the device pulls the rest").isEmpty();
            assertThat(delivered(acked)).isEmpty();
            assertThat(sent(acked, Notify.class)).as("it was told 10 already").isEmpty();
        }

        @Test
        @DisplayName("sends no Notify when the fill holds everything")
        void fillHoldsAll() {
            List<Action> filled = answer(theRead(reconnect(1, 0, 3)), 3);
            assertThat(delivered(filled)).containsExactly(1L, 2L, 3L);
            assertThat(sent(filled, Deliver.class).get(0).maxSeq()).isEqualTo(3);
            assertThat(sent(filled, Notify.class)).isEmpty();
            assertThat(only(filled, Action.ScheduleTimer.class)).extracting(Action.ScheduleTimer::timer)
                    .containsExactly("w.retransmit");
        }

        @Test
        @DisplayName("reads nothing when the device is up to date, and pushes what is appended next")
        void upToDate() {
            List<Action> up = reconnect(1, 5, 5);
            assertThat(only(up, Action.ReadInbox.class)).isEmpty();
            assertThat(sent(up, Notify.class)).isEmpty();
            assertThat(delivered(append(seq(6)))).containsExactly(6L);
        }

        @Test
        @DisplayName("does not fill the window from the inbox later in a session that had nothing to read when it"
                + " started: the device is told, and pulls")
        void noLateFill() {
            List<Action> pushed = append(range(1, 6).toArray(new Message[0]));
            assertThat(delivered(pushed)).containsExactly(1L, 2L, 3L, 4L);
            assertThat(sent(pushed, Deliver.class).get(0).maxSeq()).isEqualTo(6);

            List<Action> acked = frame(new AckUpTo(1, 4));
            assertThat(only(acked, Action.ReadInbox.class)).as("5 and 6 are the device's to pull, not pushed"
                    + " besides").isEmpty();
            assertThat(sent(acked, Notify.class)).containsExactly(new Notify(1, 6));
        }

        @Test
        @DisplayName("ignores the answer to a fill of an earlier session")
        void staleFill() {
            Action.ReadInbox old = theRead(reconnect(1, 0, 10));
            Action.ReadInbox current = theRead(reconnect(1, 0, 10));
            assertThat(on(new Event.InboxRead(now, random, old.token(), range(1, 4), 10))).isEmpty();
            assertThat(delivered(answer(current, 10))).containsExactly(1L, 2L, 3L, 4L);
        }
    }

    @Nested
    @DisplayName("with its window full")
    class WindowFull {

        @Test
        @DisplayName("pushes up to the window, then tells the device the max seq of what it cannot push")
        void notifies() {
            List<Action> pushed = append(seq(1), seq(2), seq(3), seq(4));
            assertThat(delivered(pushed)).containsExactly(1L, 2L, 3L, 4L);
            assertThat(sent(pushed, Notify.class)).isEmpty();
            List<Action> beyond = append(seq(5));
            assertThat(delivered(beyond)).isEmpty();
            assertThat(sent(beyond, Notify.class)).containsExactly(new Notify(1, 5));
            assertThat(server.unconfirmed()).isEqualTo(4);
        }

        @Test
        @DisplayName("notifies at most once per interval, and the latest max seq when the interval is over")
        void throttled() {
            append(seq(1), seq(2), seq(3), seq(4));
            assertThat(sent(append(seq(5)), Notify.class)).containsExactly(new Notify(1, 5));
            now += 10 * MS;
            List<Action> second = append(seq(6));
            assertThat(sent(second, Notify.class)).isEmpty();
            assertThat(scheduled(second, "w.notify")).isEqualTo(90 * MS);
            now += 10 * MS;
            assertThat(sent(append(seq(7)), Notify.class)).isEmpty();
            now += 80 * MS;
            assertThat(sent(fire("w.notify"), Notify.class)).containsExactly(new Notify(1, 7));
            assertThat(sent(fire("w.notify"), Notify.class)).as("told already").isEmpty();
        }

        @Test
        @DisplayName("pushes again what is appended once the window drained and continues what was sent")
        void pushesAgainAfterDrain() {
            append(seq(1), seq(2), seq(3), seq(4));
            frame(new AckUpTo(1, 4));
            assertThat(delivered(append(seq(5)))).containsExactly(5L);
        }

        @Test
        @DisplayName("keeps pushing nothing appended that does not continue what was sent: the device pulls the gap")
        void notContiguous() {
            append(range(1, 6).toArray(new Message[0]));
            frame(new AckUpTo(1, 4));
            List<Action> seven = append(seq(7));
            assertThat(delivered(seven)).as("5 and 6 were never pushed").isEmpty();
            now += SECOND;
            assertThat(sent(append(seq(8)), Notify.class)).containsExactly(new Notify(1, 8));
        }
    }

    @Nested
    @DisplayName("takes confirmations")
    class Confirmations {

        @Test
        @DisplayName("AckUpTo of the session's epoch drains the window up to its seq and advances the watermark")
        void ackUpTo() {
            append(seq(1), seq(2), seq(3), seq(4));
            frame(new AckUpTo(2, 3));
            assertThat(server.unconfirmed()).as("another epoch's").isEqualTo(4);
            assertThat(ready()).isEmpty();
            frame(new AckUpTo(1, 3));
            assertThat(server.unconfirmed()).isEqualTo(1);
            assertThat(server.watermark()).isEqualTo(3);
            assertThat(ready()).extracting(Action.PersistWatermark::epoch, Action.PersistWatermark::confirmed)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, 3L));
        }

        @Test
        @DisplayName("never beyond the sequence, and never back")
        void bounded() {
            append(seq(1), seq(2));
            frame(new AckUpTo(1, 100));
            assertThat(server.watermark()).isEqualTo(2);
            frame(new AckUpTo(1, 1));
            assertThat(server.watermark()).isEqualTo(2);
            assertThat(delivered(append(seq(3)))).as("pushing continues after 2").containsExactly(3L);
        }

        @Test
        @DisplayName("ignores Acks (seq ranges) when its settings say so, signalling them as another strategy's")
        void acksIgnored() {
            append(seq(1), seq(2));
            assertThat(frame(Ack.of(1, 1, 2))).containsExactly(
                    new Action.Signal(Action.Signal.Kind.IGNORED_OTHER_STRATEGY, 1));
            assertThat(server.unconfirmed()).isEqualTo(2);
            assertThat(server.watermark()).isZero();
        }

        @Test
        @DisplayName("takes a pull from the committed cursor + 1 as confirming everything below it, draining the window")
        void pullStartConfirms() {
            append(seq(1), seq(2), seq(3), seq(4));
            List<Action> pulled = frame(new Pull(3, 100));
            assertThat(server.unconfirmed()).isEqualTo(2);
            assertThat(server.watermark()).isEqualTo(2);
            assertThat(ready()).extracting(Action.PersistWatermark::confirmed).containsExactly(2L);
            Action.ReadInbox read = theRead(pulled);
            assertThat(read.fromSeq()).isEqualTo(3);
            assertThat(read.limit()).as("a read is at most a window long").isEqualTo(4);
        }

        @Test
        @DisplayName("takes a pull's committed cursor, not its start, as the confirmation: a page pulled ahead confirms"
                + " only what is committed")
        void pullCommittedConfirms() {
            append(seq(1), seq(2), seq(3), seq(4));
            List<Action> pulled = frame(new Pull(4, 100, 1));
            assertThat(server.watermark()).isEqualTo(1);
            assertThat(server.unconfirmed()).as("2 and 3 wait to be committed on the device").isEqualTo(3);
            assertThat(ready()).extracting(Action.PersistWatermark::confirmed).containsExactly(1L);
            assertThat(theRead(pulled).fromSeq()).isEqualTo(4);
        }

        @Test
        @DisplayName("takes a pull from beyond what was pushed as confirming what the device pulled, and pushes on"
                + " after it")
        void pullBeyondPushed() {
            append(range(1, 6).toArray(new Message[0]));
            List<Action> pulled = frame(new Pull(7, 100));
            assertThat(server.unconfirmed()).isZero();
            assertThat(server.watermark()).isEqualTo(6);
            assertThat(sent(pulled, PullResult.class)).as("nothing beyond 6: answered at once")
                    .containsExactly(new PullResult(7, List.of(), 6, 1));
            assertThat(delivered(append(seq(7)))).containsExactly(7L);
        }

        @Test
        @DisplayName("persists the watermark one commit at a time, and asks again after a failed one")
        void persistence() {
            append(seq(1), seq(2), seq(3));
            frame(new AckUpTo(1, 1));
            Action.PersistWatermark first = ready().get(0);
            frame(new AckUpTo(1, 2));
            assertThat(ready()).as("one commit at a time").isEmpty();
            on(new Event.CommitFailed(now, random, first.token(), "disk full"));
            assertThat(ready()).extracting(Action.PersistWatermark::confirmed).containsExactly(2L);
        }
    }

    @Nested
    @DisplayName("keeps the device's watermark across sessions")
    class Watermark {

        @Test
        @DisplayName("starts from the watermark the store kept, does not persist it again, and resumes above it")
        void restored() {
            server = new WindowedServer(SETTINGS);
            on(new Event.Started(now, random, 1, 6));
            assertThat(server.watermark()).isEqualTo(6);
            assertThat(ready()).isEmpty();
            List<Action> up = on(new Event.Connected(now, random, 1, 6, 9));
            assertThat(theRead(up).fromSeq()).isEqualTo(7);
            assertThat(ready()).as("6 is persisted already").isEmpty();
            frame(new AckUpTo(1, 8));
            assertThat(ready()).extracting(Action.PersistWatermark::confirmed).containsExactly(8L);
        }

        @Test
        @DisplayName("sends again what a device lacks whose hello cursor is below its watermark, without persisting"
                + " the lower watermark")
        void deviceBelowWatermark() {
            server = new WindowedServer(SETTINGS);
            on(new Event.Started(now, random, 1, 6));
            List<Action> up = on(new Event.Connected(now, random, 1, 2, 9));
            assertThat(server.watermark()).isEqualTo(2);
            Action.ReadInbox read = theRead(up);
            assertThat(read.fromSeq()).isEqualTo(3);
            List<Action> filled = answer(read, 9);
            assertThat(delivered(filled)).containsExactly(3L, 4L, 5L, 6L);
            assertThat(sent(filled, Notify.class)).containsExactly(new Notify(1, 9));
            assertThat(ready()).as("the store keeps 6; it never moves back").isEmpty();
            frame(new AckUpTo(1, 7));
            assertThat(ready()).extracting(Action.PersistWatermark::confirmed).containsExactly(7L);
        }

        @Test
        @DisplayName("takes a hello cursor only up to the max seq")
        void cursorAboveMax() {
            List<Action> up = reconnect(1, 20, 9);
            assertThat(server.watermark()).isEqualTo(9);
            assertThat(only(up, Action.ReadInbox.class)).isEmpty();
            assertThat(delivered(append(seq(10)))).containsExactly(10L);
        }

        @Test
        @DisplayName("starts over from the cursor in a new epoch, and persists it in that epoch")
        void newEpoch() {
            server = new WindowedServer(SETTINGS);
            on(new Event.Started(now, random, 1, 6));
            List<Action> up = on(new Event.Connected(now, random, 2, 3, 5));
            assertThat(server.watermark()).isEqualTo(3);
            assertThat(theRead(up).fromSeq()).isEqualTo(4);
            assertThat(ready()).extracting(Action.PersistWatermark::epoch, Action.PersistWatermark::confirmed)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, 3L));
        }

        @Test
        @DisplayName("forgets the window when disconnected and pushes nothing until the next session")
        void disconnected() {
            append(seq(1), seq(2));
            List<Action> down = on(new Event.Disconnected(now, random, "reset"));
            assertThat(server.unconfirmed()).isZero();
            assertThat(only(down, Action.CancelTimer.class)).contains(new Action.CancelTimer("w.retransmit"));
            assertThat(append(seq(3))).isEmpty();
            assertThat(frame(new AckUpTo(1, 3))).isEmpty();
            assertThat(server.watermark()).isZero();
        }
    }

    @Nested
    @DisplayName("retransmits")
    class Retransmit {

        @Test
        @DisplayName("only what is above the watermark, after an AckUpTo")
        void aboveAckUpTo() {
            List<Action> pushed = append(seq(1), seq(2), seq(3), seq(4));
            assertThat(scheduled(pushed, "w.retransmit")).isEqualTo(SECOND);
            frame(new AckUpTo(1, 2));
            now += SECOND;
            List<Action> resent = fire("w.retransmit");
            assertThat(delivered(resent)).containsExactly(3L, 4L);
            assertThat(signalled(resent, Kind.RETRANSMIT)).isEqualTo(2);
            assertThat(scheduled(resent, "w.retransmit")).as("doubled").isEqualTo(2 * SECOND);
        }

        @Test
        @DisplayName("only what is above the watermark, after a pull's committed cursor")
        void abovePullStart() {
            append(seq(1), seq(2), seq(3), seq(4));
            frame(new Pull(4, 10));
            now += SECOND;
            assertThat(delivered(fire("w.retransmit"))).containsExactly(4L);
        }

        @Test
        @DisplayName("nothing once everything is confirmed, and stops the timer")
        void nothingConfirmed() {
            append(seq(1), seq(2));
            List<Action> acked = frame(new AckUpTo(1, 2));
            assertThat(only(acked, Action.CancelTimer.class)).contains(new Action.CancelTimer("w.retransmit"));
            now += SECOND;
            assertThat(delivered(fire("w.retransmit"))).isEmpty();
        }

        @Test
        @DisplayName("nothing after the session ended")
        void notAfterDisconnect() {
            append(seq(1), seq(2));
            on(new Event.Disconnected(now, random, "reset"));
            now += SECOND;
            assertThat(fire("w.retransmit")).isEmpty();
        }
    }

    @Nested
    @DisplayName("answers pulls")
    class Pulls {

        @Test
        @DisplayName("from the inbox, keeping what was pulled out of the window")
        void answered() {
            append(range(1, 6).toArray(new Message[0]));
            Action.ReadInbox read = theRead(frame(new Pull(5, 100)));
            List<Action> answered = answer(read, 6);
            assertThat(sent(answered, PullResult.class)).containsExactly(new PullResult(5, range(5, 6), 6, 1));
            assertThat(server.unconfirmed()).isZero();
            now += SECOND;
            assertThat(delivered(fire("w.retransmit"))).isEmpty();
        }

        @Test
        @DisplayName("and drops the answers of reads of an earlier session")
        void staleAnswer() {
            append(range(1, 6).toArray(new Message[0]));
            Action.ReadInbox read = theRead(frame(new Pull(5, 100)));
            reconnect(1, 6, 6);
            assertThat(answer(read, 6)).isEmpty();
        }
    }

    @Test
    @DisplayName("ignores and signals confirmations of seqs never delivered (above the sequence) and acks by seq of"
            + " another strategy, changing nothing (G8)")
    void ignoresForeignConfirmations() {
        List<Action> pushed = append(range(1, 2).toArray(new Message[0]));
        assertThat(delivered(pushed)).containsExactly(1L, 2L);
        List<Action> beyond = frame(new AckUpTo(1, 99));
        assertThat(signalled(beyond, Action.Signal.Kind.IGNORED_NOT_DELIVERED)).isEqualTo(1);
        assertThat(server.unconfirmed()).as("what was sent is confirmed, nothing beyond").isZero();
        List<Action> bySeq = frame(Ack.of(1, 1, 2));
        assertThat(signalled(bySeq, Action.Signal.Kind.IGNORED_OTHER_STRATEGY)).as("acks by seq: not this one's")
                .isEqualTo(1);
        assertThat(only(bySeq, Action.PersistWatermark.class)).isEmpty();
        List<Action> own = frame(new AckUpTo(1, 2));
        assertThat(signalled(own, Action.Signal.Kind.IGNORED_NOT_DELIVERED)).isZero();
    }
}
