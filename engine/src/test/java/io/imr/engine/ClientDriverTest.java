package io.imr.engine;

import static io.imr.engine.ClientHarness.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Pull;
import io.imr.api.strategy.Event;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The client's strategy driver")
class ClientDriverTest {

    private final ClientHarness h = new ClientHarness();

    /** The half persists message {@code seq} once a session is up and nothing is pending. */
    private void persistOnce(long seq) {
        boolean[] done = new boolean[1];
        h.strategy.client = (e, out) -> {
            if (e instanceof Event.ReadyToPersist && !done[0] && ClientSessionTest.sessionState(h) == ClientSessionState.UP) {
                done[0] = true;
                out.persist(seq, List.of(ClientHarness.message(seq)));
            }
        };
    }

    @Test
    @DisplayName("commits what the half persists, then tells it, and hands the messages to the listener")
    void persist() {
        persistOnce(1);
        h.up();
        assertThat(h.store.peek().messages()).hasSize(1);
        assertThat(h.handed).isEmpty();
        h.store.completeNext();
        h.runtime.runDue();
        assertThat(h.strategy.clientEvents(Event.CommitDone.class)).singleElement()
                .satisfies(d -> assertThat(d.token()).isEqualTo(1));
        assertThat(h.handed).extracting(m -> m.seq()).containsExactly(1L);
        assertThat(h.store.state().cursor()).isEqualTo(1);
    }

    @Test
    @DisplayName("a commit that fails, or a store that throws, is a CommitFailed and the next commit is offered")
    void commitFails() {
        persistOnce(1);
        h.up();
        h.store.failNext("no space left");
        h.runtime.runDue();
        assertThat(h.strategy.clientEvents(Event.CommitFailed.class)).singleElement()
                .satisfies(f -> assertThat(f.reason()).contains("no space left"));

        h.store.throwOnCommit = new IllegalStateException("closed");
        h.strategy.client = (e, out) -> {
            if (e instanceof Event.CommitFailed f && f.token() == 1) {
                out.persist(2, List.of(ClientHarness.message(1)));
            }
        };
        h.advance(SECOND);
        int before = h.strategy.clientEvents(Event.ReadyToPersist.class).size();
        h.strategy.client = (e, out) -> { };
        h.frame(new io.imr.api.frame.Notify(1, 1));
        assertThat(h.strategy.clientEvents(Event.ReadyToPersist.class).size())
                .as("commits are offered again: no commit is left running").isGreaterThan(before);
    }

    @Test
    @DisplayName("a half that throws with no commit running is replaced at once, and the connection dropped")
    void throwsIdle() {
        h.up();
        h.strategy.client = (e, out) -> {
            if (e instanceof Event.FrameArrived && h.strategy.clientHalves == 2) {
                throw new IllegalStateException("broken");
            }
        };
        h.frame(new io.imr.api.frame.Notify(1, 1));
        assertThat(h.strategy.clientHalves).isEqualTo(3);
        assertThat(h.channel.closed).isTrue();
        assertThat(h.strategy.clientEvents(Event.Started.class)).last()
                .satisfies(s -> assertThat(s.epoch()).isEqualTo(1));
    }

    @Test
    @DisplayName("sends a pull only while a session is up, and a Close drops the connection with its error")
    void pullAndClose() {
        h.strategy.client = (e, out) -> {
            if (e instanceof Event.Started || e instanceof Event.Connected) {
                out.pull(1, 10);
            } else if (e instanceof Event.TimerFired) {
                out.close(ErrorFrame.Code.NOT_ALLOWED, "enough");
            }
            if (e instanceof Event.Connected) {
                out.schedule("t", SECOND / 2);
            }
        };
        h.up();
        assertThat(h.channel.sent(Pull.class)).as("the pull at Started had no session: dropped").hasSize(1);
        h.advance(SECOND / 2);
        assertThat(h.channel.closedWith.code()).isEqualTo(ErrorFrame.Code.NOT_ALLOWED);
        assertThat(h.channel.closedWith.message()).isEqualTo("enough");
    }
}
