package io.imr.strategy.support;

import static io.imr.strategy.support.ActionLists.SECOND;
import static io.imr.strategy.support.ActionLists.only;
import static io.imr.strategy.support.ActionLists.scheduled;
import static io.imr.strategy.support.Messages.range;
import static io.imr.strategy.support.Messages.seq;
import static io.imr.strategy.support.Messages.seqs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.Message;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Notify;
import io.imr.api.frame.PullResult;
import io.imr.api.strategy.Action;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientEvent;
import io.imr.api.strategy.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The modes of the sequenced client that {@code AckClientTest} does not reach: a gap timeout of zero
 * ({@code seqid}), pulls on a {@code Notify} ({@code seqid}, {@code hybrid}) and on connecting ({@code seqid}).
 */
@DisplayName("A sequenced client")
class SequencedClientTest {

    private static final Duration TAIL = Duration.ofSeconds(2);

    /** Like seqid: any hole pulled at once, Notify and a session that starts behind pulled at once. */
    private static final SequencedClient.Settings PULLS_AT_ONCE = new SequencedClient.Settings("s", 4, Duration.ZERO,
            TAIL, 100, true, true);

    /** Like hybrid: a hole gets a second to fill, a Notify is pulled at once, connecting pulls nothing. */
    private static final SequencedClient.Settings PULLS_ON_NOTIFY = new SequencedClient.Settings("h", 4,
            Duration.ofSeconds(1), TAIL, 100, true, false);

    /** Like ack: only a stuck tail or a hole that stays open is pulled. */
    private static final SequencedClient.Settings PULLS_ON_TIMEOUT = new SequencedClient.Settings("a", 4,
            Duration.ofSeconds(1), TAIL, 100, false, false);

    private final Recorder confirmer = new Recorder();
    private SequencedClient client;
    private long now = 1_000 * SECOND;

    /** Starts at cursor 10 of epoch 1, connected with the server's max seq 10. */
    private void start(SequencedClient.Settings settings) {
        client = new SequencedClient(settings, confirmer);
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

    private Action.Persist persist() {
        List<Action.Persist> persists = only(on(new Event.ReadyToPersist(now, 7)), Action.Persist.class);
        assertThat(persists).hasSize(1);
        return persists.get(0);
    }

    private List<Action> commit() {
        return on(new Event.CommitDone(now, 7, persist().token()));
    }

    private List<Action> fire(String timer) {
        return on(new Event.TimerFired(now, 7, timer));
    }

    private static List<Action.PullRange> pulls(List<Action> actions) {
        return only(actions, Action.PullRange.class);
    }

    /** Records what the confirmer is told. */
    private static final class Recorder implements SequencedClient.Confirmer {
        final List<String> calls = new ArrayList<>();

        @Override
        public void committed(List<Message> batch, SequencedClient.View view, long now, ClientActions out) {
            calls.add("committed " + seqs(batch) + " cursor " + view.committed() + (view.idle() ? " idle" : ""));
        }

        @Override
        public void committedAgain(List<Message> duplicates, SequencedClient.View view, long now, ClientActions out) {
            calls.add("again " + seqs(duplicates));
        }

        @Override
        public void connected(SequencedClient.View view, long now, ClientActions out) {
            calls.add("connected " + view.epoch() + " at " + view.committed());
        }

        @Override
        public void disconnected(ClientActions out) {
            calls.add("disconnected");
        }
    }

    @Test
    @DisplayName("refuses settings without a name, with a negative timeout, no tail timeout or a page out of range")
    void validatesSettings() {
        assertThatThrownBy(() -> new SequencedClient.Settings("", 4, Duration.ZERO, TAIL, 100, true, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SequencedClient.Settings("s", 4, Duration.ofMillis(-1), TAIL, 100, true, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SequencedClient.Settings("s", 4, Duration.ZERO, Duration.ZERO, 100, true, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SequencedClient.Settings("s", 4, Duration.ZERO, TAIL, Frame.MAX_BATCH + 1, true,
                true)).hasMessageContaining("pull page of 1 to " + Frame.MAX_BATCH);
        client = new SequencedClient(PULLS_AT_ONCE, confirmer);
        assertThat(List.of(client.gapTimer(), client.tailTimer(), client.retryTimer()))
                .containsExactly("s.gap", "s.tail", "s.commit-retry");
    }

    @Nested
    @DisplayName("with a gap timeout of zero")
    class GapTimeoutZero {

        @Test
        @DisplayName("pulls a whole page from the committed cursor as soon as a hole appears")
        void pullsAtOnce() {
            start(PULLS_AT_ONCE);
            List<Action> past = deliver(13, seq(13));
            assertThat(pulls(past)).as("not just the hole 11..12").containsExactly(new Action.PullRange(11, 100));
            assertThat(scheduled(past, "s.gap")).as("watched as long as a pull may take").isEqualTo(2 * SECOND);
        }

        @Test
        @DisplayName("pulls again from the committed cursor when the hole is still open after the tail timeout")
        void pullsAgain() {
            start(PULLS_AT_ONCE);
            deliver(13, seq(13));
            assertThat(pulls(deliver(15, seq(15)))).as("one pull outstanding: merged").isEmpty();
            now += TAIL.toNanos();
            List<Action> fired = fire("s.gap");
            assertThat(pulls(fired)).containsExactly(new Action.PullRange(11, 100));
            assertThat(scheduled(fired, "s.gap")).isEqualTo(2 * SECOND);
        }

        @Test
        @DisplayName("does not pull again when the hole filled before the timer fired")
        void filledInTime() {
            start(PULLS_AT_ONCE);
            deliver(13, seq(13));
            frame(new PullResult(11, range(11, 13), 13, 1));
            now += TAIL.toNanos();
            assertThat(pulls(fire("s.gap"))).isEmpty();
        }

        @Test
        @DisplayName("pulls the hole at once, from after what it received in order, claiming only what is committed")
        void pullsPastPending() {
            start(PULLS_AT_ONCE);
            List<Action> past = deliver(13, seq(11), seq(13));
            assertThat(pulls(past)).as("11 waits to be committed: the pull confirms 10 only (G5)")
                    .containsExactly(new Action.PullRange(12, 100, 10));
            Action.Persist p = persist();
            assertThat(seqs(p.messages())).containsExactly(11L);
            assertThat(pulls(on(new Event.CommitDone(now, 7, p.token())))).as("one outstanding").isEmpty();
        }

        @Test
        @DisplayName("waits while more than a page waits to be committed, then pulls from after it")
        void waitsForMoreThanAPage() {
            start(PULLS_AT_ONCE);
            List<Message> page = range(11, 111);
            List<Message> past = new ArrayList<>(page);
            past.add(seq(113));
            List<Action> held = deliver(113, past.toArray(Message[]::new));
            assertThat(pulls(held)).as("101 wait to be committed, more than a page of 100").isEmpty();
            Action.Persist p = persist();
            assertThat(pulls(on(new Event.CommitDone(now, 7, p.token()))))
                    .containsExactly(new Action.PullRange(112, 100, 111));
        }

        @Test
        @DisplayName("pulls when the hold-back buffer overflows, without a new hole")
        void overflowPulls() {
            start(PULLS_AT_ONCE);
            deliver(16, seq(13), seq(14), seq(15), seq(16));
            now += TAIL.toNanos();
            List<Action> overflow = deliver(17, seq(17));
            assertThat(ActionLists.signalled(overflow, Action.Signal.Kind.GAP_DETECTED)).isZero();
            assertThat(ActionLists.signalled(overflow, Action.Signal.Kind.HOLD_BACK_OVERFLOW)).isEqualTo(1);
            assertThat(pulls(overflow)).containsExactly(new Action.PullRange(11, 100));
        }
    }

    @Nested
    @DisplayName("when it pulls on a Notify")
    class PullOnNotify {

        @Test
        @DisplayName("pulls a page from the committed cursor at once when a Notify shows more than it has")
        void pullsAtOnce() {
            start(PULLS_ON_NOTIFY);
            assertThat(pulls(frame(new Notify(1, 50)))).containsExactly(new Action.PullRange(11, 100));
        }

        @Test
        @DisplayName("does not pull for a Notify of nothing new, or of another epoch")
        void nothingNew() {
            start(PULLS_ON_NOTIFY);
            assertThat(pulls(frame(new Notify(1, 10)))).isEmpty();
            assertThat(pulls(frame(new Notify(2, 50)))).isEmpty();
            deliver(12, seq(11), seq(12));
            assertThat(pulls(frame(new Notify(1, 12)))).as("it has 12, uncommitted").isEmpty();
        }

        @Test
        @DisplayName("pulls from after what it received while that is committed, claiming only its committed cursor")
        void pullsWhileCommitting() {
            start(PULLS_ON_NOTIFY);
            deliver(11, seq(11));
            assertThat(pulls(frame(new Notify(1, 50)))).containsExactly(new Action.PullRange(12, 100, 10));
            assertThat(pulls(commit())).as("one outstanding").isEmpty();
        }

        @Test
        @DisplayName("pulls the next page after a short answer while the server has more, while it commits this one")
        void shortAnswerPullsOn() {
            start(PULLS_ON_NOTIFY);
            frame(new Notify(1, 400));
            List<Action> answered = frame(new PullResult(11, range(11, 60), 400, 1));
            assertThat(pulls(answered)).containsExactly(new Action.PullRange(61, 100, 10));
            Action.Persist first = persist();
            assertThat(pulls(frame(new PullResult(61, range(61, 160), 400, 1))))
                    .as("a full page arrived while 11..60 are committed: two pages wait, more than one").isEmpty();
            assertThat(pulls(on(new Event.CommitDone(now, 7, first.token()))))
                    .as("one page waits now").containsExactly(new Action.PullRange(161, 100, 60));
        }

        @Test
        @DisplayName("stops pulling when an answer brings nothing new")
        void stopsWhenNothingNew() {
            start(PULLS_ON_NOTIFY);
            frame(new Notify(1, 400));
            assertThat(pulls(frame(new PullResult(11, List.of(), 400, 1)))).isEmpty();
        }

        @Test
        @DisplayName("stops pulling when a short answer brought everything the server has")
        void stopsWhenAllThere() {
            start(PULLS_ON_NOTIFY);
            frame(new Notify(1, 60));
            frame(new PullResult(11, range(11, 60), 60, 1));
            assertThat(pulls(commit())).isEmpty();
        }

        @Test
        @DisplayName("without it, a short answer ends the paging and a Notify only starts the tail timer")
        void withoutIt() {
            start(PULLS_ON_TIMEOUT);
            List<Action> told = frame(new Notify(1, 400));
            assertThat(pulls(told)).isEmpty();
            assertThat(scheduled(told, "a.tail")).isEqualTo(2 * SECOND);
            now += TAIL.toNanos();
            assertThat(pulls(fire("a.tail"))).containsExactly(new Action.PullRange(11, 100));
            frame(new PullResult(11, range(11, 60), 400, 1));
            assertThat(pulls(commit())).isEmpty();
        }
    }

    @Nested
    @DisplayName("when it pulls on connecting")
    class PullOnConnect {

        @Test
        @DisplayName("pulls a page from the committed cursor when a session starts behind the server's max seq")
        void pullsBehind() {
            client = new SequencedClient(PULLS_AT_ONCE, confirmer);
            on(new Event.Started(now, 0, 1, 10));
            assertThat(pulls(on(new Event.Connected(now, 0, 1, 10, 30)))).containsExactly(new Action.PullRange(11, 100));
        }

        @Test
        @DisplayName("pulls nothing when the session starts up to date")
        void upToDate() {
            client = new SequencedClient(PULLS_AT_ONCE, confirmer);
            on(new Event.Started(now, 0, 1, 10));
            assertThat(pulls(on(new Event.Connected(now, 0, 1, 10, 10)))).isEmpty();
        }

        @Test
        @DisplayName("pulls after a commit that runs across the reconnect at once, claiming only what is committed")
        void pullsPastARunningCommit() {
            start(PULLS_AT_ONCE);
            deliver(12, seq(11), seq(12));
            Action.Persist running = persist();
            on(new Event.Disconnected(now, 0, "reset"));
            assertThat(pulls(on(new Event.Connected(now, 0, 1, 10, 30))))
                    .containsExactly(new Action.PullRange(13, 100, 10));
            assertThat(pulls(on(new Event.CommitDone(now, 7, running.token())))).as("one outstanding").isEmpty();
        }

        @Test
        @DisplayName("without it, a session that starts behind waits for the tail timeout")
        void withoutIt() {
            client = new SequencedClient(PULLS_ON_NOTIFY, confirmer);
            on(new Event.Started(now, 0, 1, 10));
            List<Action> up = on(new Event.Connected(now, 0, 1, 10, 30));
            assertThat(pulls(up)).isEmpty();
            assertThat(scheduled(up, "h.tail")).isEqualTo(2 * SECOND);
            now += TAIL.toNanos();
            assertThat(pulls(fire("h.tail"))).containsExactly(new Action.PullRange(11, 100));
        }
    }

    @Nested
    @DisplayName("tells its confirmer")
    class Confirmer {

        @Test
        @DisplayName("of each commit after it returned, of duplicates of committed messages and of sessions")
        void hooks() {
            start(PULLS_ON_NOTIFY);
            deliver(12, seq(11), seq(12));
            Action.Persist p = persist();
            assertThat(confirmer.calls).containsExactly("connected 1 at 10");
            on(new Event.CommitDone(now, 7, p.token()));
            deliver(12, seq(12));
            on(new Event.Disconnected(now, 0, "reset"));
            assertThat(confirmer.calls).containsExactly("connected 1 at 10", "committed [11, 12] cursor 12 idle",
                    "again [12]", "disconnected");
        }

        @Test
        @DisplayName("not of a commit whose seqs a new epoch renumbered")
        void renumbered() {
            start(PULLS_ON_NOTIFY);
            deliver(11, seq(11));
            Action.Persist old = persist();
            on(new Event.Disconnected(now, 0, "reset"));
            on(new Event.Connected(now, 0, 2, 4, 4));
            on(new Event.CommitDone(now, 7, old.token()));
            assertThat(confirmer.calls).noneMatch(c -> c.startsWith("committed"));
        }
    }

    /**
     * The protocol's rule that server halves rely on: a pull's {@code committed} confirms everything up to
     * it, so it is the committed cursor, never more; the pull starts right after what was received in order,
     * and goes out only while at most a page waits to be committed (G7). Checked after every event of seeded
     * random runs, in every mode.
     */
    @Test
    @DisplayName("never claims more than the committed cursor in a pull, starts it after what it received in order,"
            + " and pulls only while at most a page waits to be committed")
    void pullClaimsTheCommittedCursor() {
        // Pages of 4 too, so that more than a page often waits to be committed.
        List<SequencedClient.Settings> modes = new ArrayList<>();
        for (SequencedClient.Settings m : List.of(PULLS_AT_ONCE, PULLS_ON_NOTIFY, PULLS_ON_TIMEOUT)) {
            modes.add(m);
            modes.add(new SequencedClient.Settings(m.name(), m.holdBack(), m.gapTimeout(), m.tailTimeout(), 4,
                    m.pullOnNotify(), m.pullOnConnect()));
        }
        for (SequencedClient.Settings settings : modes) {
            for (long seed = 1; seed <= 200; seed++) {
                randomRun(settings, new Random(seed), seed);
            }
        }
    }

    private void randomRun(SequencedClient.Settings settings, Random random, long seed) {
        client = new SequencedClient(settings, confirmer);
        long maxSeq = 10 + random.nextInt(40);
        on(new Event.Started(now, 0, 1, 0));
        on(new Event.Connected(now, 0, 1, 0, maxSeq));
        List<Long> running = new ArrayList<>();
        for (int step = 0; step < 200; step++) {
            now += random.nextInt(1_500) * 1_000_000L;
            ClientEvent event;
            int pick = random.nextInt(12);
            long committed = client.sequence().committed();
            if (pick <= 3) {
                long from = Math.max(1, committed + 1 - 2 + random.nextInt(8));
                long to = Math.min(maxSeq, from + random.nextInt(6));
                List<Message> batch = new ArrayList<>();
                for (long s = from; s <= to; s++) {
                    if (random.nextInt(4) != 0) {
                        batch.add(seq(s));
                    }
                }
                if (batch.isEmpty()) {
                    continue;
                }
                event = new Event.FrameArrived(now, random.nextLong(), random.nextBoolean()
                        ? new Deliver(batch, maxSeq) : new PullResult(batch.get(0).seq(), batch, maxSeq, 1));
            } else if (pick == 4) {
                maxSeq += random.nextInt(20);
                event = new Event.FrameArrived(now, random.nextLong(), new Notify(1, maxSeq));
            } else if (pick <= 6) {
                event = new Event.ReadyToPersist(now, random.nextLong());
            } else if (pick == 7 && !running.isEmpty()) {
                event = random.nextInt(5) == 0 ? new Event.CommitFailed(now, random.nextLong(), running.remove(0), "io")
                        : new Event.CommitDone(now, random.nextLong(), running.remove(0));
            } else if (pick == 8) {
                String[] timers = {client.gapTimer(), client.tailTimer(), client.retryTimer()};
                event = new Event.TimerFired(now, random.nextLong(), timers[random.nextInt(timers.length)]);
            } else if (pick == 9) {
                on(new Event.Disconnected(now, 0, "reset"));
                event = new Event.Connected(now, random.nextLong(), 1, client.sequence().committed(), maxSeq);
            } else {
                continue;
            }
            List<Action> actions = on(event);
            for (Action.Persist p : only(actions, Action.Persist.class)) {
                running.add(p.token());
            }
            for (Action.PullRange pull : pulls(actions)) {
                assertThat(pull.committed()).as("seed %d step %d: %s after %s", seed, step, pull, event)
                        .isEqualTo(client.sequence().committed());
                assertThat(pull.fromSeq()).as("seed %d step %d: %s after %s", seed, step, pull, event)
                        .isEqualTo(client.sequence().contiguous() + 1);
                assertThat(client.sequence().pendingCount()).as("seed %d step %d: at most a page waits to be"
                        + " committed", seed, step).isLessThanOrEqualTo(settings.pullPage());
            }
        }
    }

    @Test
    @DisplayName("two failed commits in a row pile up no pulls: the retry merges into the one outstanding")
    void failedCommitsDoNotPileUpPulls() {
        // Regression: each retry used to forget the outstanding pull and ask again, so two failures within
        // the pull timeout left three pulls outstanding (the simulator's G7 check, hostile seed 3350).
        start(PULLS_AT_ONCE);
        List<Action.PullRange> asked = new ArrayList<>(pulls(deliver(13, seq(13))));
        assertThat(asked).as("the hole is pulled").hasSize(1);
        deliver(13, seq(11));
        Action.Persist first = persist();
        asked.addAll(pulls(on(new Event.CommitFailed(now, 7, first.token(), "disk full"))));
        now += SECOND / 2;
        asked.addAll(pulls(fire("s.commit-retry")));
        deliver(13, seq(11));
        Action.Persist second = persist();
        asked.addAll(pulls(on(new Event.CommitFailed(now, 7, second.token(), "disk full"))));
        now += SECOND / 2;
        asked.addAll(pulls(fire("s.commit-retry")));
        assertThat(asked).as("one pull outstanding within its timeout, whatever failed").hasSize(1);
        now += TAIL.toNanos();
        assertThat(pulls(frame(new io.imr.api.frame.Notify(1, 13)))).as("asked again once that pull timed out")
                .containsExactly(new Action.PullRange(11, 100));
    }
}
