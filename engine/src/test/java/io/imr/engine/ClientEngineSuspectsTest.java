package io.imr.engine;

import static io.imr.engine.ClientHarness.SECOND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Hello;
import io.imr.api.strategy.ClientEvent;
import io.imr.api.strategy.Event;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The client-side bugs issue 9 suspected by reading, each settled by a test. */
@DisplayName("Suspected client engine bugs")
class ClientEngineSuspectsTest {

    @Nested
    @DisplayName("1: a close or a throwing half while a connection attempt is pending")
    class WhileConnecting {

        private final ClientHarness h = new ClientHarness();

        @Test
        @DisplayName("a Close action abandons the attempt and reconnects later")
        void closeWhileConnecting() {
            h.strategy.client = (e, out) -> {
                if (e instanceof Event.Started) {
                    out.schedule("t", SECOND);
                } else if (e instanceof Event.TimerFired) {
                    out.close(ErrorFrame.Code.INTERNAL, "the half wants out");
                }
            };
            h.start();
            assertThat(h.connector.attempts).hasSize(1);

            assertThatCode(() -> h.advance(SECOND)).doesNotThrowAnyException();
            h.advance(2 * SECOND);

            assertThat(h.connector.attempts).as("a new attempt after the backoff").hasSize(2);
            FakeChannel late = new FakeChannel();
            h.connector.attempts.get(0).connected(late);
            h.runtime.runDue();
            assertThat(late.closed).as("the abandoned attempt, opening late, is closed").isTrue();
            assertThat(late.sent(Hello.class)).isEmpty();
        }

        @Test
        @DisplayName("a half that throws is replaced and the attempt abandoned")
        void throwWhileConnecting() {
            h.strategy.client = (e, out) -> {
                if (e instanceof Event.Started && h.strategy.clientHalves == 1) {
                    out.schedule("t", SECOND);
                } else if (e instanceof Event.TimerFired) {
                    throw new IllegalStateException("broken half");
                }
            };
            h.start();

            assertThatCode(() -> h.advance(SECOND)).doesNotThrowAnyException();
            h.advance(2 * SECOND);

            assertThat(h.strategy.clientHalves).isEqualTo(2);
            assertThat(h.connector.attempts).hasSize(2);
            h.open().welcome();
            h.store.completeNext(); // the first welcome's rebase into epoch 1
            h.runtime.runDue();
            assertThat(h.started).as("the fresh half's session is up").isCompleted();
        }
    }

    @Nested
    @DisplayName("2: a half that throws again and again while its commit runs")
    class ThrowsDuringCommit {

        private final ClientHarness h = new ClientHarness();

        @Test
        @DisplayName("is restarted once, and the fresh half keeps its session")
        void oneRestart() {
            boolean[] persisted = new boolean[1];
            h.strategy.client = (e, out) -> {
                if (h.strategy.clientHalves != 2) {
                    return; // only the half the first welcome's rebase starts (the second) is broken
                }
                if (e instanceof Event.Connected) {
                    out.schedule("a", SECOND);
                    out.schedule("b", 2 * SECOND);
                    out.schedule("c", 3 * SECOND);
                } else if (e instanceof Event.ReadyToPersist && !persisted[0]) {
                    persisted[0] = true;
                    out.persist(1, List.of(ClientHarness.message(1)));
                } else if (e instanceof Event.TimerFired) {
                    throw new IllegalStateException("broken half");
                }
            };
            h.start().open().welcome();
            h.store.completeNext(); // the first welcome's rebase into epoch 1
            h.runtime.runDue();
            assertThat(h.store.peek().messages()).as("the first half's commit runs").hasSize(1);

            h.advance(3 * SECOND); // three throws while the commit runs
            h.store.completeNext();
            h.runtime.runDue();
            h.advance(SECOND);
            h.open().welcome();
            h.advance(10 * SECOND);

            assertThat(h.strategy.clientHalves).as("one restart for one broken half").isEqualTo(3);
            List<ClientEvent> afterRestart = h.strategy.clientEvents.subList(
                    h.strategy.clientEvents.indexOf(h.strategy.clientEvents(Event.Started.class).get(2)),
                    h.strategy.clientEvents.size());
            assertThat(afterRestart).filteredOn(Event.Connected.class::isInstance)
                    .as("the fresh half is told of the session it runs in").isNotEmpty();
        }
    }
}
