package io.imr.engine;

import static io.imr.engine.ClientHarness.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.frame.Deliver;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Notify;
import io.imr.api.frame.Ping;
import io.imr.api.frame.Welcome;
import io.imr.api.strategy.Event;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The client session")
class ClientSessionTest {

    private final ClientHarness h = new ClientHarness();

    private ClientSessionState state() {
        return sessionState(h);
    }

    static ClientSessionState sessionState(ClientHarness h) {
        try {
            var f = ClientEngine.class.getDeclaredField("session");
            f.setAccessible(true);
            return ((ClientSession) f.get(h.engine)).state();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @DisplayName("says hello with the store's position, settles into the welcome's epoch, then is up")
    void helloWelcomeUp() {
        h.start();
        assertThat(state()).isEqualTo(ClientSessionState.CONNECTING);
        h.open();
        assertThat(state()).isEqualTo(ClientSessionState.HELLO_SENT);
        Hello hello = h.channel.sent(Hello.class).get(0);
        assertThat(hello.cursor()).isZero();
        assertThat(hello.strategies()).containsExactly("scripted");

        h.welcome(1, 0, 7);
        assertThat(state()).as("the first welcome rebases the store into epoch 1").isEqualTo(ClientSessionState.SETTLING);
        h.store.completeNext();
        h.runtime.runDue();
        assertThat(state()).isEqualTo(ClientSessionState.UP);
        assertThat(h.started).isCompleted();
        assertThat(h.strategy.clientEvents(Event.Connected.class)).singleElement()
                .satisfies(c -> assertThat(c.maxSeq()).isEqualTo(7));
    }

    @Test
    @DisplayName("holds the server's frames while it settles, and hands them to the half after Connected, in order")
    void holdsFramesWhileSettling() {
        h.start().open().welcome(1, 0, 2);
        h.frame(new Notify(1, 2)).frame(new Deliver(List.of(ClientHarness.message(1)), 2));
        assertThat(h.strategy.clientEvents(Event.FrameArrived.class)).isEmpty();
        h.store.completeNext();
        h.runtime.runDue();
        List<Event> after = h.strategy.clientEvents.stream()
                .filter(e -> e instanceof Event.Connected || e instanceof Event.FrameArrived).map(Event.class::cast)
                .toList();
        assertThat(after).hasSize(3);
        assertThat(after.get(0)).isInstanceOf(Event.Connected.class);
        assertThat(((Event.FrameArrived) after.get(1)).frame()).isInstanceOf(Notify.class);
        assertThat(((Event.FrameArrived) after.get(2)).frame()).isInstanceOf(Deliver.class);
    }

    @Test
    @DisplayName("gives up a connection with no welcome in time and reconnects with a doubling backoff")
    void welcomeTimeout() {
        h.start().open();
        h.advance(10 * SECOND);
        assertThat(h.channel.closed).isTrue();
        assertThat(state()).isEqualTo(ClientSessionState.WAITING);
        h.advance(SECOND / 10);
        assertThat(h.connector.attempts).hasSize(2);
        h.connector.failLatest("refused");
        h.runtime.runDue();
        h.advance(SECOND / 20);
        assertThat(h.connector.attempts).as("the second delay is longer than the first's lower bound").hasSize(2);
        h.advance(SECOND / 5);
        assertThat(h.connector.attempts).hasSize(3);
    }

    @Test
    @DisplayName("pings every heartbeat and drops a server silent for three of them")
    void heartbeats() {
        h.up();
        h.advance(SECOND);
        assertThat(h.channel.sent(Ping.class)).hasSize(1);
        h.advance(3 * SECOND);
        assertThat(h.channel.closed).isTrue();
        assertThat(h.strategy.clientEvents(Event.Disconnected.class)).singleElement()
                .satisfies(d -> assertThat(d.reason()).contains("three heartbeat intervals"));
    }

    @Test
    @DisplayName("stops the client when the server refuses it, and when a newer session replaces it")
    void refusedAndReplaced() {
        h.start().open().frame(new ErrorFrame(ErrorFrame.Code.AUTH_FAILED, "bad token"));
        assertThat(h.started).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(ClientException.RefusedException.class).withMessageContaining("bad token");
        assertThat(state()).isEqualTo(ClientSessionState.STOPPED);
        h.advance(60 * SECOND);
        assertThat(h.connector.attempts).as("no reconnect once refused").hasSize(1);

        ClientHarness other = new ClientHarness().up();
        other.frame(new ErrorFrame(ErrorFrame.Code.SESSION_REPLACED, "newer"));
        assertThat(other.engine.stopped()).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(ClientException.SessionReplacedException.class);
    }

    @Test
    @DisplayName("refuses a welcome for another device")
    void welcomeForAnother() {
        h.start().open().frame(new Welcome(Frame.PROTOCOL_VERSION, "scripted", "carol", "phone", 1, 0, 0, 1000, "g1-test",
                false));
        assertThat(h.started).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .withMessageContaining("this store belongs to bob/phone");
    }

    @Test
    @DisplayName("a rebase that fails, or a store that throws on it, costs a reconnect and never leaves it settling")
    void rebaseFails() {
        h.start().open().welcome(1, 0, 0);
        h.store.failNext("disk full");
        h.runtime.runDue();
        assertThat(state()).isEqualTo(ClientSessionState.WAITING);
        assertThat(h.strategy.clientHalves).as("the half is kept: the store did not move").isEqualTo(1);

        h.advance(SECOND);
        h.store.throwOnCommit = new IllegalStateException("store closed under us");
        h.open().welcome(1, 0, 0);
        assertThat(state()).isEqualTo(ClientSessionState.WAITING);

        h.advance(2 * SECOND);
        h.open().welcome(1, 0, 0);
        h.store.completeNext();
        h.runtime.runDue();
        assertThat(state()).isEqualTo(ClientSessionState.UP);
    }

    @Test
    @DisplayName("a frame a server may not send drops the connection with NOT_ALLOWED")
    void protocolError() {
        h.up().frame(new Hello(Frame.PROTOCOL_VERSION, "t", "bob", "phone", List.of("scripted"), 1, 0, "", "", 1));
        assertThat(h.channel.closedWith.code()).isEqualTo(ErrorFrame.Code.NOT_ALLOWED);
        assertThat(state()).isEqualTo(ClientSessionState.WAITING);
    }

    @Test
    @DisplayName("says bye when closed while up, and stops reconnecting")
    void closeSaysBye() {
        h.up();
        h.engine.close();
        h.runtime.runDue();
        assertThat(h.channel.sent).last().isInstanceOf(io.imr.api.frame.Bye.class);
        assertThat(h.channel.closed).isTrue();
        h.advance(60 * SECOND);
        assertThat(h.connector.attempts).hasSize(1);
    }
}
