package io.imr.engine;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.Names;
import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Bye;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Notify;
import io.imr.api.frame.Ping;
import io.imr.api.frame.Pong;
import io.imr.api.frame.Pull;
import io.imr.api.frame.PullResult;
import io.imr.api.frame.Send;
import io.imr.api.frame.SendAck;
import io.imr.api.frame.Welcome;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientState;
import io.imr.api.store.ClientStore;
import io.imr.api.store.OutboxEntry;
import io.imr.api.strategy.Action;
import io.imr.api.strategy.ClientAction;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientEvent;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.ClientSetup;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.StrategyRegistry;
import io.imr.engine.internal.Dispatcher;
import io.imr.engine.internal.HalfDriver;
import io.imr.engine.metrics.EngineMetrics;
import io.imr.engine.metrics.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One device: its store, its strategy client half, its connection to the server (with
 * reconnects, heartbeats and hello/welcome), its outbox of sends (G6) and the hand-over of
 * committed messages to the application's listener.
 *
 * <p>All state lives on the runtime's serial context. The public methods may be called from any
 * thread and never block.
 */
public final class ClientEngine {

    private static final Logger LOG = Logger.getLogger(ClientEngine.class.getName());

    private final ClientEngineConfig config;
    private final ClientStore store;
    private final StrategyRegistry strategies;
    private final String token;
    private final ClientConnector connector;
    private final EngineRuntime runtime;
    private final MeterRegistry registry;
    private final Dispatcher dispatcher;
    private final Consumer<SendConfirmation> sendListener;
    private final CompletableFuture<Void> welcomed = new CompletableFuture<>();
    private final CompletableFuture<Void> stoppedFuture = new CompletableFuture<>();
    private final AtomicInteger outboxGauge = new AtomicInteger();
    private final AtomicInteger bufferedGauge = new AtomicInteger();

    private volatile EngineMetrics metrics;
    private ClientState committed;
    private String outboxId;
    private ReliabilityStrategyProvider provider;
    private ClientReliability half;
    private final Driver driver;

    private Connection connection;
    private long reconnectDelayNanos;
    private EngineRuntime.Cancellable reconnectTimer;
    private boolean started;
    private boolean stopped;

    // The outbox (G6): every entry the store holds, by counter, plus sends being enqueued.
    private final TreeMap<Long, PendingSend> outbox = new TreeMap<>();
    private final List<PendingSend> enqueueBuffer = new ArrayList<>();
    private final List<Long> removeBuffer = new ArrayList<>();
    private long lastCounter;
    // Counters of durable sends not yet sent on this connection, and of those sent and not yet answered:
    // kept apart so that sending and answering cost O(log n), not a walk over the whole outbox.
    private final TreeSet<Long> unsent = new TreeSet<>();
    private final TreeSet<Long> inFlight = new TreeSet<>();
    private boolean removalRunning;
    private long handOverTarget = -1;
    private boolean handOverRunning;

    /**
     * @param strategies   where the client half of the strategy the server picks comes from
     * @param token        the signed token naming this device's user and device
     * @param listener     the application's receiver of committed messages
     * @param listenerExecutor a dedicated executor for the listener (never an event loop)
     * @param sendListener told of every send the server confirmed, including earlier runs' (may be a no-op)
     */
    public ClientEngine(ClientEngineConfig config, ClientStore store, StrategyRegistry strategies, String token,
                        ClientConnector connector, EngineRuntime runtime, MeterRegistry registry,
                        MessageListener listener, Executor listenerExecutor, Consumer<SendConfirmation> sendListener) {
        this.config = config;
        this.store = store;
        this.strategies = strategies;
        this.token = token;
        this.connector = connector;
        this.runtime = runtime;
        this.registry = registry;
        this.sendListener = sendListener;
        this.driver = new Driver();
        // Fail at construction, not at the first welcome, on a strategy this class path lacks or a bad option;
        // each strategy validates only its own options.
        config.options().validate(strategies, config.strategies());
        this.dispatcher = new Dispatcher(store, listenerExecutor, listener,
                seq -> runtime.execute(() -> handedOver(seq)));
        this.reconnectDelayNanos = config.reconnectInitial().toNanos();
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
            if (started) {
                return;
            }
            started = true;
            try {
                committed = store.state();
                outboxId = committed.outboxId();
                lastCounter = committed.lastCounter();
                for (OutboxEntry e : store.outbox()) {
                    outbox.put(e.counter(), new PendingSend(e, null, true));
                    unsent.add(e.counter());
                }
            } catch (RuntimeException e) {
                stop(new ClientException("could not read the store: " + e.getMessage(), e));
                return;
            }
            outboxGauge.set(outbox.size());
            useStrategy(config.strategies().get(0));
            dispatcher.start(committed.handedOver(), committed.cursor());
            connect();
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
        runtime.execute(() -> enqueue(counter, to, copy, result));
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
        EngineMetrics m = metrics;
        if (m != null) {
            m.frameBytes(totalBytes, payloadBytes, confirmationBytes);
        }
    }

    /** The store's committed state as this engine last saw it (null before start). */
    public ClientState state() {
        return committed;
    }

    /**
     * Says bye, stops reconnecting and stops the listener's hand-over; commits already queued to
     * the store still complete. The store stays open: its owner closes it after this completes.
     */
    public CompletionStage<Void> close() {
        runtime.execute(() -> stop(null));
        return stoppedFuture.handle((v, e) -> null);
    }

    // ---------------------------------------------------------------- strategy

    /**
     * Replaces the half by a fresh one of this strategy, started from the store's committed state. Only
     * when no commit of the old half is running ({@link HalfDriver#pause}): callers make sure of that.
     */
    private void useStrategy(String name) {
        provider = strategies.get(name);
        half = newHalf();
        if (metrics == null || !metrics.strategy().equals(provider.name())) {
            metrics = new EngineMetrics(registry, MetricNames.SIDE_CLIENT, provider.name());
            metrics.gauge(MetricNames.OUTBOX_PENDING, outboxGauge::get);
            metrics.gauge(MetricNames.UNCONFIRMED, bufferedGauge::get);
        }
        driver.restart();
        driver.feed(new Event.Started(runtime.nanoTime(), runtime.nextRandom(), committed.epoch(), committed.cursor()));
    }

    private ClientReliability newHalf() {
        return provider.newClient(new ClientSetup(userOf(), deviceOf(), config.options().forStrategy(provider.name())));
    }

    private String userOf() {
        return committed.user();
    }

    private String deviceOf() {
        return committed.device();
    }

    /** Carries out the client half's actions. */
    private final class Driver extends HalfDriver<ClientEvent, ClientAction, ClientActions> {

        Driver() {
            super(ClientEngine.this.runtime, new ClientActions());
        }

        void restart() {
            cancelTimers();
        }

        @Override
        protected void deliver(ClientEvent event, ClientActions out) {
            half.on(event, out);
            bufferedGauge.set(half.buffered());
        }

        @Override
        protected ClientEvent readyToPersist(long now, long random) {
            return new Event.ReadyToPersist(now, random);
        }

        @Override
        protected ClientEvent timerFired(long now, long random, String timer) {
            return new Event.TimerFired(now, random, timer);
        }

        @Override
        protected boolean perform(ClientAction action) {
            if (action instanceof Action.SendFrame f) {
                if (f.frame() instanceof Ack || f.frame() instanceof AckUpTo) {
                    metrics.acksSent.increment();
                }
                sendFrame(f.frame());
                return false;
            }
            if (action instanceof Action.Persist p) {
                persist(p);
                return true;
            }
            if (action instanceof Action.PullRange r) {
                if (connection != null && connection.welcomed) {
                    metrics.pulls.increment();
                    connection.channel.send(new Pull(r.fromSeq(), r.limit()));
                }
                return false;
            }
            if (action instanceof Action.Signal s) {
                metrics.signal(s);
                return false;
            }
            if (action instanceof Action.Close c) {
                if (connection != null) {
                    connection.channel.close(new ErrorFrame(c.code(), c.reason()));
                    lost(connection, c.reason());
                }
                return false;
            }
            throw new IllegalStateException("a client half cannot " + action.getClass().getSimpleName());
        }

        private void persist(Action.Persist p) {
            long t0 = runtime.nanoTime();
            CompletionStage<ClientState> stage;
            try {
                stage = store.commit(ClientCommit.messages(p.messages()));
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            stage.whenComplete((state, error) -> runtime.execute(() -> {
                if (error == null) {
                    committed = state;
                    long now = runtime.currentTimeMillis();
                    metrics.commit(p.messages().size(), runtime.nanoTime() - t0);
                    metrics.committed.increment(p.messages().size());
                    for (Message m : p.messages()) {
                        metrics.deliveryLatency.record(Math.max(0, now - m.serverTimeMillis()), TimeUnit.MILLISECONDS);
                    }
                    dispatcher.committed(p.messages());
                    commitFinished(new Event.CommitDone(runtime.nanoTime(), runtime.nextRandom(), p.token()));
                } else {
                    LOG.log(Level.WARNING, "commit of " + p.messages().size() + " messages failed: " + error);
                    commitFinished(new Event.CommitFailed(runtime.nanoTime(), runtime.nextRandom(), p.token(),
                            String.valueOf(error)));
                }
            }));
        }

        @Override
        protected void halfFailed(RuntimeException e) {
            LOG.log(Level.SEVERE, "strategy " + provider.name() + " failed; starting it afresh from the store", e);
            // Its running commit's outcome goes to the old half; the fresh one starts once that has returned.
            pause(() -> {
                half = newHalf();
                cancelTimers();
                feed(new Event.Started(runtime.nanoTime(), runtime.nextRandom(), committed.epoch(), committed.cursor()));
                resume();
            });
            if (connection != null) {
                connection.channel.close(null);
                lost(connection, "strategy failed");
            }
        }
    }

    // ---------------------------------------------------------------- connection

    /** One connection attempt and, once open, its channel. */
    private final class Connection {
        FrameChannel channel;
        boolean welcomed;
        boolean closed;
        long lastHeard;
        long heartbeatNanos;
        EngineRuntime.Cancellable timer;
        final List<Frame> heldDuringRebase = new ArrayList<>();
        boolean rebasing;
    }

    private void connect() {
        if (stopped) {
            return;
        }
        Connection c = new Connection();
        connection = c;
        connector.connect(new ClientConnector.Attempt() {
            @Override
            public ConnectionHandler connected(FrameChannel channel) {
                runtime.execute(() -> opened(c, channel));
                return new ConnectionHandler() {
                    @Override
                    public void onFrame(Frame frame) {
                        runtime.execute(() -> frame(c, frame));
                    }

                    @Override
                    public void onClosed(String reason) {
                        runtime.execute(() -> lost(c, reason));
                    }
                };
            }

            @Override
            public void failed(Throwable cause) {
                runtime.execute(() -> {
                    LOG.fine("connecting to " + connector.describe() + " failed: " + cause);
                    lost(c, String.valueOf(cause));
                });
            }
        });
    }

    private void opened(Connection c, FrameChannel channel) {
        c.channel = channel;
        if (c != connection || stopped) {
            channel.close(null);
            return;
        }
        c.lastHeard = runtime.nanoTime();
        channel.send(new Hello(Frame.PROTOCOL_VERSION, token, committed.user(), committed.device(), config.strategies(), committed.epoch(), committed.cursor(),
                committed.idAtCursor()));
        c.timer = runtime.schedule(config.welcomeTimeout().toNanos(), () -> {
            if (!c.welcomed && !c.closed) {
                channel.close(null);
                lost(c, "no welcome within " + config.welcomeTimeout().toSeconds() + " s");
            }
        });
    }

    /** The connection is gone or never came up: tell the half, and reconnect with backoff. */
    private void lost(Connection c, String reason) {
        if (c.closed) {
            return;
        }
        c.closed = true;
        if (c.timer != null) {
            c.timer.cancel();
        }
        if (c != connection) {
            return;
        }
        connection = null;
        for (Long counter : inFlight) {
            PendingSend p = outbox.get(counter);
            if (p != null) {
                p.sentAt = -1;
                unsent.add(counter);
            }
        }
        inFlight.clear();
        if (c.welcomed) {
            driver.feed(new Event.Disconnected(runtime.nanoTime(), runtime.nextRandom(), reason));
        }
        if (stopped) {
            return;
        }
        long base = reconnectDelayNanos;
        // Full jitter on the upper half, so that many clients cut at once do not reconnect at once.
        long delay = base / 2 + Math.floorMod(runtime.nextRandom(), Math.max(1, base / 2 + 1));
        reconnectDelayNanos = Math.min(base * 2, config.reconnectMax().toNanos());
        reconnectTimer = runtime.schedule(delay, this::connect);
    }

    private void frame(Connection c, Frame frame) {
        if (c != connection || c.closed) {
            return;
        }
        c.lastHeard = runtime.nanoTime();
        if (!c.welcomed) {
            if (frame instanceof Welcome w) {
                welcome(c, w);
            } else if (frame instanceof ErrorFrame e) {
                refused(c, e);
            } else {
                c.channel.close(new ErrorFrame(ErrorFrame.Code.NOT_ALLOWED, "expected a welcome, got " + frame.type()));
                lost(c, "protocol error");
            }
            return;
        }
        if (c.rebasing) {
            c.heldDuringRebase.add(frame);
            return;
        }
        if (frame instanceof Deliver d) {
            metrics.received.increment(d.messages().size());
            toHalf(frame);
        } else if (frame instanceof PullResult p) {
            metrics.received.increment(p.messages().size());
            metrics.pullMessages.increment(p.messages().size());
            toHalf(frame);
        } else if (frame instanceof Notify || frame instanceof Pong) {
            toHalf(frame);
        } else if (frame instanceof SendAck a) {
            sendAcked(a);
        } else if (frame instanceof Ping p) {
            c.channel.send(new Pong(p.nonce(), 0, 0));
        } else if (frame instanceof ErrorFrame e) {
            if (e.code() == ErrorFrame.Code.SEND_REFUSED) {
                sendRefused(e);
            } else {
                refused(c, e);
            }
        } else if (frame instanceof Bye) {
            c.channel.close(null);
            lost(c, "the server said bye");
        } else {
            c.channel.close(new ErrorFrame(ErrorFrame.Code.NOT_ALLOWED, "a server may not send " + frame.type()));
            lost(c, "protocol error");
        }
    }

    private void toHalf(Frame frame) {
        driver.feed(new Event.FrameArrived(runtime.nanoTime(), runtime.nextRandom(), frame));
    }

    private void refused(Connection c, ErrorFrame e) {
        switch (e.code()) {
            case AUTH_FAILED:
            case NO_COMMON_STRATEGY:
            case UNSUPPORTED_VERSION:
                c.channel.close(null);
                stop(new ClientException.RefusedException(e.code(), "the server refused this client: " + e.message()));
                break;
            case SESSION_REPLACED:
                c.channel.close(null);
                stop(new ClientException.SessionReplacedException("a newer session of this device replaced this one: "
                        + e.message()));
                break;
            default:
                LOG.info("server closed the session: " + e.code() + " " + e.message());
                c.channel.close(null);
                lost(c, e.message());
        }
    }

    private void welcome(Connection c, Welcome w) {
        c.welcomed = true;
        c.timer.cancel();
        if (!w.user().equals(committed.user()) || !w.device().equals(committed.device())) {
            stop(new ClientException.RefusedException(ErrorFrame.Code.AUTH_FAILED, "the token is for " + w.user() + "/"
                    + w.device() + " but this store belongs to " + committed.user() + "/" + committed.device()));
            return;
        }
        if (!config.strategies().contains(w.strategy())) {
            stop(new ClientException.RefusedException(ErrorFrame.Code.NO_COMMON_STRATEGY, "the server picked strategy "
                    + w.strategy() + ", which this client did not offer"));
            return;
        }
        reconnectDelayNanos = config.reconnectInitial().toNanos();
        c.heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(w.heartbeatMillis());
        heartbeat(c);
        // Frames wait until the half that is to take them is in place.
        c.rebasing = true;
        driver.pause(() -> settle(c, w));
    }

    /**
     * With no commit of the half running and none offered: takes the strategy the server picked and the
     * epoch it is in, then starts the session's half.
     */
    private void settle(Connection c, Welcome w) {
        if (c != connection || c.closed) {
            driver.resume();
            return;
        }
        if (!w.strategy().equals(provider.name())) {
            useStrategy(w.strategy());
        }
        // Same epoch and a welcome cursor at or below ours: the sequence is the one we hold. Ours may be
        // ahead because a commit returned between the hello and the welcome; a rebase to the same epoch
        // would be refused by the store and cost a reconnect.
        if (w.epoch() != committed.epoch() || w.cursor() > committed.cursor()) {
            rebase(c, w);
        } else {
            driver.resume();
            sessionUp(c, w);
        }
    }

    /** The server's sequence is in another epoch than the store's (G10, or the first welcome of a new store). */
    private void rebase(Connection c, Welcome w) {
        String id = w.cursor() == committed.cursor() ? committed.idAtCursor() : "";
        CompletionStage<ClientState> stage;
        try {
            stage = store.commit(new ClientCommit(new ClientCommit.Rebase(w.epoch(),
                    Math.max(w.cursor(), committed.cursor()), id), List.of(), -1, List.of(), List.of()));
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((state, error) -> runtime.execute(() -> {
            if (error == null) {
                // The store is in the new epoch whether or not this connection is still up: take its state
                // now, or the next welcome asks for the same rebase again, which the store refuses, forever.
                long before = committed.cursor();
                committed = state;
                if (state.cursor() != before) {
                    dispatcher.jumped(state.cursor());
                }
                driver.restart();
                half = newHalf();
                driver.feed(new Event.Started(runtime.nanoTime(), runtime.nextRandom(), state.epoch(), state.cursor()));
            }
            driver.resume();
            if (c != connection || c.closed) {
                return;
            }
            if (error != null) {
                LOG.warning("could not start epoch " + w.epoch() + ": " + error);
                c.channel.close(null);
                lost(c, "rebase failed");
                return;
            }
            sessionUp(c, w);
        }));
    }

    /** The half is in place: tell it the session is up, then hand it what arrived meanwhile. */
    private void sessionUp(Connection c, Welcome w) {
        c.rebasing = false;
        connected(c, w);
        List<Frame> held = new ArrayList<>(c.heldDuringRebase);
        c.heldDuringRebase.clear();
        held.forEach(f -> frame(c, f));
    }

    private void connected(Connection c, Welcome w) {
        driver.feed(new Event.Connected(runtime.nanoTime(), runtime.nextRandom(), committed.epoch(), committed.cursor(),
                w.maxSeq()));
        welcomed.complete(null);
        pumpSends();
    }

    private void heartbeat(Connection c) {
        c.timer = runtime.schedule(c.heartbeatNanos, () -> {
            if (c != connection || c.closed) {
                return;
            }
            if (runtime.nanoTime() - c.lastHeard > 3 * c.heartbeatNanos) {
                c.channel.close(null);
                lost(c, "no frame from the server for three heartbeat intervals");
                return;
            }
            c.channel.send(new Ping(runtime.nanoTime()));
            resendOverdue();
            heartbeat(c);
        });
    }

    private void sendFrame(Frame frame) {
        Connection c = connection;
        if (c != null && c.welcomed && !c.closed) {
            c.channel.send(frame);
        }
    }

    // ---------------------------------------------------------------- the send path (G6)

    private static final class PendingSend {
        final OutboxEntry entry;
        final CompletableFuture<Long> result;
        boolean durable;
        long sentAt = -1;

        PendingSend(OutboxEntry entry, CompletableFuture<Long> result, boolean durable) {
            this.entry = entry;
            this.result = result;
            this.durable = durable;
        }
    }

    private void enqueue(long requested, String to, byte[] payload, CompletableFuture<Long> result) {
        if (stopped) {
            result.completeExceptionally(new ClientException.ClosedException("the client is closed"));
            return;
        }
        if (!started) {
            result.completeExceptionally(new IllegalStateException("start the client before sending"));
            return;
        }
        if (outbox.size() >= config.maxOutbox()) {
            result.completeExceptionally(new ClientException.OutboxFullException("the outbox holds " + outbox.size()
                    + " unconfirmed sends, the most allowed; wait for confirmations"));
            return;
        }
        long counter = requested == 0 ? lastCounter + 1 : requested;
        if (counter <= lastCounter) {
            result.completeExceptionally(new IllegalArgumentException("counter " + counter
                    + " was used already; use one above " + lastCounter));
            return;
        }
        lastCounter = counter;
        OutboxEntry entry = new OutboxEntry(counter, to, payload, Checksums.crc32c(payload), runtime.currentTimeMillis());
        PendingSend p = new PendingSend(entry, result, false);
        outbox.put(counter, p);
        outboxGauge.set(outbox.size());
        if (enqueueBuffer.isEmpty()) {
            runtime.execute(this::flushEnqueue);
        }
        enqueueBuffer.add(p);
    }

    private void flushEnqueue() {
        if (enqueueBuffer.isEmpty()) {
            return;
        }
        List<PendingSend> batch = new ArrayList<>(enqueueBuffer);
        enqueueBuffer.clear();
        List<OutboxEntry> entries = new ArrayList<>(batch.size());
        batch.forEach(p -> entries.add(p.entry));
        CompletionStage<ClientState> stage;
        try {
            stage = store.commit(ClientCommit.enqueue(entries));
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((state, error) -> runtime.execute(() -> {
            for (PendingSend p : batch) {
                if (error == null) {
                    p.durable = true;
                    unsent.add(p.entry.counter());
                } else {
                    outbox.remove(p.entry.counter());
                    p.result.completeExceptionally(new ClientException("the send could not be stored in the outbox: "
                            + error.getMessage(), error));
                }
            }
            outboxGauge.set(outbox.size());
            pumpSends();
        }));
    }

    /** Sends outbox entries not in flight, in counter order, within the window. */
    private void pumpSends() {
        Connection c = connection;
        if (c == null || !c.welcomed || c.closed || c.rebasing) {
            return;
        }
        while (inFlight.size() < config.sendWindow() && !unsent.isEmpty()) {
            Long counter = unsent.pollFirst();
            PendingSend p = outbox.get(counter);
            if (p != null) {
                transmit(c, p);
                inFlight.add(counter);
            }
        }
    }

    private void transmit(Connection c, PendingSend p) {
        OutboxEntry e = p.entry;
        c.channel.send(new Send(e.clientId(outboxId), e.to(), e.payload(), e.payloadChecksum()));
        p.sentAt = runtime.nanoTime();
    }

    private void resendOverdue() {
        Connection c = connection;
        if (c == null || !c.welcomed) {
            return;
        }
        long overdue = runtime.nanoTime() - config.resendAfter().toNanos();
        for (Long counter : inFlight) {
            PendingSend p = outbox.get(counter);
            if (p != null && p.sentAt < overdue) {
                transmit(c, p);
            }
        }
    }

    private long counterOf(String clientId) {
        String prefix = outboxId + "-";
        if (!clientId.startsWith(prefix)) {
            return -1;
        }
        try {
            return Long.parseLong(clientId.substring(prefix.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void sendAcked(SendAck ack) {
        long counter = counterOf(ack.clientId());
        PendingSend p = outbox.remove(counter);
        if (p == null) {
            return; // a second answer to a resend
        }
        outboxGauge.set(outbox.size());
        inFlight.remove(counter);
        unsent.remove(counter);
        sendListener.accept(new SendConfirmation(ack.clientId(), counter, p.entry.to(), ack.seq(), ack.epoch()));
        if (p.result != null) {
            p.result.complete(ack.seq());
        }
        removeFromOutbox(counter);
        pumpSends();
    }

    private void sendRefused(ErrorFrame e) {
        long counter = counterOf(e.ref());
        PendingSend p = outbox.remove(counter);
        if (p == null) {
            return;
        }
        outboxGauge.set(outbox.size());
        inFlight.remove(counter);
        unsent.remove(counter);
        LOG.warning("the server refused send " + e.ref() + ": " + e.message());
        if (p.result != null) {
            p.result.completeExceptionally(new ClientException.SendRefusedException(e.message()));
        }
        removeFromOutbox(counter);
        pumpSends();
    }

    /** Confirmed sends leave the store's outbox in batches: one removal commit at a time. */
    private void removeFromOutbox(long counter) {
        removeBuffer.add(counter);
        if (!removalRunning) {
            flushRemovals();
        }
    }

    private void flushRemovals() {
        if (removeBuffer.isEmpty()) {
            removalRunning = false;
            return;
        }
        removalRunning = true;
        List<Long> batch = new ArrayList<>(removeBuffer);
        removeBuffer.clear();
        store.commit(ClientCommit.confirmed(batch)).whenComplete((state, error) -> runtime.execute(() -> {
            if (error != null) {
                // Still in the store's outbox: a restart resends them and the server answers from its dedup index.
                LOG.fine("removing confirmed sends from the outbox failed: " + error);
            }
            flushRemovals();
        }));
    }

    // ---------------------------------------------------------------- hand-over to the listener

    private void handedOver(long seq) {
        handOverTarget = Math.max(handOverTarget, seq);
        if (!handOverRunning && !stopped) {
            recordHandOver();
        }
    }

    private void recordHandOver() {
        long seq = handOverTarget;
        if (seq <= committed.handedOver()) {
            handOverRunning = false;
            return;
        }
        handOverRunning = true;
        store.commit(ClientCommit.handedOver(seq)).whenComplete((state, error) -> runtime.execute(() -> {
            if (error == null && state.handedOver() > committed.handedOver()) {
                committed = state.cursor() >= committed.cursor() ? state : committed;
            }
            if (error != null) {
                LOG.fine("recording the hand-over failed: " + error);
                handOverRunning = false;
                return;
            }
            recordHandOver();
        }));
    }

    // ---------------------------------------------------------------- stop

    private void stop(Throwable why) {
        if (stopped) {
            return;
        }
        stopped = true;
        if (reconnectTimer != null) {
            reconnectTimer.cancel();
        }
        Connection c = connection;
        if (c != null && c.channel != null && !c.closed) {
            if (why == null && c.welcomed) {
                c.channel.send(new Bye("client closing"));
            }
            c.channel.close(null);
            lost(c, "stopped");
        }
        driver.stop();
        dispatcher.stop();
        ClientException closed = new ClientException.ClosedException("the client was closed");
        for (PendingSend p : outbox.values()) {
            if (p.result != null) {
                p.result.completeExceptionally(why != null ? why : closed);
            }
        }
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
