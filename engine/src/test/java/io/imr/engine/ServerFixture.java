package io.imr.engine;

import java.util.ArrayList;
import io.imr.api.frame.SendAck;
import io.imr.api.ClientIds;
import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Checksums;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Send;
import io.imr.api.frame.Welcome;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.StrategyOptions;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** A server engine on virtual time over a real MapDB store, and connections to it, for the engine's tests. */
final class ServerFixture implements AutoCloseable {

    final ManualRuntime runtime = new ManualRuntime();
    final TestServerStore store;
    final ServerEngine engine;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final byte[] secret = new byte[32];

    ServerFixture(Path dir, ServerEngineConfig config, ReliabilityStrategyProvider strategy) {
        Arrays.fill(secret, (byte) 7);
        store = new TestServerStore(dir);
        engine = new ServerEngine(config, store, strategy, StrategyOptions.none(), new HmacTokens(secret), runtime,
                registry);
    }

    /** One connection as a test drives it. */
    final class Connection {
        final FakeChannel channel = new FakeChannel();
        final ConnectionHandler handler = engine.accept(channel);

        /** Hands the engine a frame of this connection and runs what is due. */
        Connection frame(Frame frame) {
            handler.onFrame(frame);
            runtime.runDue();
            return this;
        }

        /** The transport saw the connection go. */
        void lost() {
            handler.onClosed("lost");
            runtime.runDue();
        }

        Welcome welcome() {
            assertThat(channel.sent).first().isInstanceOf(Welcome.class);
            return (Welcome) channel.sent.get(0);
        }

        <T extends Frame> List<T> sent(Class<T> type) {
            return channel.sent.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    /** A connection that said hello (not necessarily welcomed yet: run {@link ManualRuntime#runDue}). */
    Connection hello(String user, String device, String strategy, long cursor, String idAtCursor) {
        return hello(user, device, strategy, cursor, idAtCursor, cursor == 0 ? "" : store.generation(), 1);
    }

    /** A hello with the generation it echoes and its start (G10, bug 6). */
    Connection hello(String user, String device, String strategy, long cursor, String idAtCursor, String generation,
                     long incarnation) {
        String token = new HmacTokens(secret).mint(new Principal(user, device), Duration.ofHours(1),
                runtime.currentTimeMillis());
        Connection c = new Connection();
        c.handler.onFrame(new Hello(Frame.PROTOCOL_VERSION, token, user, device, List.of(strategy), cursor == 0 ? 0 : 1,
                cursor, idAtCursor, generation, incarnation));
        return c;
    }

    /** A welcomed connection of a device that has nothing yet. */
    Connection welcomed(String user, String device, String strategy) {
        Connection c = hello(user, device, strategy, 0, "");
        runtime.runDue();
        c.welcome();
        return c;
    }

    /** A Send of one message whose client id is {@code clientId} ({@code <outbox>-<counter>}). */
    static Send send(String clientId, String to, String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        return Send.of(ClientIds.outboxOf(clientId), ClientIds.counterOf(clientId), to, payload,
                Checksums.crc32c(payload));
    }

    /** The client ids the send-acks answer, run by run, counter by counter. */
    static List<String> ackedIds(List<SendAck> acks) {
        List<String> ids = new ArrayList<>();
        for (SendAck a : acks) {
            for (SendAck.Run r : a.runs()) {
                for (long c = r.firstCounter(); c <= r.lastCounter(); c++) {
                    ids.add(ClientIds.of(a.outboxId(), c));
                }
            }
        }
        return ids;
    }

    /** The seqs the send-acks give, run by run, counter by counter. */
    static List<Long> ackedSeqs(List<SendAck> acks) {
        List<Long> seqs = new ArrayList<>();
        for (SendAck a : acks) {
            for (SendAck.Run r : a.runs()) {
                for (long i = 0; i < r.count(); i++) {
                    seqs.add(r.firstSeq() + i);
                }
            }
        }
        return seqs;
    }

    @Override
    public void close() {
        store.close();
    }
}
