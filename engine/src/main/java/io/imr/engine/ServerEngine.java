package io.imr.engine;

import io.imr.api.Names;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.ServerStore;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.StrategyOptions;
import io.imr.engine.auth.Authenticator;
import io.imr.engine.auth.Principal;
import io.imr.engine.internal.InboundGate;
import io.imr.engine.internal.StoreCommits;
import io.imr.engine.metrics.EngineMetrics;
import io.imr.engine.metrics.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server side of imr: sessions, authentication, the idempotent send path with seq assignment
 * in the store's commit (G6), and one strategy server half per device, driven with the store.
 *
 * <p>This class is the public face and the wiring: it builds the {@link AppendPipeline} (the send
 * path), a {@link ServerSession} per connection (which asks {@link EpochResolution} where its device
 * continues), and keeps the {@link ServerDevice}s in memory. It owns which devices are in memory and
 * whether the engine is closed; it may not touch a session's state, a device's half or the store.
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
    private final EngineRuntime runtime;
    private final EngineMetrics metrics;
    private final AppendPipeline appends;
    private final ServerSession.Shared shared;
    private final InboundGate inbound;
    private final InboxRetention retention;
    private final Revocations revocations = new Revocations();
    private final AddressLimit addresses;
    /** How long a connection refused for its address is told to wait before it tries again. */
    static final long CONNECTIONS_RETRY_MILLIS = 5_000;

    /** The handler of a connection a limit closed at once: nothing of it is read, and it was never counted in. */
    private static final ConnectionHandler NOT_LET_IN = new ConnectionHandler() {
        @Override
        public void onFrame(io.imr.api.frame.Frame frame) {
        }

        @Override
        public void onClosed(String reason) {
        }
    };

    private final Map<Principal, ServerDevice> devices = new HashMap<>();
    private final Map<String, List<ServerDevice>> devicesByUser = new HashMap<>();
    private final AtomicInteger sessionCount = new AtomicInteger();
    private final AtomicLong unconfirmed = new AtomicLong();
    private final AtomicLong nextSessionId = new AtomicLong();
    private boolean closed;

    /**
     * @param strategy the strategy this server runs; devices must offer its name
     * @param options  its options, validated here
     * @throws io.imr.api.option.InvalidOptionException for a bad option
     */
    public ServerEngine(ServerEngineConfig config, ServerStore store, ReliabilityStrategyProvider strategy,
                        StrategyOptions options, Authenticator authenticator, EngineRuntime runtime,
                        MeterRegistry registry) {
        this.config = config;
        this.store = store;
        this.strategy = strategy;
        this.options = options;
        strategy.validate(options);
        this.runtime = runtime;
        this.addresses = new AddressLimit(config.maxConnectionsPerAddress(), config.connectionRate());
        this.metrics = new EngineMetrics(registry, MetricNames.SIDE_SERVER, strategy.name());
        metrics.gauge(MetricNames.SESSIONS, sessionCount::get);
        metrics.gauge(MetricNames.UNCONFIRMED, unconfirmed::get);
        this.appends = new AppendPipeline(config.maxPendingSends(), config.payloadLimit(), store, runtime, metrics,
                user -> devicesByUser.getOrDefault(user, List.of()));
        this.shared = new ServerSession.Shared(config, runtime, metrics, authenticator, strategy.name(), store,
                appends, this::device, sessionCount, () -> closed, revocations, this::otherSessions);
        this.inbound = new InboundGate(runtime, InboundGate.Limits.quarters(config.inboundFrames(),
                config.inboundEngineFrames(), config.inboundSends())).register(metrics);
        this.retention = new InboxRetention(store, runtime, metrics, config, this::connectedDevices);
        runtime.execute(retention::start);
    }

    /** Sessions of the user's devices up now, but the one of {@code device}. On the context. */
    private int otherSessions(String user, String device) {
        int n = 0;
        for (ServerDevice d : devicesByUser.getOrDefault(user, List.of())) {
            if (d.session != null && !d.principal.device().equals(device)) {
                n++;
            }
        }
        return n;
    }

    /** The devices of a user with a session up. */
    private java.util.Set<String> connectedDevices(String user) {
        java.util.Set<String> up = new java.util.HashSet<>();
        for (ServerDevice d : devicesByUser.getOrDefault(user, List.of())) {
            if (d.session != null) {
                up.add(d.principal.device());
            }
        }
        return up;
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
        String host = channel.peerHost();
        long wait = addresses.admit(host, runtime.nanoTime());
        if (wait > 0) {
            metrics.limited(MetricNames.LIMITED_CONNECTION_RATE, 1);
            channel.close(new ErrorFrame(ErrorFrame.Code.RATE_LIMITED, "too many new connections from this address:"
                    + " this server takes at most " + config.connectionRate() + " a second from one; try again later",
                    "", Math.max(1, (wait + 999_999) / 1_000_000)));
            return NOT_LET_IN;
        }
        if (!addresses.enter(host)) {
            metrics.limited(MetricNames.LIMITED_CONNECTIONS, 1);
            channel.close(new ErrorFrame(ErrorFrame.Code.RATE_LIMITED, "this address has "
                    + config.maxConnectionsPerAddress() + " connections open, the most this server allows; close one,"
                    + " or try again later", "", CONNECTIONS_RETRY_MILLIS));
            return NOT_LET_IN;
        }
        // Back-pressure (G7): the gate pauses the connection's reading while too much of its work waits here.
        InboundGate.Gated gated = inbound.open(channel);
        ServerSession session = new ServerSession(gated.channel(), nextSessionId.incrementAndGet(), shared);
        runtime.execute(session::opened);
        return gated.handler(session::onFrame, reason -> {
            addresses.leave(host);
            session.onClosed(reason);
        });
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
            retention.close();
            for (ServerDevice d : new ArrayList<>(devices.values())) {
                if (d.session != null) {
                    d.session.channel.close(null);
                }
                d.driver.stop();
            }
            done.complete(null);
        });
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.WARNING, "server engine did not stop within 5 s", e);
        }
    }

    // ---------------------------------------------------------------- revocation and deletion

    /**
     * Revokes a device (a lost phone): its tokens minted until now are refused from now on, its session is
     * closed with {@code AUTH_FAILED}, and retention counts it as retired at once (until it is seen again with a
     * token minted later): it holds its user's inbox back no longer than a user with no device. The user's other devices are untouched. Call from any thread.
     *
     * @return completes once the revocation is durable in the store; exceptionally, with the store's error, when
     * it could not be written (it holds in memory until this server stops, and may be repeated)
     * @throws IllegalArgumentException for a user or device name that is not valid
     */
    public CompletionStage<Void> revoke(String user, String device) {
        Principal p = new Principal(Names.principal("user", user), Names.principal("device", device));
        CompletableFuture<Void> done = new CompletableFuture<>();
        runtime.execute(() -> {
            long before = revokeHere(p);
            StoreCommits.submit(runtime, () -> store.commit(ServerCommit.device(tombstone(user, device, before))),
                    (ok, error) -> finish(done, error, "revoked device " + p));
        });
        return done;
    }

    /**
     * Revokes every device of a user, those never seen included ("sign out everywhere"): every token of the user
     * minted until now is refused, every session of the user is closed; the store keeps the time in the user's
     * {@link DeviceState#ALL_DEVICES} record. Call from any thread.
     *
     * @return completes once durable, as {@link #revoke}
     */
    public CompletionStage<Void> revokeUser(String user) {
        Names.principal("user", user);
        CompletableFuture<Void> done = new CompletableFuture<>();
        runtime.execute(() -> {
            long before = revokeUserHere(user);
            StoreCommits.submit(runtime, () -> store.commit(ServerCommit.device(
                    tombstone(user, DeviceState.ALL_DEVICES, before))),
                    (ok, error) -> finish(done, error, "revoked every device of user " + user));
        });
        return done;
    }

    /**
     * Deletes a whole user: every device of the user is revoked ({@link #revokeUser}) and every message of the
     * user's inbox is removed from the store. Kept: the inbox's numbering (epoch and highest seq, so that a seq
     * is never given twice), what the dedup index knows of the messages (sender, client id, seq: no payload,
     * G6), and one record per device saying since when its tokens are refused. Messages the user sent stay in
     * their recipients' inboxes; a message sent to the user after this is stored as for any user. Call from
     * any thread.
     *
     * @return the number of messages removed, once the deletion is durable
     */
    public CompletionStage<Long> deleteUser(String user) {
        Names.principal("user", user);
        CompletableFuture<Long> done = new CompletableFuture<>();
        runtime.execute(() -> {
            revokeUserHere(user);
            runtime.blocking().execute(() -> {
                List<DeviceState> known;
                InboxState inbox;
                try {
                    known = store.devices(user);
                    inbox = store.inbox(user);
                } catch (RuntimeException e) {
                    runtime.execute(() -> finish(done, e, "deleted user " + user));
                    return;
                }
                runtime.execute(() -> deleteKnown(user, known, inbox, done));
            });
        });
        return done;
    }

    private void deleteKnown(String user, List<DeviceState> known, InboxState inbox, CompletableFuture<Long> done) {
        List<DeviceState> tombstones = new ArrayList<>();
        // The user's record refuses every token minted until now; each known device's says it too, so that
        // retention counts it retired.
        tombstones.add(tombstone(user, DeviceState.ALL_DEVICES, revokeUserHere(user)));
        for (DeviceState d : known) {
            if (!DeviceState.ALL_DEVICES.equals(d.device())) {
                Principal p = new Principal(user, d.device());
                tombstones.add(tombstone(user, d.device(), revokeHere(p)));
            }
        }
        for (ServerDevice d : devicesByUser.getOrDefault(user, List.of())) {
            if (known.stream().noneMatch(k -> k.device().equals(d.principal.device()))) {
                tombstones.add(tombstone(user, d.principal.device(), revokeHere(d.principal)));
            }
        }
        StoreCommits.submit(runtime, () -> store.commit(new ServerCommit(List.of(), tombstones)), (ok, error) -> {
            if (error != null) {
                finish(done, error, "deleted user " + user);
                return;
            }
            StoreCommits.submit(runtime, () -> store.trim(user, inbox.maxSeq() + 1), (after, trimError) -> {
                if (trimError == null) {
                    long removed = Math.max(0, after.firstSeq() - inbox.firstSeq());
                    metrics.trimmed(removed);
                    done.complete(removed);
                    LOG.info("deleted user " + user + ": " + removed + " messages removed, every device revoked");
                } else {
                    finish(done, trimError, "deleted user " + user);
                }
            });
        });
    }

    /** On the context: refuses the device's tokens minted until now, closes its session; the time it revokes before. */
    private long revokeHere(Principal p) {
        ServerDevice d = devices.get(p);
        if (d != null && d.session != null) {
            // Closing records when the device was last seen; the revocation comes after it.
            d.session.close(ErrorFrame.Code.AUTH_FAILED, ServerSession.REVOKED_MESSAGE);
        }
        long before = runtime.currentTimeMillis() + 1;
        revocations.revoke(p, before);
        return before;
    }

    /** On the context: refuses the user's tokens minted until now, closes its sessions; the time it revokes before. */
    private long revokeUserHere(String user) {
        for (ServerDevice d : List.copyOf(devicesByUser.getOrDefault(user, List.of()))) {
            revokeHere(d.principal);
        }
        long before = runtime.currentTimeMillis() + 1;
        revocations.revokeUser(user, before);
        return before;
    }

    /** A device's record saying only since when its tokens are refused (a store keeps its watermark as it was). */
    private static DeviceState tombstone(String user, String device, long revokedBefore) {
        return new DeviceState(user, device, 0, 0, 0, 0, revokedBefore);
    }

    private static <T> void finish(CompletableFuture<T> done, Throwable error, String what) {
        if (error == null) {
            LOG.info(what);
            done.complete(null);
        } else {
            LOG.warning(what + " failed: " + error);
            done.completeExceptionally(error);
        }
    }

    // ---------------------------------------------------------------- devices in memory

    /**
     * The device's state in memory, loaded with what the store keeps of it if it is not in memory yet.
     *
     * @param kept what the store keeps of the device, read off the context with the hello
     */
    private ServerDevice device(Principal principal, DeviceState kept) {
        ServerDevice d = devices.get(principal);
        if (d == null) {
            d = new ServerDevice(principal, runtime, store, strategy, options, metrics, unconfirmed, this::forget,
                    config.deviceIdleEviction().toNanos(), kept, retention::confirmed,
                    new DeviceLimits(config, runtime.nanoTime()));
            devices.put(principal, d);
            appends.watch(principal.user());
            devicesByUser.computeIfAbsent(principal.user(), k -> new ArrayList<>()).add(d);
        }
        return d;
    }

    private void forget(ServerDevice d) {
        if (!devices.remove(d.principal, d)) {
            return;
        }
        appends.unwatch(d.principal.user());
        List<ServerDevice> list = devicesByUser.get(d.principal.user());
        list.remove(d);
        if (list.isEmpty()) {
            devicesByUser.remove(d.principal.user());
        }
    }
}
