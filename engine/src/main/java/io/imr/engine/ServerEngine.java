package io.imr.engine;

import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Bye;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Ping;
import io.imr.api.frame.Pong;
import io.imr.api.frame.Pull;
import io.imr.api.frame.Send;
import io.imr.api.frame.SendAck;
import io.imr.api.frame.Welcome;
import io.imr.api.store.Accepted;
import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.ServerStore;
import io.imr.api.store.Submission;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.StrategyOptions;
import io.imr.engine.auth.AuthenticationException;
import io.imr.engine.auth.Authenticator;
import io.imr.engine.auth.Principal;
import io.imr.engine.internal.InboundGate;
import io.imr.engine.metrics.EngineMetrics;
import io.imr.engine.metrics.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server side of imr: sessions, authentication, the idempotent send path with seq assignment
 * in the store's commit (G6), and one strategy server half per device, driven with the store.
 *
 * <p>All state lives on the runtime's serial context; transports call {@link #accept} and the
 * returned handlers from any thread, and the store completes on its own threads: both hop onto
 * the context. Nothing here blocks: store reads run on the runtime's blocking executor.
 */
public final class ServerEngine implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ServerEngine.class.getName());

    private final ServerEngineConfig config;
    private final ServerStore store;
    private final ReliabilityStrategyProvider strategy;
    private final StrategyOptions options;
    private final Authenticator authenticator;
    private final EngineRuntime runtime;
    private final EngineMetrics metrics;
    private final InboundGate inbound;

    private final Map<Principal, ServerDevice> devices = new HashMap<>();
    private final Map<String, List<ServerDevice>> devicesByUser = new HashMap<>();
    private final Map<String, InboxState> inboxes = new HashMap<>();
    private final ArrayDeque<PendingAppend> appendsInOrder = new ArrayDeque<>();
    private final List<PendingAppend> appendBuffer = new ArrayList<>();
    /**
     * Append commits handed to the store and not yet returned. Two keep the store's writer busy (one
     * commits while the next waits); more would only make each smaller.
     */
    private static final int MAX_APPENDS_RUNNING = 2;
    private int appendsRunning;
    private final AtomicInteger sessionCount = new AtomicInteger();
    private final AtomicLong unconfirmed = new AtomicLong();
    private final AtomicLong nextSessionId = new AtomicLong();
    private boolean closed;

    /**
     * @param strategy the strategy this server runs; devices must offer its name
     * @param options  its options, validated here
     * @throws io.imr.api.strategy.StrategyOptions.InvalidOptionException for a bad option
     */
    public ServerEngine(ServerEngineConfig config, ServerStore store, ReliabilityStrategyProvider strategy,
                        StrategyOptions options, Authenticator authenticator, EngineRuntime runtime,
                        MeterRegistry registry) {
        this.config = config;
        this.store = store;
        this.strategy = strategy;
        this.options = options;
        strategy.validate(options);
        this.authenticator = authenticator;
        this.runtime = runtime;
        this.metrics = new EngineMetrics(registry, MetricNames.SIDE_SERVER, strategy.name());
        metrics.gauge(MetricNames.SESSIONS, sessionCount::get);
        metrics.gauge(MetricNames.UNCONFIRMED, unconfirmed::get);
        this.inbound = new InboundGate(runtime, InboundGate.Limits.DEFAULT).register(metrics);
    }

    /** The strategy this server runs. */
    public String strategyName() {
        return strategy.name();
    }

    /** The meters of this engine, for transports that count bytes. */
    public EngineMetrics metrics() {
        return metrics;
    }

    /** Sessions up now (authenticated). */
    public int sessions() {
        return sessionCount.get();
    }

    /**
     * A transport accepted a connection. Call from any thread.
     *
     * @return the handler for the connection's frames and close
     */
    public ConnectionHandler accept(FrameChannel channel) {
        // Back-pressure (G7): the gate pauses the connection's reading while too much of its work waits here.
        InboundGate.Gated gated = inbound.open(channel);
        ServerSession session = new ServerSession(gated.channel(), nextSessionId.incrementAndGet());
        runtime.execute(session::opened);
        return gated.handler(session::onFrame, session::onClosed);
    }

    /**
     * Says goodbye to every session and stops taking work. The store stays open: its owner
     * closes it after this returns.
     */
    @Override
    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        runtime.execute(() -> {
            closed = true;
            for (ServerDevice d : new ArrayList<>(devices.values())) {
                if (d.session != null) {
                    d.session.channel.close(null);
                }
                d.driver.stop();
            }
            done.complete(null);
        });
        try {
            done.get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "server engine did not stop within 5 s", e);
        }
    }

    // ---------------------------------------------------------------- inbox state cache

    private InboxState inbox(String user) {
        return inboxes.computeIfAbsent(user, store::inbox);
    }

    // ---------------------------------------------------------------- the send path (G6)

    private void submit(ServerSession session, Send send) {
        if (io.imr.api.Checksums.crc32c(send.payload()) != send.payloadChecksum()) {
            session.channel.send(new ErrorFrame(ErrorFrame.Code.SEND_REFUSED,
                    "payload does not match its checksum; the message was not stored", send.clientId()));
            metrics.corrupt.increment();
            return;
        }
        if (session.pendingSends >= config.maxPendingSends()) {
            session.close(ErrorFrame.Code.NOT_ALLOWED, "more than " + config.maxPendingSends()
                    + " sends waiting for their commit; wait for send-acks before sending more");
            return;
        }
        session.pendingSends++;
        Submission submission = new Submission(session.principal.user(), send.clientId(), send.to(), send.payload(),
                send.payloadChecksum(), runtime.currentTimeMillis());
        PendingAppend pending = new PendingAppend(session, submission);
        appendsInOrder.add(pending);
        if (appendBuffer.isEmpty() && appendsRunning < MAX_APPENDS_RUNNING) {
            // Everything that arrives before this task runs goes into the same store commit.
            runtime.execute(this::flushAppends);
        }
        appendBuffer.add(pending);
    }

    private void flushAppends() {
        if (appendBuffer.isEmpty() || appendsRunning >= MAX_APPENDS_RUNNING) {
            return; // the next completion flushes: what arrives meanwhile makes the next commit bigger
        }
        appendsRunning++;
        List<PendingAppend> batch = new ArrayList<>(appendBuffer);
        appendBuffer.clear();
        List<Submission> submissions = new ArrayList<>(batch.size());
        batch.forEach(p -> submissions.add(p.submission));
        long started = runtime.nanoTime();
        CompletionStage<List<Accepted>> stage;
        try {
            stage = store.commit(ServerCommit.append(submissions));
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((accepted, error) -> runtime.execute(() -> {
            appendsRunning--;
            metrics.commit(batch.size(), runtime.nanoTime() - started);
            for (int i = 0; i < batch.size(); i++) {
                PendingAppend p = batch.get(i);
                p.done = true;
                p.error = error;
                p.accepted = error == null ? accepted.get(i) : null;
            }
            drainAppends();
            flushAppends();
        }));
    }

    /** Answers senders and tells recipients' devices, strictly in commit order. */
    private void drainAppends() {
        Map<String, List<Message>> appended = new LinkedHashMap<>();
        while (!appendsInOrder.isEmpty() && appendsInOrder.peek().done) {
            PendingAppend p = appendsInOrder.poll();
            ServerSession s = p.session;
            s.pendingSends--;
            if (p.error != null) {
                // Nothing was stored; the sender resends from its outbox after reconnecting.
                LOG.log(Level.WARNING, "append failed, closing " + s.describe() + ": " + p.error);
                s.close(ErrorFrame.Code.UNAVAILABLE, "the server could not store a message; reconnect and resend");
                continue;
            }
            Message m = p.accepted.message();
            if (s.active()) {
                s.channel.send(new SendAck(p.submission.clientId(), m.seq(), m.epoch()));
            }
            if (p.accepted.duplicate()) {
                metrics.duplicate.increment();
            } else {
                metrics.received.increment();
                metrics.committed.increment();
                appended.computeIfAbsent(m.recipient(), k -> new ArrayList<>()).add(m);
            }
        }
        appended.forEach((user, messages) -> {
            InboxState before = inbox(user);
            long maxSeq = Math.max(before.maxSeq(), messages.get(messages.size() - 1).seq());
            inboxes.put(user, new InboxState(user, messages.get(messages.size() - 1).epoch(), maxSeq,
                    before.firstSeq() == 0 ? messages.get(0).seq() : before.firstSeq()));
            for (ServerDevice d : devicesByUser.getOrDefault(user, List.of())) {
                d.driver.feed(new Event.MessagesAppended(runtime.nanoTime(), runtime.nextRandom(), messages, maxSeq));
            }
        });
    }

    private static final class PendingAppend {
        final ServerSession session;
        final Submission submission;
        boolean done;
        Throwable error;
        Accepted accepted;

        PendingAppend(ServerSession session, Submission submission) {
            this.session = session;
            this.submission = submission;
        }
    }

    // ---------------------------------------------------------------- devices

    /**
     * The device's state in memory, loaded with what the store keeps of it if it is not in memory yet.
     *
     * @param kept what the store keeps of the device, read off the context with the hello
     */
    private ServerDevice device(Principal principal, DeviceState kept) {
        ServerDevice d = devices.get(principal);
        if (d == null) {
            d = new ServerDevice(principal, runtime, store, strategy, options, metrics, unconfirmed, this::forget,
                    config.deviceIdleEviction().toNanos(), kept);
            devices.put(principal, d);
            devicesByUser.computeIfAbsent(principal.user(), k -> new ArrayList<>()).add(d);
        }
        return d;
    }

    private void forget(ServerDevice d) {
        devices.remove(d.principal);
        List<ServerDevice> list = devicesByUser.get(d.principal.user());
        if (list != null) {
            list.remove(d);
            if (list.isEmpty()) {
                devicesByUser.remove(d.principal.user());
                inboxes.remove(d.principal.user());
            }
        }
    }

    // ---------------------------------------------------------------- sessions

    /** One connection, from accept to close. */
    final class ServerSession {
        final FrameChannel channel;
        final long id;
        Principal principal;
        ServerDevice device;
        State state = State.AWAITING_HELLO;
        long lastHeard;
        int pendingSends;
        EngineRuntime.Cancellable timer;

        ServerSession(FrameChannel channel, long id) {
            this.channel = channel;
            this.id = id;
        }

        boolean active() {
            return state == State.ACTIVE;
        }

        String describe() {
            return "session " + id + (principal == null ? "" : " of " + principal) + " (" + channel.describe() + ")";
        }

        void opened() {
            lastHeard = runtime.nanoTime();
            if (closed) {
                channel.close(new ErrorFrame(ErrorFrame.Code.UNAVAILABLE, "the server is shutting down; reconnect later"));
                state = State.CLOSED;
                return;
            }
            timer = runtime.schedule(config.helloTimeout().toNanos(), () -> {
                if (state == State.AWAITING_HELLO) {
                    close(ErrorFrame.Code.NOT_ALLOWED, "no hello within " + config.helloTimeout().toSeconds() + " s");
                }
            });
        }

        void onFrame(Frame frame) {
            if (state == State.CLOSED) {
                return;
            }
            lastHeard = runtime.nanoTime();
            if (state == State.AWAITING_HELLO || state == State.AUTHENTICATING) {
                if (frame instanceof Hello h && state == State.AWAITING_HELLO) {
                    hello(h);
                } else {
                    close(ErrorFrame.Code.NOT_ALLOWED, "the first frame must be a hello, got " + frame.type());
                }
                return;
            }
            if (frame instanceof Send s) {
                submit(this, s);
            } else if (frame instanceof Ack || frame instanceof AckUpTo) {
                device.driver.feed(new Event.FrameArrived(runtime.nanoTime(), runtime.nextRandom(), frame));
            } else if (frame instanceof Pull) {
                metrics.pulls.increment();
                device.driver.feed(new Event.FrameArrived(runtime.nanoTime(), runtime.nextRandom(), frame));
            } else if (frame instanceof Ping p) {
                InboxState inbox = inbox(principal.user());
                channel.send(new Pong(p.nonce(), inbox.epoch(), inbox.maxSeq()));
            } else if (frame instanceof Pong) {
                // Liveness only: lastHeard is updated above.
            } else if (frame instanceof Bye) {
                close(null, null);
            } else {
                close(ErrorFrame.Code.NOT_ALLOWED, "a device may not send " + frame.type() + " frames");
            }
        }

        private void hello(Hello hello) {
            if (hello.protocolVersion() != Frame.PROTOCOL_VERSION) {
                close(ErrorFrame.Code.UNSUPPORTED_VERSION, "this server speaks protocol version " + Frame.PROTOCOL_VERSION
                        + ", the device " + hello.protocolVersion());
                return;
            }
            Principal who;
            try {
                who = authenticator.authenticate(hello.token(), runtime.currentTimeMillis());
            } catch (AuthenticationException e) {
                close(ErrorFrame.Code.AUTH_FAILED, e.getMessage());
                return;
            }
            if (!who.user().equals(hello.user()) || !who.device().equals(hello.device())) {
                close(ErrorFrame.Code.AUTH_FAILED, "the token is for " + who + " but the device is "
                        + hello.user() + "/" + hello.device() + "; use a token made for this user and device");
                return;
            }
            if (!hello.strategies().contains(strategy.name())) {
                close(ErrorFrame.Code.NO_COMMON_STRATEGY, "this server runs strategy " + strategy.name()
                        + "; the device offered " + String.join(", ", hello.strategies()));
                return;
            }
            principal = who;
            state = State.AUTHENTICATING;
            // The epoch check reads the store: off the context.
            runtime.blocking().execute(() -> {
                CompletionStage<Continuation> c;
                try {
                    c = continuation(who, hello);
                } catch (RuntimeException e) {
                    c = CompletableFuture.completedFuture(Continuation.failed(e));
                }
                c.whenComplete((result, error) -> runtime.execute(() -> welcome(hello, error == null ? result
                        : Continuation.failed(new IllegalStateException("starting a new epoch failed", error)))));
            });
        }

        private void welcome(Hello hello, Continuation c) {
            if (state != State.AUTHENTICATING) {
                return;
            }
            if (c.error != null) {
                LOG.log(Level.WARNING, "hello of " + principal + " failed", c.error);
                close(ErrorFrame.Code.INTERNAL, "the server could not read its store; try again later");
                return;
            }
            inboxes.put(principal.user(), c.inbox);
            ServerDevice d = device(principal, c.kept);
            if (d.session != null && d.session != this) {
                ServerSession older = d.session;
                older.close(ErrorFrame.Code.SESSION_REPLACED, "a newer session of device " + principal.device()
                        + " connected; this one is closed");
            }
            device = d;
            state = State.ACTIVE;
            sessionCount.incrementAndGet();
            if (timer != null) {
                timer.cancel();
            }
            scheduleLiveness();
            channel.send(new Welcome(Frame.PROTOCOL_VERSION, strategy.name(), principal.user(), principal.device(),
                    c.inbox.epoch(), c.cursor, c.inbox.maxSeq(), config.heartbeat().toMillis()));
            d.attach(this, c.inbox.epoch(), c.cursor, c.inbox.maxSeq());
        }

        private void scheduleLiveness() {
            long interval = config.heartbeat().toNanos();
            timer = runtime.schedule(interval, () -> {
                if (state != State.ACTIVE) {
                    return;
                }
                if (runtime.nanoTime() - lastHeard > 3 * interval) {
                    close(null, "no frame for three heartbeat intervals (half-open connection?)");
                } else {
                    scheduleLiveness();
                }
            });
        }

        void close(ErrorFrame.Code code, String reason) {
            if (state == State.CLOSED) {
                return;
            }
            channel.close(code == null ? null : new ErrorFrame(code, reason));
            onClosed(reason == null ? "closed by the server" : reason);
        }

        void onClosed(String reason) {
            if (state == State.CLOSED) {
                return;
            }
            boolean wasActive = state == State.ACTIVE;
            state = State.CLOSED;
            if (timer != null) {
                timer.cancel();
            }
            if (wasActive) {
                sessionCount.decrementAndGet();
                device.detach(this, reason);
            }
        }
    }

    enum State { AWAITING_HELLO, AUTHENTICATING, ACTIVE, CLOSED }

    /**
     * Where a device continues: its cursor, in the current or a new epoch (G10), and what the store keeps
     * of the device (its confirmed watermark), which its strategy half starts from.
     */
    private record Continuation(InboxState inbox, long cursor, DeviceState kept, RuntimeException error) {
        static Continuation failed(RuntimeException error) {
            return new Continuation(null, 0, null, error);
        }
    }

    /**
     * Checks the device's cursor against the user's sequence. A cursor beyond the max seq, or
     * naming another message than the one stored there, means the server's sequence was
     * regenerated or rolled back: a new epoch starts above everything the device has, and the
     * device continues from its own cursor in it.
     */
    private CompletionStage<Continuation> continuation(Principal who, Hello hello) {
        String user = who.user();
        DeviceState kept = store.device(user, who.device())
                .orElse(new DeviceState(user, who.device(), 0, 0, 0));
        InboxState inbox = store.inbox(user);
        if (hello.cursor() == 0) {
            return CompletableFuture.completedFuture(new Continuation(inbox, 0, kept, null));
        }
        if (hello.cursor() <= inbox.maxSeq()) {
            List<Message> at = store.read(user, hello.cursor(), 1);
            boolean same = !at.isEmpty() && at.get(0).seq() == hello.cursor() && at.get(0).id().equals(hello.idAtCursor());
            if (same) {
                return CompletableFuture.completedFuture(new Continuation(inbox, hello.cursor(), kept, null));
            }
            if (at.isEmpty() || at.get(0).seq() != hello.cursor()) {
                // Trimmed below the first held seq: the device is simply ahead of what is kept.
                Optional<Message> byId = findById(hello.idAtCursor());
                if (byId.isPresent() && byId.get().recipient().equals(user) && byId.get().seq() == hello.cursor()) {
                    return CompletableFuture.completedFuture(new Continuation(inbox, hello.cursor(), kept, null));
                }
            }
        }
        LOG.warning("device cursor " + hello.cursor() + " (" + hello.idAtCursor() + ") of user " + user
                + " does not match the server's sequence (epoch " + inbox.epoch() + ", max seq " + inbox.maxSeq()
                + "); starting a new epoch");
        return store.startEpoch(user, Math.max(inbox.maxSeq(), hello.cursor()))
                .thenApply(next -> new Continuation(next, hello.cursor(), kept, null));
    }

    private Optional<Message> findById(String id) {
        int slash = id.indexOf('/');
        if (slash <= 0) {
            return Optional.empty();
        }
        try {
            return store.findBySender(id.substring(0, slash), id.substring(slash + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
