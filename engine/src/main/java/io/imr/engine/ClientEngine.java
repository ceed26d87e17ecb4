package io.imr.engine;

import io.imr.api.Message;
import io.imr.api.Names;
import io.imr.api.store.ClientState;
import io.imr.api.store.ClientStore;
import io.imr.api.strategy.StrategyRegistry;
import io.imr.engine.internal.Dispatcher;
import io.imr.engine.metrics.EngineMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One device: the public face of the client side. It builds and starts the pieces, each on the
 * runtime's serial context, and takes the application's calls from any thread without blocking:
 * <ul>
 *   <li>{@link Outbox}: sends, from the application's call to the server's answer (G6);</li>
 *   <li>{@link ClientSession}: connection attempts, hello and welcome, heartbeats, routing frames;</li>
 *   <li>{@link ClientDriver}: the strategy's client half, its commits of received messages;</li>
 *   <li>{@link Dispatcher} and {@link HandOverRecorder}: committed messages to the listener, and
 *       how far it got;</li>
 *   <li>{@link Committed}: the store's committed state, under one rule.</li>
 * </ul>
 * The life of one message through them is in {@code docs/life-of-a-message.md}.
 */
public final class ClientEngine {

    private final ClientEngineConfig config;
    private final ClientStore store;
    private final EngineRuntime runtime;
    private final StrategyRegistry strategies;
    private final CompletableFuture<Void> welcomed = new CompletableFuture<>();
    private final CompletableFuture<Void> stoppedFuture = new CompletableFuture<>();
    private final Dispatcher dispatcher;
    private final Committed committed = new Committed(null);
    private final ClientSession session;
    private final Outbox outbox;
    private final ClientDriver driver;
    private final HandOverRecorder handOver;

    /**
     * @param strategies       where the client half of the strategy the server picks comes from
     * @param token            the signed token naming this device's user and device
     * @param listener         the application's receiver of committed messages
     * @param listenerExecutor a dedicated executor for the listener (never an event loop)
     * @param sendListener     told of every send the server confirmed, including earlier runs' (may be a no-op)
     * @throws io.imr.api.strategy.StrategyRegistry.StrategyConfigurationException for a strategy this class
     *         path lacks or a bad option of one (each strategy validates only its own options)
     */
    public ClientEngine(ClientEngineConfig config, ClientStore store, StrategyRegistry strategies, String token,
                        ClientConnector connector, EngineRuntime runtime, MeterRegistry registry,
                        MessageListener listener, Executor listenerExecutor, Consumer<SendConfirmation> sendListener) {
        this.config = config;
        this.store = store;
        this.runtime = runtime;
        this.strategies = strategies;
        config.options().validate(strategies, config.strategies());
        this.handOver = new HandOverRecorder(store, runtime, committed);
        this.dispatcher = new Dispatcher(store, listenerExecutor, listener,
                seq -> runtime.execute(() -> handOver.handedOver(seq)));
        this.session = new ClientSession(runtime, config, connector, token, store, committed,
                new ClientSession.Owner() {
                    @Override
                    public void up() {
                        welcomed.complete(null);
                    }

                    @Override
                    public void refused(ClientException why) {
                        stop(why);
                    }

                    @Override
                    public void expired(io.imr.api.store.ExpiredRange range, long afterSeq) {
                        io.imr.engine.metrics.EngineMetrics m = driver.metrics();
                        if (m != null) {
                            m.expired(range.count());
                        }
                        dispatcher.expired(range, afterSeq);
                    }
                });
        this.outbox = new Outbox(store, runtime, config, session, sendListener);
        this.driver = new ClientDriver(runtime, strategies, config.options(), store, committed, dispatcher, session,
                registry, outbox::size);
        session.wire(driver, outbox);
    }

    /**
     * Starts: reads the store, replays to the listener what was committed but not handed over,
     * and connects.
     *
     * @return completes at the first welcome; fails with {@link ClientException.RefusedException}
     *         or {@link ClientException.SessionReplacedException} if the client stops before
     */
    public CompletionStage<Void> start() {
        runtime.execute(() -> {
            if (session.state() != ClientSessionState.NEW) {
                return;
            }
            ClientState state;
            try {
                state = store.state();
                committed.take(state);
                outbox.load(state.outboxId(), state.lastCounter(), store.outbox());
            } catch (RuntimeException e) {
                stop(new ClientException("could not read the store: " + e.getMessage(), e));
                return;
            }
            driver.use(config.strategies().get(0));
            dispatcher.start(state.handedOver(), state.cursor());
            session.start();
        });
        return welcomed;
    }

    /** Completes when the client stopped: normally after {@link #close()}, exceptionally when refused or replaced. */
    public CompletionStage<Void> stopped() {
        return stoppedFuture;
    }

    /**
     * Sends a message reliably: it goes into the persistent outbox first, and is sent (and
     * resent after reconnects, the server deduplicates) until the server confirms it.
     *
     * @return completes with the seq the message got in the recipient's sequence, once the
     *         server has committed it; fails with {@link ClientException.SendRefusedException},
     *         {@link ClientException.OutboxFullException}, a store failure, or when closed
     */
    public CompletionStage<Long> send(String to, byte[] payload) {
        return send(0, to, payload);
    }

    /**
     * As {@link #send(String, byte[])}, with a counter the application chooses, so that a program
     * that numbers its messages can resume after a crash without sending one twice: the counter
     * must be above every counter this store used (see {@link ClientState#lastCounter()}).
     *
     * @param counter 0 to let the client number it
     */
    public CompletionStage<Long> send(long counter, String to, byte[] payload) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        try {
            Names.principal("to", to);
            if (payload.length > Message.MAX_PAYLOAD) {
                throw new IllegalArgumentException("payload must be at most " + Message.MAX_PAYLOAD + " bytes, got "
                        + payload.length);
            }
        } catch (IllegalArgumentException e) {
            result.completeExceptionally(e);
            return result;
        }
        byte[] copy = payload.clone();
        runtime.execute(() -> {
            switch (session.state()) {
                case NEW -> result.completeExceptionally(new IllegalStateException("start the client before sending"));
                case STOPPED -> result.completeExceptionally(new ClientException.ClosedException("the client is closed"));
                default -> outbox.enqueue(counter, to, copy, result);
            }
        });
        return result;
    }

    /**
     * Counts bytes on the wire for this client's meters (transports call it from their threads).
     *
     * @param totalBytes        the bytes on the wire
     * @param payloadBytes      the application payload bytes among them
     * @param confirmationBytes the bytes of confirmation frames among them (ack, ack-up-to, pull, notify)
     */
    public void countWire(int totalBytes, int payloadBytes, int confirmationBytes) {
        EngineMetrics m = driver.metrics();
        if (m != null) {
            m.frameBytes(totalBytes, payloadBytes, confirmationBytes);
        }
    }

    /**
     * Says bye, stops reconnecting and stops the listener's hand-over; commits already queued to
     * the store still complete. The store stays open: its owner closes it after this completes.
     */
    public CompletionStage<Void> close() {
        runtime.execute(() -> stop(null));
        return stoppedFuture.handle((v, e) -> null);
    }

    private void stop(Throwable why) {
        if (session.state() == ClientSessionState.STOPPED) {
            return;
        }
        session.stop(why == null);
        driver.stop();
        dispatcher.stop();
        handOver.stop();
        ClientException closed = new ClientException.ClosedException("the client was closed");
        outbox.failAll(why != null ? why : closed);
        // stopped() first: whoever waits on start() may look at stopped() as soon as start() fails.
        if (why != null) {
            stoppedFuture.completeExceptionally(why);
            welcomed.completeExceptionally(why);
        } else {
            stoppedFuture.complete(null);
            welcomed.completeExceptionally(closed);
        }
    }
}
