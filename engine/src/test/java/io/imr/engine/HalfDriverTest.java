package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Message;
import io.imr.api.strategy.Action;
import io.imr.api.strategy.ClientAction;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientEvent;
import io.imr.api.strategy.Event;
import io.imr.engine.internal.HalfDriver;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The driver every side shares: event stamps, timers, the group-commit rhythm, and pauses for swaps. */
@DisplayName("The half driver")
class HalfDriverTest {

    private final ManualRuntime runtime = new ManualRuntime();
    private final List<String> seen = new ArrayList<>();
    private final List<ClientAction> performed = new ArrayList<>();
    /** What the scripted half does with each event. */
    private BiConsumer<ClientEvent, ClientActions> half = (e, out) -> { };

    private final HalfDriver<ClientEvent, ClientAction, ClientActions> driver =
            new HalfDriver<ClientEvent, ClientAction, ClientActions>(runtime, new ClientActions(), Event.ReadyToPersist::new,
                    Event.TimerFired::new) {
                @Override
                protected void deliver(ClientEvent event, ClientActions out) {
                    seen.add(event.getClass().getSimpleName());
                    half.accept(event, out);
                }

                @Override
                protected boolean perform(ClientAction action) {
                    performed.add(action);
                    return action instanceof Action.Persist;
                }

                @Override
                protected void halfFailed(RuntimeException e) {
                    seen.add("failed: " + e.getMessage());
                }
            };

    private static Message message(long seq) {
        return Message.of("alice", "c-" + seq, "bob", seq, 1, 0, new byte[0], 0);
    }

    /** A half that persists once per ReadyToPersist while it has something. */
    private void persistOnce() {
        half = (e, out) -> {
            if (e instanceof Event.ReadyToPersist && performed.stream().noneMatch(a -> a instanceof Action.Persist)) {
                out.persist(1, List.of(message(1)));
            }
        };
    }

    @Test
    @DisplayName("offers a commit after every event while none runs, and none while one runs")
    void groupCommitRhythm() {
        persistOnce();
        driver.feed(new Event.Started(0, 0, 1, 0));
        assertThat(seen).containsExactly("Started", "ReadyToPersist");
        assertThat(driver.commitRunning()).isTrue();
        driver.feed(new Event.Disconnected(0, 0, "x"));
        assertThat(seen).as("no offer while the commit runs").endsWith("Disconnected");
        driver.commitFinished(new Event.CommitDone(0, 0, 1));
        assertThat(seen).endsWith("CommitDone", "ReadyToPersist");
        assertThat(driver.commitRunning()).isFalse();
    }

    @Test
    @DisplayName("stamps timers with their name, and a replaced or cancelled timer never fires")
    void timers() {
        half = (e, out) -> {
            if (e instanceof Event.Started) {
                out.schedule("a", 100).schedule("b", 100).schedule("a", 300).cancel("b");
            }
        };
        driver.feed(new Event.Started(0, 0, 1, 0));
        runtime.advance(200);
        assertThat(seen).noneMatch(s -> s.equals("TimerFired"));
        runtime.advance(200);
        assertThat(seen).filteredOn(s -> s.equals("TimerFired")).hasSize(1);
    }

    @Nested
    @DisplayName("pauses (a half is replaced only between commits)")
    class Pauses {

        @Test
        @DisplayName("runs the action at once when no commit runs, and offers no commit until resumed")
        void idle() {
            List<String> order = new ArrayList<>();
            driver.pause(() -> order.add("swapped"));
            assertThat(order).containsExactly("swapped");
            driver.feed(new Event.Disconnected(0, 0, "x"));
            assertThat(seen).containsExactly("Disconnected");
            driver.resume();
            assertThat(seen).containsExactly("Disconnected", "ReadyToPersist");
        }

        @Test
        @DisplayName("waits for the running commit: its outcome goes to the old half, then the action runs")
        void waitsForTheRunningCommit() {
            persistOnce();
            driver.feed(new Event.Started(0, 0, 1, 0));
            assertThat(driver.commitRunning()).isTrue();
            List<String> order = new ArrayList<>();
            driver.pause(() -> order.add("swapped after " + seen.get(seen.size() - 1)));
            assertThat(order).as("not while the commit runs").isEmpty();
            driver.feed(new Event.Disconnected(0, 0, "x"));
            assertThat(order).isEmpty();
            driver.commitFinished(new Event.CommitDone(0, 0, 1));
            assertThat(order).containsExactly("swapped after CommitDone");
            assertThat(seen).as("no commit offered while paused").endsWith("CommitDone");
            driver.resume();
            assertThat(seen).endsWith("CommitDone", "ReadyToPersist");
        }

        @Test
        @DisplayName("a failed commit counts as returned too")
        void afterAFailedCommit() {
            persistOnce();
            driver.feed(new Event.Started(0, 0, 1, 0));
            List<String> order = new ArrayList<>();
            driver.pause(() -> order.add("swapped"));
            driver.commitFinished(new Event.CommitFailed(0, 0, 1, "disk full"));
            assertThat(order).containsExactly("swapped");
            assertThat(driver.paused()).isTrue();
            driver.resume();
            assertThat(driver.paused()).isFalse();
        }
    }
}
