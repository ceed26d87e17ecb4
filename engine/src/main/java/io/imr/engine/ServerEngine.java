package io.imr.engine;

import io.imr.api.store.DeviceState;
import io.imr.api.store.ServerStore;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.StrategyOptions;
import io.imr.engine.auth.Authenticator;
import io.imr.engine.auth.Principal;
import io.imr.engine.internal.InboundGate;
import io.imr.engine.metrics.EngineMetrics;
import io.imr.engine.metrics.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
        this.metrics = new EngineMetrics(registry, MetricNames.SIDE_SERVER, strategy.name());
        metrics.gauge(MetricNames.SESSIONS, sessionCount::get);
        metrics.gauge(MetricNames.UNCONFIRMED, unconfirmed::get);
        this.appends = new AppendPipeline(config.maxPendingSends(), store, runtime, metrics,
                user -> devicesByUser.getOrDefault(user, List.of()));
        this.shared = new ServerSession.Shared(config, runtime, metrics, authenticator, strategy.name(), store,
                appends, this::device, sessionCount, () -> closed);
        this.inbound = new InboundGate(runtime, InboundGate.Limits.quarters(config.inboundFrames(),
                config.inboundEngineFrames(), config.inboundSends())).register(metrics);
        this.retention = new InboxRetention(store, runtime, metrics, config, this::connectedDevices);
        runtime.execute(retention::start);
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
        // Back-pressure (G7): the gate pauses the connection's reading while too much of its work waits here.
        InboundGate.Gated gated = inbound.open(channel);
        ServerSession session = new ServerSession(gated.channel(), nextSessionId.incrementAndGet(), shared);
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
                    config.deviceIdleEviction().toNanos(), kept, retention::confirmed);
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
