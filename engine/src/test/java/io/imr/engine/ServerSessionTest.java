package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Ping;
import io.imr.api.frame.Pong;
import io.imr.api.frame.SendAck;
import io.imr.api.frame.Welcome;
import io.imr.engine.ServerSession.State;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ServerSession}: its state machine, and what a hello and its welcome tell a device (on virtual time). */
@DisplayName("A server session")
class ServerSessionTest {

    @TempDir
    Path dir;

    private final ScriptedStrategy strategy = new ScriptedStrategy();
    private ServerFixture server;

    @BeforeEach
    void start() {
        server = new ServerFixture(dir, ServerEngineConfig.builder().heartbeat(Duration.ofSeconds(1)).build(), strategy);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Nested
    @DisplayName("moves between states")
    class Transitions {

        @Test
        @DisplayName("only forward, AWAITING_HELLO → AUTHENTICATING → ACTIVE → CLOSED, closing from any state but CLOSED")
        void allowed() {
            assertThat(successors(State.AWAITING_HELLO)).containsExactlyInAnyOrder(State.AUTHENTICATING, State.CLOSED);
            assertThat(successors(State.AUTHENTICATING)).containsExactlyInAnyOrder(State.ACTIVE, State.CLOSED);
            assertThat(successors(State.ACTIVE)).containsExactly(State.CLOSED);
            assertThat(successors(State.CLOSED)).isEmpty();
        }

        private Set<State> successors(State from) {
            Set<State> to = EnumSet.noneOf(State.class);
            for (State s : State.values()) {
                if (from.mayMoveTo(s)) {
                    to.add(s);
                }
            }
            return to;
        }

        @Test
        @DisplayName("a session closed while its hello is resolved is never welcomed nor counted")
        void closedWhileAuthenticating() {
            ServerFixture.Connection c = server.hello("bob", "phone", ScriptedStrategy.NAME, 0, "");
            c.lost(); // runs after the hello, before its store read: the session closes while authenticating
            assertThat(c.sent(Welcome.class)).isEmpty();
            assertThat(server.engine.sessions()).isZero();
            assertThat(strategy.halves("phone")).as("no device was made for it").isZero();
        }

        @Test
        @DisplayName("a closed session ignores later frames and closes")
        void closedStaysClosed() {
            ServerFixture.Connection c = server.welcomed("bob", "phone", ScriptedStrategy.NAME);
            c.frame(new io.imr.api.frame.Bye("done"));
            assertThat(server.engine.sessions()).isZero();
            c.frame(new Ping(1));
            c.lost();
            assertThat(c.sent(Pong.class)).isEmpty();
            assertThat(strategy.logged("phone", "Disconnected")).hasSize(1);
        }
    }

    @Test
    @DisplayName("replaced by a newer session of its device: closed with SESSION_REPLACED, the half told in order")
    void replaced() {
        ServerFixture.Connection older = server.welcomed("bob", "phone", ScriptedStrategy.NAME);
        ServerFixture.Connection newer = server.welcomed("bob", "phone", ScriptedStrategy.NAME);
        assertThat(older.channel.closedWith.code()).isEqualTo(ErrorFrame.Code.SESSION_REPLACED);
        assertThat(newer.channel.closed).isFalse();
        assertThat(server.engine.sessions()).isEqualTo(1);
        assertThat(strategy.log.stream().filter(e -> e.matches("phone1:(Connected|Disconnected).*")))
                .containsExactly("phone1:Connected 1/0 max 0", "phone1:Disconnected", "phone1:Connected 1/0 max 0");
    }

    @Nested
    @DisplayName("tells a device the user's max seq (G9)")
    class MaxSeq {

        @Test
        @DisplayName("including an append committed between its hello's store read and its welcome, on a first connection")
        void appendDuringHelloOfANewDevice() {
            ServerFixture.Connection alice = server.welcomed("alice", "laptop", ScriptedStrategy.NAME);
            server.store.hold();
            alice.frame(ServerFixture.send("c-1", "bob", "hi"));
            assertThat(server.store.heldCommits()).isEqualTo(1);
            // The append commits right after bob's hello read the inbox, before the welcome.
            server.store.afterNextInboxRead(server.store::release);
            ServerFixture.Connection bob = server.hello("bob", "phone", ScriptedStrategy.NAME, 0, "");
            server.runtime.runDue();

            assertThat(ServerFixture.ackedSeqs(alice.sent(SendAck.class))).containsExactly(1L);
            assertThat(bob.welcome().maxSeq()).as("Welcome.max_seq").isEqualTo(1);
            assertThat(strategy.logged("phone", "Connected")).as("the strategy's max seq").containsExactly("phone1:Connected 1/0 max 1");
            bob.frame(new Ping(5));
            assertThat(bob.sent(Pong.class)).containsExactly(new Pong(5, 1, 1));
        }

        @Test
        @DisplayName("and an older read of the inbox never replaces a newer state, on a reconnection")
        void appendDuringHelloOfAKnownDevice() {
            ServerFixture.Connection alice = server.welcomed("alice", "laptop", ScriptedStrategy.NAME);
            server.welcomed("bob", "phone", ScriptedStrategy.NAME).lost();
            server.store.hold();
            alice.frame(ServerFixture.send("c-1", "bob", "hi"));
            server.store.afterNextInboxRead(server.store::release);
            ServerFixture.Connection bob = server.hello("bob", "phone", ScriptedStrategy.NAME, 0, "");
            server.runtime.runDue();

            assertThat(bob.welcome().maxSeq()).isEqualTo(1);
            bob.frame(new Ping(6));
            assertThat(bob.sent(Pong.class)).containsExactly(new Pong(6, 1, 1));
        }
    }
}
