package io.imr.strategy.hybrid;

import static io.imr.testkit.StrategyFixtures.MS;
import static io.imr.testkit.StrategyFixtures.SECOND;
import static io.imr.testkit.StrategyFixtures.msg;
import static io.imr.testkit.StrategyFixtures.only;
import static io.imr.testkit.StrategyFixtures.range;
import static io.imr.testkit.StrategyFixtures.scheduled;
import static io.imr.testkit.StrategyFixtures.sent;
import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Message;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.PullResult;
import io.imr.api.strategy.Action;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientEvent;
import io.imr.api.strategy.Event;
import io.imr.strategy.support.SequencedClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The hybrid device's confirmations, driven through the sequenced client the provider makes with them. */
@DisplayName("The hybrid strategy's cumulative acks")
class CumulativeAcksTest {

    /** ack-every 4, ack-delay 20ms; hold-back 4, gap timeout 200ms, tail timeout 2s, pull page 100. */
    private static final HybridConfig CONFIG = HybridConfig.builder().holdBack(4).pullPage(100).ackEvery(4)
            .build();

    private SequencedClient client;
    private long now;

    /** The client as {@link HybridStrategyProvider#newClient} makes it. */
    private static SequencedClient newClient(HybridConfig c) {
        return new SequencedClient(new SequencedClient.Settings(HybridStrategyProvider.NAME, c.holdBack(),
                c.gapTimeout(), c.tailTimeout(), c.pullPage(), true, false), new CumulativeAcks(c));
    }

    @BeforeEach
    void startAtTenConnected() {
        client = newClient(CONFIG);
        now = 1_000 * SECOND;
        on(new Event.Started(now, 0, 1, 10));
        on(new Event.Connected(now, 0, 1, 10, 10));
    }

    private List<Action> on(ClientEvent event) {
        ClientActions out = new ClientActions();
        client.on(event, out);
        return List.copyOf(out.drain());
    }

    private List<Action> deliver(Message... messages) {
        return on(new Event.FrameArrived(now, 0, new Deliver(List.of(messages), messages[messages.length - 1].seq())));
    }

    private Action.Persist persist() {
        List<Action.Persist> persists = only(on(new Event.ReadyToPersist(now, 0)), Action.Persist.class);
        assertThat(persists).hasSize(1);
        return persists.get(0);
    }

    private List<Action> done(Action.Persist persist) {
        return on(new Event.CommitDone(now, 0, persist.token()));
    }

    private List<Action> fire() {
        return on(new Event.TimerFired(now, 0, CumulativeAcks.ACK_TIMER));
    }

    private static List<AckUpTo> acks(List<Action> actions) {
        return sent(actions, AckUpTo.class);
    }

    @Test
    @DisplayName("names its timer after the strategy")
    void timerName() {
        assertThat(CumulativeAcks.ACK_TIMER).isEqualTo("hybrid.ack");
    }

    @Nested
    @DisplayName("confirm only what is committed (G5)")
    class Honest {

        @Test
        @DisplayName("sends an AckUpTo of the committed cursor only once the commit returned")
        void afterCommitDone() {
            assertThat(acks(deliver(msg(11), msg(12)))).isEmpty();
            Action.Persist persist = persist();
            assertThat(acks(on(new Event.ReadyToPersist(now, 0)))).isEmpty();
            assertThat(acks(done(persist))).containsExactly(new AckUpTo(1, 12));
        }

        @Test
        @DisplayName("never above the committed cursor, while more is accepted, being committed or held back")
        void neverAboveCommitted() {
            deliver(msg(11));
            Action.Persist first = persist();
            deliver(msg(12), msg(14));
            assertThat(acks(done(first))).as("12 waits to be committed, 14 is held: not idle").isEmpty();
            now += 20 * MS;
            assertThat(acks(fire())).containsExactly(new AckUpTo(1, 11));
        }

        @Test
        @DisplayName("sends nothing for a failed commit")
        void failedCommit() {
            deliver(msg(11));
            Action.Persist persist = persist();
            List<Action> failed = on(new Event.CommitFailed(now, 0, persist.token(), "disk full"));
            assertThat(acks(failed)).isEmpty();
            now += SECOND;
            assertThat(acks(fire())).isEmpty();
        }
    }

    @Nested
    @DisplayName("batches")
    class Batching {

        @Test
        @DisplayName("at once when nothing more waits to be committed")
        void idle() {
            deliver(msg(11));
            List<Action> committed = done(persist());
            assertThat(acks(committed)).containsExactly(new AckUpTo(1, 11));
            assertThat(scheduled(committed, CumulativeAcks.ACK_TIMER)).isEqualTo(-1);
        }

        @Test
        @DisplayName("once ack-every messages were committed since the last ack, while more waits")
        void everyN() {
            deliver(range(11, 13).toArray(new Message[0]));
            Action.Persist first = persist();
            deliver(range(14, 20).toArray(new Message[0]));
            List<Action> three = done(first);
            assertThat(acks(three)).as("3 < 4 committed, and 14..20 wait").isEmpty();
            assertThat(scheduled(three, CumulativeAcks.ACK_TIMER)).isEqualTo(20 * MS);

            Action.Persist second = persist();
            deliver(msg(21));
            List<Action> ten = done(second);
            assertThat(acks(ten)).containsExactly(new AckUpTo(1, 20));
            assertThat(only(ten, Action.CancelTimer.class)).contains(new Action.CancelTimer(CumulativeAcks.ACK_TIMER));
        }

        @Test
        @DisplayName("ack-delay after the first commit it did not confirm, however many commits follow")
        void afterDelay() {
            deliver(msg(11), msg(12));
            Action.Persist first = persist();
            deliver(msg(13));
            List<Action> one = done(first);
            assertThat(scheduled(one, CumulativeAcks.ACK_TIMER)).isEqualTo(20 * MS);

            now += 10 * MS;
            Action.Persist second = persist();
            deliver(msg(14));
            List<Action> two = done(second);
            assertThat(acks(two)).isEmpty();
            assertThat(scheduled(two, CumulativeAcks.ACK_TIMER)).as("the first deadline holds").isEqualTo(-1);

            now += 10 * MS;
            assertThat(acks(fire())).containsExactly(new AckUpTo(1, 13));
            assertThat(acks(fire())).as("nothing new").isEmpty();
        }

        @Test
        @DisplayName("counts from the cursor the session started at")
        void countsFromHello() {
            on(new Event.Disconnected(now, 0, "reset"));
            on(new Event.Connected(now, 0, 1, 10, 20));
            deliver(range(11, 14).toArray(new Message[0]));
            Action.Persist first = persist();
            deliver(msg(15));
            assertThat(acks(done(first))).as("4 since the hello's 10").containsExactly(new AckUpTo(1, 14));
        }
    }

    @Nested
    @DisplayName("repeats itself")
    class Repeats {

        @Test
        @DisplayName("at once when a message it committed arrives again: the server did not get the last ack")
        void onDuplicates() {
            deliver(msg(11), msg(12));
            done(persist());
            List<Action> again = deliver(msg(12));
            assertThat(acks(again)).containsExactly(new AckUpTo(1, 12));
            List<Action> pulledAgain = on(new Event.FrameArrived(now, 0, new PullResult(11, List.of(msg(11), msg(12)),
                    12, 1)));
            assertThat(acks(pulledAgain)).containsExactly(new AckUpTo(1, 12));
        }

        @Test
        @DisplayName("not for a duplicate of a message still being committed")
        void notForPending() {
            deliver(msg(11));
            Action.Persist persist = persist();
            assertThat(acks(deliver(msg(11)))).isEmpty();
            assertThat(acks(done(persist))).containsExactly(new AckUpTo(1, 11));
        }
    }

    @Nested
    @DisplayName("while disconnected")
    class Disconnected {

        @Test
        @DisplayName("sends nothing for a commit that returns; the next hello carries the cursor")
        void commitWhileDown() {
            deliver(msg(11));
            Action.Persist persist = persist();
            on(new Event.Disconnected(now, 0, "reset"));
            assertThat(acks(done(persist))).isEmpty();
            assertThat(acks(on(new Event.Connected(now, 0, 1, 11, 11)))).isEmpty();
            deliver(msg(12));
            assertThat(acks(done(persist()))).containsExactly(new AckUpTo(1, 12));
        }

        @Test
        @DisplayName("stops its timer, and a late firing sends nothing")
        void timerStopped() {
            deliver(msg(11));
            Action.Persist persist = persist();
            deliver(msg(12));
            done(persist);
            List<Action> down = on(new Event.Disconnected(now, 0, "reset"));
            assertThat(only(down, Action.CancelTimer.class)).contains(new Action.CancelTimer(CumulativeAcks.ACK_TIMER));
            now += SECOND;
            assertThat(acks(fire())).isEmpty();
        }

        @Test
        @DisplayName("drops a timer armed before the reconnect: the hello confirmed it")
        void reconnectCancels() {
            deliver(msg(11));
            Action.Persist persist = persist();
            deliver(msg(12));
            done(persist);
            on(new Event.Disconnected(now, 0, "reset"));
            List<Action> up = on(new Event.Connected(now, 0, 1, 11, 12));
            assertThat(acks(up)).isEmpty();
            now += SECOND;
            assertThat(acks(fire())).isEmpty();
        }
    }

    /** G5 in seeded random runs: every AckUpTo is of the session's epoch and at most the committed cursor. */
    @Test
    @DisplayName("never confirms beyond the committed cursor, whatever arrives and whenever commits return or fail")
    void randomRuns() {
        for (long seed = 1; seed <= 200; seed++) {
            Random random = new Random(seed);
            client = newClient(CONFIG);
            on(new Event.Started(now, 0, 1, 0));
            on(new Event.Connected(now, 0, 1, 0, 30));
            List<Long> running = new ArrayList<>();
            for (int step = 0; step < 200; step++) {
                now += random.nextInt(30) * MS;
                long committed = client.sequence().committed();
                ClientEvent event;
                int pick = random.nextInt(8);
                if (pick <= 2) {
                    long from = Math.max(1, committed - 2 + random.nextInt(6));
                    List<Message> batch = new ArrayList<>();
                    for (long s = from; s <= Math.min(30, from + random.nextInt(5)); s++) {
                        batch.add(msg(s));
                    }
                    if (batch.isEmpty()) {
                        continue;
                    }
                    event = new Event.FrameArrived(now, 0, new Deliver(batch, 30));
                } else if (pick == 3) {
                    event = new Event.ReadyToPersist(now, 0);
                } else if (pick == 4 && !running.isEmpty()) {
                    long token = running.remove(0);
                    event = random.nextInt(6) == 0 ? new Event.CommitFailed(now, 0, token, "io")
                            : new Event.CommitDone(now, 0, token);
                } else if (pick == 5) {
                    event = new Event.TimerFired(now, 0, CumulativeAcks.ACK_TIMER);
                } else if (pick == 6) {
                    on(new Event.Disconnected(now, 0, "reset"));
                    event = new Event.Connected(now, 0, 1, client.sequence().committed(), 30);
                } else {
                    continue;
                }
                List<Action> actions = on(event);
                only(actions, Action.Persist.class).forEach(p -> running.add(p.token()));
                for (AckUpTo ack : acks(actions)) {
                    assertThat(ack.epoch()).isEqualTo(1);
                    assertThat(ack.seq()).as("seed %d step %d after %s", seed, step, event)
                            .isLessThanOrEqualTo(client.sequence().committed());
                }
            }
        }
    }
}
