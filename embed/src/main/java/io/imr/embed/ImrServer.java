package io.imr.embed;

import io.imr.api.option.InvalidOptionException;
import io.imr.api.store.ServerStore;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.PerStrategyOptions;
import io.imr.api.strategy.StrategyOptions;
import io.imr.api.strategy.StrategyRegistry;
import io.imr.engine.ServerEngine;
import io.imr.engine.ServerEngineConfig;
import io.imr.engine.ThreadedRuntime;
import io.imr.engine.auth.Authenticator;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.SecretFile;
import io.imr.engine.metrics.MetricNames;
import io.imr.store.mapdb.MapDbServerStore;
import io.imr.transport.vertx.BackPressure;
import io.imr.transport.vertx.Tls;
import io.imr.transport.vertx.VertxServerTransport;
import io.imr.wire.FrameCodec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * An imr server embedded in a Java program: the engine, a strategy chosen by name, a store, the
 * Vert.x transport (TCP and optionally WebSocket), token authentication and meters.
 *
 * <pre>{@code
 * ImrServer server = ImrServer.builder()
 *         .dataDir(Path.of("server-data"))      // a MapDB store; or .store(yourStore)
 *         .strategy("ack")
 *         .tcp(new HostPort("127.0.0.1", 7000))
 *         .build();
 * server.start().toCompletableFuture().join();
 * ...
 * server.close().toCompletableFuture().join();
 * }</pre>
 */
public final class ImrServer {

    // Copied from the builder at build(): a later change to the builder changes no server built from it.
    private final Path dataDir;
    private final ServerStore givenStore;
    private final String strategy;
    private final PerStrategyOptions options;
    private final StrategyRegistry strategies;
    private final MeterRegistry givenMeterRegistry;
    private final HostPort tcp;
    private final HostPort webSocket;
    private final HostPort metrics;
    private final HostPort admin;
    private final Duration keyGrace;
    private final Duration keyReload;
    private final Path secretFile;
    private final Path tlsCert;
    private final Path tlsKey;
    private final Authenticator authenticator;
    private final ServerEngineConfig engineConfig;
    private final int maxFrameBytes;
    private final BackPressure backPressure;
    private final Vertx givenVertx;

    private Vertx vertx;
    private boolean ownVertx;
    private ServerStore store;
    private boolean ownStore;
    /** Counts the syncs of the store this server opened; null for a store of the caller's. */
    private StoreSyncsMeter.Registration storeSyncs;
    private ThreadedRuntime runtime;
    private ServerEngine engine;
    private VertxServerTransport transport;
    private MetricsEndpoint metricsEndpoint;
    private AdminEndpoint adminEndpoint;
    private KeyReloader keyReloader;
    private InetSocketAddress adminAddress;
    private InetSocketAddress tcpAddress;
    private InetSocketAddress webSocketAddress;
    private InetSocketAddress metricsAddress;
    private MeterRegistry registry;

    private ImrServer(Builder b, StrategyRegistry strategies, ServerEngineConfig engineConfig,
                      BackPressure backPressure) {
        this.dataDir = b.dataDir;
        this.givenStore = b.store;
        this.strategy = b.strategy;
        this.options = b.options;
        this.strategies = strategies;
        this.givenMeterRegistry = b.meterRegistry;
        this.tcp = b.tcp;
        this.webSocket = b.webSocket;
        this.metrics = b.metrics;
        this.admin = b.admin;
        this.keyGrace = b.keyGrace;
        this.keyReload = b.keyReload;
        this.secretFile = b.secretFile;
        this.tlsCert = b.tlsCert;
        this.tlsKey = b.tlsKey;
        this.authenticator = b.authenticator;
        this.engineConfig = engineConfig;
        this.maxFrameBytes = b.maxFrameBytes;
        this.backPressure = backPressure;
        this.givenVertx = b.vertx;
    }

    /** The strategy a server runs unless told otherwise. */
    public static final String DEFAULT_STRATEGY = "hybrid";

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens the store, binds the addresses and starts accepting devices.
     *
     * @return completes with this server once it accepts connections; fails with
     *         {@link StrategyRegistry.UnknownStrategyException} (listing the names available), a
     *         store error (for example {@link io.imr.api.store.StoreException.LockedException}), or a
     *         bind error
     */
    public synchronized CompletionStage<ImrServer> start() {
        try {
            ReliabilityStrategyProvider provider = strategies.get(strategy);
            options.validate(strategies, List.of(strategy));
            StrategyOptions strategyOptions = options.forStrategy(strategy);
            Authenticator auth = authenticator;
            Path keyFile = null;
            if (auth == null) {
                keyFile = secretFile != null ? secretFile : dataDir.resolve("secret");
                auth = new HmacTokens(SecretFile.readOrCreate(keyFile), keyGrace);
            }
            if (admin != null && !(auth instanceof HmacTokens)) {
                throw new ConfigException("the admin endpoint checks administrators' tokens made from the key file;"
                        + " it cannot run with an authenticator of the caller's");
            }
            registry = givenMeterRegistry != null ? givenMeterRegistry : new SimpleMeterRegistry();
            PrometheusMeterRegistry prometheus = null;
            if (metrics != null) {
                prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                CompositeMeterRegistry composite = new CompositeMeterRegistry();
                composite.add(registry);
                composite.add(prometheus);
                registry = composite;
            }
            if (givenStore != null) {
                store = givenStore;
            } else {
                MapDbServerStore own = MapDbServerStore.open(dataDir);
                store = own;
                ownStore = true;
                storeSyncs = StoreSyncsMeter.register(registry, MetricNames.SIDE_SERVER, own);
            }
            vertx = givenVertx != null ? givenVertx : Vertx.vertx();
            ownVertx = givenVertx == null;
            runtime = new ThreadedRuntime("server");
            engine = new ServerEngine(engineConfig, store, provider, strategyOptions, auth, runtime, registry);
            FrameCodec codec = new FrameCodec(maxFrameBytes);
            transport = new VertxServerTransport(vertx, codec, engine::accept, engine.metrics()::frameBytes,
                    backPressure);
            transport.stats().register(registry, MetricNames.SIDE_SERVER);
            // A connection to the WebSocket port has the hello timeout to become a WebSocket, then again for its hello.
            transport.upgradeTimeout(engineConfig.helloTimeout());
            Tls.Server tls = tlsCert == null ? null : new Tls.Server(tlsCert, tlsKey);
            if (tls != null) {
                transport.tls(tls);
            }
            if (keyFile != null) {
                keyReloader = new KeyReloader(vertx, keyFile, (HmacTokens) auth);
                keyReloader.start(keyReload);
            }
            Future<InetSocketAddress> tcpBound = transport.listenTcp(tcp.host(), tcp.port())
                    .onSuccess(a -> tcpAddress = a);
            Future<InetSocketAddress> ws = webSocket == null ? Future.succeededFuture()
                    : transport.listenWebSocket(webSocket.host(), webSocket.port()).onSuccess(a -> webSocketAddress = a);
            Future<InetSocketAddress> metricsBound = Future.succeededFuture();
            if (prometheus != null) {
                metricsEndpoint = new MetricsEndpoint(vertx, prometheus);
                metricsBound = metricsEndpoint.listen(metrics).onSuccess(a -> metricsAddress = a);
            }
            Future<InetSocketAddress> adminBound = Future.succeededFuture();
            if (admin != null) {
                adminEndpoint = new AdminEndpoint(vertx, engine, (HmacTokens) auth, tls);
                adminBound = adminEndpoint.listen(admin).onSuccess(a -> adminAddress = a);
            }
            CompletableFuture<ImrServer> started = new CompletableFuture<>();
            Future.all(List.of(tcpBound, ws, metricsBound, adminBound)).onComplete(ar -> {
                if (ar.succeeded()) {
                    started.complete(this);
                } else {
                    close().whenComplete((v, e) -> started.completeExceptionally(ar.cause()));
                }
            });
            return started;
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new ConfigException("the token secret could not be read or made: "
                    + e.getMessage()));
        } catch (RuntimeException e) {
            close();
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The bound admin address ({@link Builder#admin}); null before start or without one. */
    public InetSocketAddress adminAddress() {
        return adminAddress;
    }

    /**
     * Revokes a device (a lost phone): its tokens minted until now are refused, its session is closed with
     * {@code AUTH_FAILED}, the user's other devices are untouched. Durable once the stage completes.
     *
     * @throws IllegalStateException before start
     */
    public CompletionStage<Void> revoke(String user, String device) {
        return running().revoke(user, device);
    }

    /**
     * Revokes every device of a user, those never seen included ("sign out everywhere"). Durable once the stage
     * completes.
     *
     * @throws IllegalStateException before start
     */
    public CompletionStage<Void> revokeUser(String user) {
        return running().revokeUser(user);
    }

    /**
     * Deletes a user: every device revoked, every message of the user's inbox removed (see docs/security.md for
     * what is kept). Durable once the stage completes.
     *
     * @return the number of messages removed
     * @throws IllegalStateException before start
     */
    public CompletionStage<Long> deleteUser(String user) {
        return running().deleteUser(user);
    }

    /**
     * Reads the key file again now if it changed (the server also looks every {@code imr.server.key-reload}).
     * Blocks on the file: not from an event loop.
     */
    public void reloadKeys() {
        if (keyReloader != null) {
            keyReloader.check();
        }
    }

    private synchronized ServerEngine running() {
        if (engine == null) {
            throw new IllegalStateException("the server is not started");
        }
        return engine;
    }

    /** The bound TCP address (with the real port when 0 was asked); null before start. */
    public InetSocketAddress tcpAddress() {
        return tcpAddress;
    }

    /** The bound WebSocket address, or null. */
    public InetSocketAddress webSocketAddress() {
        return webSocketAddress;
    }

    /** The bound metrics address, or null. */
    public InetSocketAddress metricsAddress() {
        return metricsAddress;
    }

    /**
     * The meters of this server: the engine's, the transport's, and {@link MetricNames#STORE_SYNCS}
     * when it opened its store from {@link Builder#dataDir} (not for a store of the caller's).
     */
    public MeterRegistry meterRegistry() {
        return registry;
    }

    /** The strategy this server runs. */
    public String strategy() {
        return strategy;
    }

    /** The engine's settings, as they were when the server was built. */
    public ServerEngineConfig engineConfig() {
        return engineConfig;
    }

    /** The largest frame accepted, as it was when the server was built. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** What each connection may queue for its device, as it was when the server was built. */
    public BackPressure backPressure() {
        return backPressure;
    }

    /** The store this server runs on (null before {@link #start()}), for reading what it keeps. */
    public ServerStore store() {
        return store;
    }

    /** Sessions up now. */
    public int sessions() {
        return engine == null ? 0 : engine.sessions();
    }

    /**
     * Stops accepting, says bye to every session, then closes the store (if it opened it) and
     * Vert.x (if it made it). Commits already queued complete first.
     */
    public synchronized CompletionStage<Void> close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Future<Void> stopping = transport == null ? Future.succeededFuture() : transport.stop();
        Future<Void> metricsStopping = metricsEndpoint == null ? Future.succeededFuture() : metricsEndpoint.close();
        Future<Void> adminStopping = adminEndpoint == null ? Future.succeededFuture() : adminEndpoint.close();
        if (keyReloader != null) {
            keyReloader.stop();
        }
        Future.all(stopping, metricsStopping, adminStopping).onComplete(ar -> new Thread(() -> {
            try {
                if (engine != null) {
                    engine.close();
                }
                if (runtime != null) {
                    runtime.close();
                }
                if (ownStore && store != null) {
                    try {
                        store.close();
                    } finally {
                        if (storeSyncs != null) {
                            storeSyncs.storeClosed();
                        }
                    }
                }
                if (ownVertx && vertx != null) {
                    vertx.close().await();
                }
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        }, "imr-server-close").start());
        return done;
    }

    /**
     * Settings of a server; {@link #build()} checks what it can without opening anything (the options, that a store
     * or a data folder is given), {@link ImrServer#start()} the rest (the strategy, the store, the addresses).
     */
    public static final class Builder {
        private Path dataDir;
        private ServerStore store;
        private String strategy = DEFAULT_STRATEGY;
        private PerStrategyOptions options = PerStrategyOptions.none();
        /** Null: {@link StrategyRegistry#load()} at build. */
        private StrategyRegistry registry;
        private MeterRegistry meterRegistry;
        private HostPort tcp = new HostPort("127.0.0.1", 0);
        private HostPort webSocket;
        private HostPort metrics;
        private HostPort admin;
        private Duration keyGrace = AuthOptions.KEY_GRACE.defaultValue();
        private Duration keyReload = AuthOptions.KEY_RELOAD.defaultValue();
        private Path secretFile;
        private Path tlsCert;
        private Path tlsKey;
        private Authenticator authenticator;
        private ServerEngineConfig.Builder engine = ServerEngineConfig.builder();
        private int maxFrameBytes = WireOptions.MAX_FRAME_BYTES.defaultInt();
        private int writeHighWater = TransportOptions.WRITE_HIGH_WATER.defaultInt();
        private int writeLimit = TransportOptions.WRITE_LIMIT.defaultInt();
        private int socketBuffer = TransportOptions.SOCKET_BUFFER.defaultInt();
        private int frameRate = TransportOptions.FRAME_RATE.defaultInt();
        private Vertx vertx;

        private Builder() {
        }

        /** Settings from a configuration ({@link ImrConfig}): strategy, addresses, data, secret, heartbeat, limits. */
        public Builder config(ImrConfig c) {
            strategy = c.string(ImrConfig.STRATEGY, strategy);
            options = c.strategyOptions();
            HostPort listen = c.hostPort(ImrConfig.SERVER_LISTEN);
            if (listen != null) {
                tcp = listen;
            }
            webSocket = c.hostPort(ImrConfig.SERVER_WS_LISTEN);
            metrics = c.hostPort(ImrConfig.SERVER_METRICS);
            admin = c.hostPort(ImrConfig.SERVER_ADMIN);
            c.option(ImrConfig.SERVER, AuthOptions.KEY_GRACE).ifPresent(v -> keyGrace = v);
            c.option(ImrConfig.SERVER, AuthOptions.KEY_RELOAD).ifPresent(v -> keyReload = v);
            dataDir = c.path(ImrConfig.SERVER_DATA, dataDir);
            secretFile = c.path(ImrConfig.SERVER_SECRET_FILE, secretFile);
            tlsCert = c.path(ImrConfig.SERVER_TLS_CERT, tlsCert);
            tlsKey = c.path(ImrConfig.SERVER_TLS_KEY, tlsKey);
            c.option(ImrConfig.SERVER, ServerEngineConfig.HEARTBEAT).ifPresent(engine::heartbeat);
            c.option(ImrConfig.SERVER, ServerEngineConfig.HELLO_TIMEOUT).ifPresent(engine::helloTimeout);
            c.option(ImrConfig.SERVER, ServerEngineConfig.MAX_PENDING_SENDS).ifPresent(engine::maxPendingSends);
            c.option(ImrConfig.SERVER, ServerEngineConfig.DEVICE_IDLE_EVICTION).ifPresent(engine::deviceIdleEviction);
            c.option(ImrConfig.SERVER, ServerEngineConfig.INBOUND_FRAMES).ifPresent(engine::inboundFrames);
            c.option(ImrConfig.SERVER, ServerEngineConfig.INBOUND_ENGINE_FRAMES).ifPresent(engine::inboundEngineFrames);
            c.option(ImrConfig.SERVER, ServerEngineConfig.INBOUND_SENDS).ifPresent(engine::inboundSends);
            c.option(ImrConfig.SERVER, ServerEngineConfig.RETIRE_AFTER).ifPresent(engine::retireAfter);
            c.option(ImrConfig.SERVER, ServerEngineConfig.RETENTION_SWEEP).ifPresent(engine::retentionSweep);
            c.option(ImrConfig.SERVER, ServerEngineConfig.MAX_AGE).ifPresent(engine::maxAge);
            c.option(ImrConfig.SERVER, ServerEngineConfig.MAX_COUNT).ifPresent(engine::maxCount);
            c.option(ImrConfig.SERVER, ServerEngineConfig.SEND_RATE).ifPresent(engine::sendRate);
            c.option(ImrConfig.SERVER, ServerEngineConfig.SEND_BURST).ifPresent(engine::sendBurst);
            c.option(ImrConfig.SERVER, ServerEngineConfig.PULL_RATE).ifPresent(engine::pullRate);
            c.option(ImrConfig.SERVER, ServerEngineConfig.MAX_PAYLOAD).ifPresent(engine::maxPayload);
            c.option(ImrConfig.SERVER, ServerEngineConfig.MAX_SESSIONS_PER_USER).ifPresent(engine::maxSessionsPerUser);
            c.option(ImrConfig.SERVER, ServerEngineConfig.MAX_CONNECTIONS_PER_ADDRESS)
                    .ifPresent(engine::maxConnectionsPerAddress);
            c.option(ImrConfig.SERVER, ServerEngineConfig.CONNECTION_RATE).ifPresent(engine::connectionRate);
            c.option(ImrConfig.SERVER, TransportOptions.WRITE_HIGH_WATER).ifPresent(v -> writeHighWater = v);
            c.option(ImrConfig.SERVER, TransportOptions.WRITE_LIMIT).ifPresent(v -> writeLimit = v);
            c.option(ImrConfig.SERVER, TransportOptions.SOCKET_BUFFER).ifPresent(v -> socketBuffer = v);
            c.option(ImrConfig.SERVER, TransportOptions.FRAME_RATE).ifPresent(v -> frameRate = v);
            c.option(ImrConfig.WIRE, WireOptions.MAX_FRAME_BYTES).ifPresent(v -> maxFrameBytes = v);
            return this;
        }

        /** A MapDB store in this folder (made on first use), and the token secret in DIR/secret. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** A store of the caller's; the caller closes it after the server. */
        public Builder store(ServerStore store) {
            this.store = store;
            return this;
        }

        public Builder strategy(String name) {
            this.strategy = name;
            return this;
        }

        /** Options of the strategy this server runs (set it with {@link #strategy} first). */
        public Builder strategyOptions(StrategyOptions options) {
            this.options = this.options.with(strategy, options);
            return this;
        }

        /** Options of any strategy, each in its own namespace; the server uses those of the one it runs. */
        public Builder strategyOptions(PerStrategyOptions options) {
            this.options = options;
            return this;
        }

        /** Where strategies are looked up (default: {@link StrategyRegistry#load()}). */
        public Builder strategies(StrategyRegistry registry) {
            this.registry = registry;
            return this;
        }

        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = registry;
            return this;
        }

        public Builder tcp(HostPort address) {
            this.tcp = address;
            return this;
        }

        public Builder webSocket(HostPort address) {
            this.webSocket = address;
            return this;
        }

        /**
         * Serve the admin endpoint (revoke, delete) on this address, TLS when {@link #tls} is set; its requests need
         * an administrator's token made from the key file ({@code imr admin}). Bind it to a private address.
         */
        public Builder admin(HostPort address) {
            this.admin = address;
            return this;
        }

        /** {@link AuthOptions#KEY_GRACE}: how long a retired key's tokens are still accepted. */
        public Builder keyGrace(Duration grace) {
            AuthOptions.KEY_GRACE.check(grace);
            this.keyGrace = grace;
            return this;
        }

        /** {@link AuthOptions#KEY_RELOAD}: how often the key file is looked at for changes. */
        public Builder keyReload(Duration every) {
            AuthOptions.KEY_RELOAD.check(every);
            this.keyReload = every;
            return this;
        }

        /** Serve Prometheus text at /metrics and the dashboard at / on this address. */
        public Builder metrics(HostPort address) {
            this.metrics = address;
            return this;
        }

        /**
         * Makes the TCP and WebSocket listeners speak TLS with this PEM certificate chain and PEM private key
         * (clients then connect to {@code tls://HOST:PORT} and {@code wss://HOST:PORT/PATH}).
         */
        public Builder tls(Path certificate, Path key) {
            this.tlsCert = certificate;
            this.tlsKey = key;
            return this;
        }

        /** The file holding the token secret (made with a new random secret if missing). */
        public Builder secretFile(Path file) {
            this.secretFile = file;
            return this;
        }

        /** The token secret itself, instead of a file. */
        public Builder secret(byte[] secret) {
            this.authenticator = new HmacTokens(secret);
            return this;
        }

        /** An authenticator of the caller's, instead of HMAC tokens. */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = authenticator;
            return this;
        }

        /** Every engine setting at once (replacing those set one by one before). */
        public Builder engineConfig(ServerEngineConfig config) {
            this.engine = config.toBuilder();
            return this;
        }

        /** {@link ServerEngineConfig#HEARTBEAT}. */
        public Builder heartbeat(Duration interval) {
            engine.heartbeat(interval);
            return this;
        }

        /** {@link ServerEngineConfig#HELLO_TIMEOUT}. */
        public Builder helloTimeout(Duration timeout) {
            engine.helloTimeout(timeout);
            return this;
        }

        /** {@link ServerEngineConfig#MAX_PENDING_SENDS}. */
        public Builder maxPendingSends(int sends) {
            engine.maxPendingSends(sends);
            return this;
        }

        /** {@link ServerEngineConfig#DEVICE_IDLE_EVICTION}. */
        public Builder deviceIdleEviction(Duration eviction) {
            engine.deviceIdleEviction(eviction);
            return this;
        }

        /** {@link ServerEngineConfig#INBOUND_FRAMES}. */
        public Builder inboundFrames(int frames) {
            engine.inboundFrames(frames);
            return this;
        }

        /** {@link ServerEngineConfig#INBOUND_ENGINE_FRAMES}. */
        public Builder inboundEngineFrames(int frames) {
            engine.inboundEngineFrames(frames);
            return this;
        }

        /** {@link ServerEngineConfig#INBOUND_SENDS}. */
        public Builder inboundSends(int sends) {
            engine.inboundSends(sends);
            return this;
        }

        /** {@link ServerEngineConfig#RETIRE_AFTER}. */
        public Builder retireAfter(Duration after) {
            engine.retireAfter(after);
            return this;
        }

        /** {@link ServerEngineConfig#RETENTION_SWEEP}. */
        public Builder retentionSweep(Duration every) {
            engine.retentionSweep(every);
            return this;
        }

        /** {@link ServerEngineConfig#MAX_AGE}: 0 for none. */
        public Builder maxAge(Duration age) {
            engine.maxAge(age);
            return this;
        }

        /** {@link ServerEngineConfig#MAX_COUNT}: 0 for none. */
        public Builder maxCount(int count) {
            engine.maxCount(count);
            return this;
        }

        /** {@link ServerEngineConfig#SEND_RATE}: messages a second per device, 0 for none. */
        public Builder sendRate(int messagesPerSecond) {
            engine.sendRate(messagesPerSecond);
            return this;
        }

        /** {@link ServerEngineConfig#SEND_BURST}. */
        public Builder sendBurst(int messages) {
            engine.sendBurst(messages);
            return this;
        }

        /** {@link ServerEngineConfig#PULL_RATE}: pulls a second per device, 0 for none. */
        public Builder pullRate(int pullsPerSecond) {
            engine.pullRate(pullsPerSecond);
            return this;
        }

        /** {@link ServerEngineConfig#MAX_PAYLOAD}: 0 for the protocol's limit. */
        public Builder maxPayload(int bytes) {
            engine.maxPayload(bytes);
            return this;
        }

        /** {@link ServerEngineConfig#MAX_SESSIONS_PER_USER}: 0 for none. */
        public Builder maxSessionsPerUser(int sessions) {
            engine.maxSessionsPerUser(sessions);
            return this;
        }

        /** {@link ServerEngineConfig#MAX_CONNECTIONS_PER_ADDRESS}: 0 for none. */
        public Builder maxConnectionsPerAddress(int connections) {
            engine.maxConnectionsPerAddress(connections);
            return this;
        }

        /** {@link ServerEngineConfig#CONNECTION_RATE}: 0 for none. */
        public Builder connectionRate(int perSecond) {
            engine.connectionRate(perSecond);
            return this;
        }

        /** {@link WireOptions#MAX_FRAME_BYTES}. */
        public Builder maxFrameBytes(int bytes) {
            this.maxFrameBytes = bytes;
            return this;
        }

        /** {@link TransportOptions#WRITE_HIGH_WATER}. */
        public Builder writeHighWater(int bytes) {
            this.writeHighWater = bytes;
            return this;
        }

        /** {@link TransportOptions#WRITE_LIMIT}. */
        public Builder writeLimit(int bytes) {
            this.writeLimit = bytes;
            return this;
        }

        /** {@link TransportOptions#SOCKET_BUFFER}. */
        public Builder socketBuffer(int bytes) {
            this.socketBuffer = bytes;
            return this;
        }

        /** {@link TransportOptions#FRAME_RATE}: 0 for none. */
        public Builder frameRate(int framesPerSecond) {
            this.frameRate = framesPerSecond;
            return this;
        }

        /** A Vert.x instance of the caller's (default: one of the server's own). */
        public Builder vertx(Vertx vertx) {
            this.vertx = vertx;
            return this;
        }

        /**
         * The server, not yet started, with a copy of these settings: changing this builder afterwards changes
         * no server already built.
         *
         * @throws ConfigException        when neither a data folder nor a store was given
         * @throws InvalidOptionException for an option out of range, naming it
         */
        public ImrServer build() {
            if ((tlsCert == null) != (tlsKey == null)) {
                throw new ConfigException("TLS needs both a certificate and its key (imr.server.tls-cert and"
                        + " imr.server.tls-key, --tls-cert and --tls-key)");
            }
            if (tlsCert != null) {
                try {
                    new Tls.Server(tlsCert, tlsKey);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(e.getMessage());
                }
            }
            if (dataDir == null && (store == null || (authenticator == null && secretFile == null))) {
                throw new ConfigException("a server needs a data folder (imr.server.data, --data), or a store and a"
                        + " token secret");
            }
            WireOptions.MAX_FRAME_BYTES.check(maxFrameBytes);
            BackPressure backPressure = TransportOptions.backPressure(writeHighWater, writeLimit, socketBuffer,
                    frameRate);
            ServerEngineConfig config = engine.build();
            return new ImrServer(this, registry != null ? registry : StrategyRegistry.load(), config, backPressure);
        }
    }
}
