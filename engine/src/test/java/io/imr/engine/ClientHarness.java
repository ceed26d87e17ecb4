package io.imr.engine;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Welcome;
import io.imr.api.strategy.PerStrategyOptions;
import io.imr.api.strategy.StrategyRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * One client engine on virtual time with a store, a connector and a strategy the test controls:
 * what every client-side unit test builds first.
 */
final class ClientHarness {

    static final long SECOND = 1_000_000_000L;

    final ManualRuntime runtime = new ManualRuntime();
    final ManualClientStore store;
    final ManualConnector connector = new ManualConnector();
    final ScriptedStrategy strategy = new ScriptedStrategy();
    final List<Message> handed = new ArrayList<>();
    /** What the listener was told, in order: "m SEQ" for a message, "expired FROM..TO" for an expired range. */
    final List<String> told = new ArrayList<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<SendConfirmation> confirmations = new ArrayList<>();
    final ClientEngine engine;
    CompletionStage<Void> started;
    ConnectionHandler handler;
    FakeChannel channel;

    ClientHarness() {
        this(new ManualClientStore("bob", "phone"), 1_000_000, 1024);
    }

    ClientHarness(ManualClientStore store, int maxOutbox, int sendWindow) {
        this(store, maxOutbox, sendWindow, ClientEngineConfig.DEFAULT_INBOUND_FRAMES);
    }

    ClientHarness(ManualClientStore store, int maxOutbox, int sendWindow, int inboundFrames) {
        this.store = store;
        ClientEngineConfig config = new ClientEngineConfig(List.of("scripted"), PerStrategyOptions.none(),
                Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(10), sendWindow,
                Duration.ofSeconds(10), maxOutbox, inboundFrames);
        engine = new ClientEngine(config, store, StrategyRegistry.of(List.of(strategy)), "token", connector, runtime,
                registry, new MessageListener() {
                    @Override
                    public void onMessage(Message m) {
                        handed.add(m);
                        told.add("m " + m.seq());
                    }

                    @Override
                    public void expired(long from, long to) {
                        told.add("expired " + from + ".." + to);
                    }
                }, Runnable::run, confirmations::add);
    }

    /** Starts the engine; its first connection attempt is then pending. */
    ClientHarness start() {
        started = engine.start();
        runtime.runDue();
        return this;
    }

    /** Opens the pending attempt (the engine then says hello). */
    ClientHarness open() {
        channel = new FakeChannel();
        handler = connector.open(channel);
        runtime.runDue();
        return this;
    }

    /** The server's welcome, in the store's epoch at its position in the server's numbering. */
    ClientHarness welcome() {
        var at = store.state().server();
        return welcome(Math.max(1, at.epoch()), at.seq(), at.seq());
    }

    ClientHarness welcome(long epoch, long cursor, long maxSeq) {
        return frame(new Welcome(Frame.PROTOCOL_VERSION, "scripted", "bob", "phone", epoch, cursor, maxSeq, 1000,
                "g1-test", false));
    }

    /** Starts, connects and completes the first welcome's rebase into epoch 1: a session is up. */
    ClientHarness up() {
        start().open().welcome();
        store.completeNext();
        runtime.runDue();
        return this;
    }

    ClientHarness frame(Frame frame) {
        handler.onFrame(frame);
        runtime.runDue();
        return this;
    }

    ClientHarness advance(long nanos) {
        runtime.advance(nanos);
        return this;
    }

    /** A message to bob at this seq of epoch 1. */
    static Message message(long seq) {
        byte[] payload = ("m" + seq).getBytes();
        return Message.of("alice", "0123456789abcdef-" + seq, "bob", seq, 1, 1_800_000_000_000L, payload,
                Checksums.crc32c(payload));
    }
}
