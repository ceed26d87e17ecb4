package io.imr.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Welcome;
import io.imr.api.store.ClientCommit;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientEvent;
import io.imr.api.strategy.ReliabilityHalf;
import io.imr.api.strategy.ApiVersion;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.ClientSetup;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.ServerReliability;
import io.imr.api.strategy.ServerSetup;
import io.imr.api.strategy.StrategyRegistry;
import io.imr.engine.ClientConnector;
import io.imr.engine.ClientEngine;
import io.imr.engine.ClientEngineConfig;
import io.imr.engine.ConnectionHandler;
import io.imr.engine.FrameChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Regression tests, independent of the simulator's random draws, for the two engine bugs the
 * simulator found: named after the problem, as Paho's suite does.
 */
@DisplayName("The client engine (regressions found by simulation)")
class ClientEngineRegressionTest {

    private final VirtualScheduler scheduler = new VirtualScheduler(1);
    private final Life life = new Life("bob/phone");
    private final Checks checks = new Checks(new Recorder(1, scheduler), scheduler);
    private final ClientDisk disk = new ClientDisk("bob", "phone", "0123456789abcdef");
    private final MemoryClientStore store = new MemoryClientStore(disk, scheduler, life, () -> 0, checks);
    private final List<ClientConnector.Attempt> attempts = new ArrayList<>();

    /** Records what the engine sends and whether it closed the connection. */
    static final class Channel implements FrameChannel {
        final List<Frame> sent = new ArrayList<>();
        boolean closed;

        @Override
        public void send(Frame frame) {
            sent.add(frame);
        }

        @Override
        public void close(ErrorFrame error) {
            closed = true;
        }

        @Override
        public String describe() {
            return "test channel";
        }
    }

    private ClientEngine engine() {
        ClientConnector connector = new ClientConnector() {
            @Override
            public void connect(Attempt attempt) {
                attempts.add(attempt);
            }

            @Override
            public String describe() {
                return "test";
            }
        };
        return new ClientEngine(ClientEngineConfig.of("quiet"), store, StrategyRegistry.of(List.of(new Quiet())),
                "token", connector, new VirtualRuntime(scheduler, life), new SimpleMeterRegistry(), m -> { },
                task -> scheduler.schedule(0, life, task), c -> { });
    }

    private void run(long millis) {
        scheduler.runUntil(scheduler.now() + TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private static Welcome welcome(long epoch, long cursor, long maxSeq) {
        return new Welcome(Frame.PROTOCOL_VERSION, "quiet", "bob", "phone", epoch, cursor, maxSeq, 10_000, "g1-sim",
                false);
    }

    @Test
    @DisplayName("a connection lost while a new store takes its first epoch still leaves the epoch recorded")
    void connectionLostDuringFirstRebase() {
        engine().start();
        run(1);
        Channel first = new Channel();
        ConnectionHandler handler = attempts.get(0).connected(first);
        run(1);
        assertThat(((Hello) first.sent.get(0)).epoch()).isZero();
        handler.onFrame(welcome(1, 0, 0)); // the store must take epoch 1: a rebase commit starts
        handler.onClosed("reset");          // and the connection drops before it returns
        run(5_000);

        assertThat(store.state().server().epoch()).as("the rebase committed").isEqualTo(1);
        assertThat(attempts).as("it reconnected").hasSize(2);
        Channel second = new Channel();
        ConnectionHandler again = attempts.get(1).connected(second);
        run(1);
        assertThat(((Hello) second.sent.get(0)).epoch()).as("the hello states the recorded epoch").isEqualTo(1);
        again.onFrame(welcome(1, 0, 0));
        run(30_000);
        assertThat(second.closed).as("the welcome is accepted without another rebase").isFalse();
        assertThat(attempts).as("no reconnect loop").hasSize(2);
    }

    @Test
    @DisplayName("a welcome whose cursor is behind a commit that returned meanwhile is accepted as it is")
    void welcomeBehindOwnCursor() {
        byte[] payload = {1, 2, 3};
        store.commit(ClientCommit.rebase(new ClientCommit.Rebase("g1-sim", 1, 0)));
        List<Message> five = new ArrayList<>();
        for (int seq = 1; seq <= 5; seq++) {
            five.add(Message.of("alice", "c-" + seq, "bob", seq, 1, 0, payload, Checksums.crc32c(payload)));
        }
        store.commit(ClientCommit.messages("g1-sim", five));
        run(100);
        assertThat(store.state().cursor()).isEqualTo(5);

        engine().start();
        run(1);
        Channel channel = new Channel();
        ConnectionHandler handler = attempts.get(0).connected(channel);
        run(1);
        handler.onFrame(welcome(1, 3, 5)); // the server's view of the device is older than its store
        run(30_000);
        assertThat(channel.closed).as("no rebase to the same epoch, no reconnect").isFalse();
        assertThat(attempts).hasSize(1);
        assertThat(store.state().epoch()).isEqualTo(1);
        assertThat(store.state().cursor()).isEqualTo(5);
    }

    /** A strategy that does nothing: these tests are about what the engine does on its own. */
    static final class Quiet implements ReliabilityStrategyProvider {
        @Override
        public String name() {
            return "quiet";
        }

        @Override
        public String description() {
            return "does nothing";
        }

        @Override
        public ApiVersion requiredApiVersion() {
            return ApiVersion.CURRENT;
        }

        @Override
        public ClientReliability newClient(ClientSetup setup) {
            return ClientReliability.of(new ReliabilityHalf<ClientEvent, ClientActions>() {
                @Override
                public void on(ClientEvent event, ClientActions out) {
                }

                @Override
                public int held() {
                    return 0;
                }
            });
        }

        @Override
        public ServerReliability newServer(ServerSetup setup) {
            throw new UnsupportedOperationException("client-side tests only");
        }
    }
}
