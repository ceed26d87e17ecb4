package io.imr.embed;

import io.imr.api.option.InvalidOptionException;
import io.imr.api.store.ClientState;
import io.imr.api.store.ClientStore;
import io.imr.api.strategy.PerStrategyOptions;
import io.imr.api.strategy.StrategyOptions;
import io.imr.api.strategy.StrategyRegistry;
import io.imr.engine.ClientEngine;
import io.imr.engine.ClientEngineConfig;
import io.imr.engine.MessageListener;
import io.imr.engine.SendConfirmation;
import io.imr.engine.ThreadedRuntime;
import io.imr.engine.metrics.MetricNames;
import io.imr.store.mapdb.MapDbClientStore;
import io.imr.transport.vertx.BackPressure;
import io.imr.transport.vertx.Tls;
import io.imr.transport.vertx.VertxClientConnector;
import io.imr.wire.FrameCodec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * A device embedded in a Java program: its store, the client engine with the strategy the
 * server picks, and a connection to the server that reconnects by itself.
 *
 * <pre>{@code
 * ImrClient client = ImrClient.builder()
 *         .server("127.0.0.1:7000").user("bob").device("phone").token(token)
 *         .dataDir(Path.of("bob-phone"))
 *         .listener(message -> show(message))       // after commit, in seq order
 *         .build();
 * client.start();
 * long seq = client.send("alice", bytes).toCompletableFuture().join();  // once the server committed it
 * }</pre>
 */
public final class ImrClient {

    // Copied from the builder at build(): a later change to the builder changes no client built from it.
    private final String server;
    private final String device;
    private final String user;
    private final String token;
    private final Path dataDir;
    private final ClientStore givenStore;
    private final StrategyRegistry registry;
    private final MeterRegistry meterRegistry;
    private final MessageListener listener;
    private final Consumer<SendConfirmation> sendListener;
    private final ClientEngineConfig engineConfig;
    private final int maxFrameBytes;
    private final BackPressure backPressure;
    private final Vertx givenVertx;

    private Vertx vertx;
    private boolean ownVertx;
    private ClientStore store;
    private boolean ownStore;
    /** Counts the syncs of the store this client opened; null for a store of the caller's. */
    private StoreSyncsMeter.Registration storeSyncs;
    private ThreadedRuntime runtime;
    private ExecutorService listenerThread;
    private final Path tlsTrust;
    private VertxClientConnector connector;
    private ClientEngine engine;

    private ImrClient(Builder b, StrategyRegistry registry, ClientEngineConfig engineConfig, BackPressure backPressure,
                      String device) {
        this.server = b.server;
        this.tlsTrust = b.tlsTrust;
        this.device = device;
        this.user = b.user;
        this.token = b.token;
        this.dataDir = b.dataDir;
        this.givenStore = b.store;
        this.registry = registry;
        this.meterRegistry = b.meterRegistry;
        this.listener = b.listener;
        this.sendListener = b.sendListener;
        this.engineConfig = engineConfig;
        this.maxFrameBytes = b.maxFrameBytes;
        this.backPressure = backPressure;
        this.givenVertx = b.vertx;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens the store and connects.
     *
     * @return completes at the first welcome; fails with
     *         {@link io.imr.engine.ClientException.RefusedException} (bad token, no common strategy),
     *         {@link io.imr.engine.ClientException.SessionReplacedException}, or a store error such as
     *         {@link io.imr.api.store.StoreException.LockedException}. A server that cannot be
     *         reached is retried with backoff, so the stage then simply stays pending.
     */
    public synchronized CompletionStage<Void> start() {
        try {
            if (givenStore != null) {
                store = givenStore;
            } else {
                MapDbClientStore own = MapDbClientStore.open(dataDir, user, device);
                store = own;
                ownStore = true;
                storeSyncs = StoreSyncsMeter.register(meterRegistry, MetricNames.SIDE_CLIENT, own);
            }
            vertx = givenVertx != null ? givenVertx : Vertx.vertx();
            ownVertx = givenVertx == null;
            runtime = new ThreadedRuntime("client-" + device);
            listenerThread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "imr-client-" + device + "-listener");
                t.setDaemon(true);
                return t;
            });
            ClientEngine[] self = new ClientEngine[1];
            connector = VertxClientConnector.of(vertx, new FrameCodec(maxFrameBytes), server,
                    () -> (total, payload, confirmation) -> self[0].countWire(total, payload, confirmation),
                    backPressure, new Tls.Client(tlsTrust));
            connector.stats().register(meterRegistry, MetricNames.SIDE_CLIENT);
            engine = new ClientEngine(engineConfig, store, registry, token, connector, runtime, meterRegistry,
                    listener, listenerThread, sendListener);
            self[0] = engine;
            return engine.start();
        } catch (RuntimeException e) {
            close();
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Sends a message reliably (persistent outbox, resent until confirmed, stored once by the server).
     *
     * @return completes with the seq the message got in the recipient's sequence once the server
     *         committed it
     */
    public CompletionStage<Long> send(String to, byte[] payload) {
        return engine().send(to, payload);
    }

    /** As {@link #send(String, byte[])} with a counter of the caller's (see {@link ClientEngine#send(long, String, byte[])}). */
    public CompletionStage<Long> send(long counter, String to, byte[] payload) {
        return engine().send(counter, to, payload);
    }

    /** Completes when the client stopped: after {@link #close()}, or exceptionally when refused or replaced. */
    public CompletionStage<Void> stopped() {
        return engine().stopped();
    }

    /** The store's committed state (messages, cursor, outbox) as of the last commit. */
    public ClientState state() {
        return store.state();
    }

    /**
     * The client's meters: the engine's, the connection's, and {@link MetricNames#STORE_SYNCS} when
     * it opened its store from {@link Builder#dataDir} (not for a store of the caller's).
     */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** The engine's settings, as they were when the client was built. */
    public ClientEngineConfig engineConfig() {
        return engineConfig;
    }

    /** The server's address, as it was when the client was built. */
    public String server() {
        return server;
    }

    /** The largest frame accepted, as it was when the client was built. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** What the connection may queue for the server, as it was when the client was built. */
    public BackPressure backPressure() {
        return backPressure;
    }

    /** The store, for reading messages. */
    public ClientStore store() {
        return store;
    }

    private ClientEngine engine() {
        if (engine == null) {
            throw new IllegalStateException("start the client first");
        }
        return engine;
    }

    /** Says bye, stops, then closes the store (if it opened it) and Vert.x (if it made it). */
    public synchronized CompletionStage<Void> close() {
        CompletionStage<Void> stopping = engine == null ? CompletableFuture.completedFuture(null) : engine.close();
        CompletableFuture<Void> done = new CompletableFuture<>();
        stopping.whenComplete((v, e) -> new Thread(() -> {
            try {
                if (runtime != null) {
                    runtime.close();
                }
                if (listenerThread != null) {
                    listenerThread.shutdownNow();
                }
                if (connector != null) {
                    connector.close();
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
            } catch (RuntimeException ex) {
                done.completeExceptionally(ex);
            }
        }, "imr-client-close").start());
        return done;
    }

    /**
     * What a client offers unless told otherwise: every strategy on the class path, the server's default
     * ({@value ImrServer#DEFAULT_STRATEGY}) first, so that it speaks to a server of any of them.
     */
    public static List<String> offeredByDefault(StrategyRegistry registry) {
        List<String> names = new java.util.ArrayList<>(registry.names());
        if (names.remove(ImrServer.DEFAULT_STRATEGY)) {
            names.add(0, ImrServer.DEFAULT_STRATEGY);
        }
        if (names.isEmpty()) {
            throw new StrategyRegistry.UnknownStrategyException(ImrServer.DEFAULT_STRATEGY, registry.names(),
                    registry.problems());
        }
        return names;
    }

    /** Settings of a client. */
    public static final class Builder {
        private String server;
        private Path tlsTrust;
        private String user;
        private String device;
        private String token;
        private Path dataDir;
        private ClientStore store;
        /** Null: every strategy on the class path, the server's default first. */
        private List<String> strategies;
        private PerStrategyOptions options = PerStrategyOptions.none();
        /** Null: {@link StrategyRegistry#load()} at build. */
        private StrategyRegistry registry;
        private MeterRegistry meterRegistry = new SimpleMeterRegistry();
        private MessageListener listener = m -> { };
        private Consumer<SendConfirmation> sendListener = c -> { };
        private final ClientEngineConfig.Builder engine = ClientEngineConfig.builder();
        private int maxFrameBytes = WireOptions.MAX_FRAME_BYTES.defaultInt();
        private int writeHighWater = TransportOptions.WRITE_HIGH_WATER.defaultInt();
        private int writeLimit = TransportOptions.WRITE_LIMIT.defaultInt();
        private int socketBuffer = TransportOptions.SOCKET_BUFFER.defaultInt();
        private int frameRate = TransportOptions.FRAME_RATE.defaultInt();
        private Vertx vertx;

        private Builder() {
        }

        /** Settings from a configuration ({@link ImrConfig}). */
        public Builder config(ImrConfig c) {
            server = c.string(ImrConfig.CLIENT_SERVER, server);
            user = c.string(ImrConfig.CLIENT_USER, user);
            device = c.string(ImrConfig.CLIENT_DEVICE, device);
            token = c.string(ImrConfig.CLIENT_TOKEN, token);
            dataDir = c.path(ImrConfig.CLIENT_DATA, dataDir);
            tlsTrust = c.path(ImrConfig.CLIENT_TLS_TRUST, tlsTrust);
            String s = c.get(ImrConfig.STRATEGY);
            if (s != null && !s.isEmpty()) {
                strategies = List.of(s.split("\\s*,\\s*"));
            }
            options = c.strategyOptions();
            c.option(ImrConfig.CLIENT, ClientEngineConfig.RECONNECT_INITIAL).ifPresent(engine::reconnectInitial);
            c.option(ImrConfig.CLIENT, ClientEngineConfig.RECONNECT_MAX).ifPresent(engine::reconnectMax);
            c.option(ImrConfig.CLIENT, ClientEngineConfig.WELCOME_TIMEOUT).ifPresent(engine::welcomeTimeout);
            c.option(ImrConfig.CLIENT, ClientEngineConfig.SEND_WINDOW).ifPresent(engine::sendWindow);
            c.option(ImrConfig.CLIENT, ClientEngineConfig.RESEND_AFTER).ifPresent(engine::resendAfter);
            c.option(ImrConfig.CLIENT, ClientEngineConfig.MAX_OUTBOX).ifPresent(engine::maxOutbox);
            c.option(ImrConfig.CLIENT, ClientEngineConfig.INBOUND_FRAMES).ifPresent(engine::inboundFrames);
            c.option(ImrConfig.CLIENT, TransportOptions.WRITE_HIGH_WATER).ifPresent(v -> writeHighWater = v);
            c.option(ImrConfig.CLIENT, TransportOptions.WRITE_LIMIT).ifPresent(v -> writeLimit = v);
            c.option(ImrConfig.CLIENT, TransportOptions.SOCKET_BUFFER).ifPresent(v -> socketBuffer = v);
            c.option(ImrConfig.CLIENT, TransportOptions.FRAME_RATE).ifPresent(v -> frameRate = v);
            c.option(ImrConfig.WIRE, WireOptions.MAX_FRAME_BYTES).ifPresent(v -> maxFrameBytes = v);
            return this;
        }

        /** {@code HOST:PORT} for TCP, {@code ws://HOST:PORT/PATH} for WebSocket. */
        public Builder server(String address) {
            this.server = address;
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder device(String device) {
            this.device = device;
            return this;
        }

        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /** PEM certificates to trust for a {@code tls://} or {@code wss://} server (default: the JVM's trust store). */
        public Builder tlsTrust(Path certificates) {
            this.tlsTrust = certificates;
            return this;
        }

        /** A MapDB store in this folder, made on first use for this user and device. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** A store of the caller's; the caller closes it after the client. */
        public Builder store(ClientStore store) {
            this.store = store;
            return this;
        }

        /** The strategies offered, by preference; the server picks one. */
        public Builder strategies(String... names) {
            this.strategies = List.of(names);
            return this;
        }

        /** Options of one strategy, in its own namespace (the client runs whichever strategy the server picks). */
        public Builder strategyOptions(String strategy, StrategyOptions strategyOptions) {
            this.options = options.with(strategy, strategyOptions);
            return this;
        }

        /** Options of every strategy, each in its own namespace. */
        public Builder strategyOptions(PerStrategyOptions options) {
            this.options = options;
            return this;
        }

        public Builder strategyRegistry(StrategyRegistry registry) {
            this.registry = registry;
            return this;
        }

        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = registry;
            return this;
        }

        /** Receives committed messages in seq order on the client's own thread. */
        public Builder listener(MessageListener listener) {
            this.listener = listener;
            return this;
        }

        /** Told of every send the server confirmed, including sends of earlier runs resent from the outbox. */
        public Builder sendListener(Consumer<SendConfirmation> listener) {
            this.sendListener = listener;
            return this;
        }

        /** {@link ClientEngineConfig#RECONNECT_INITIAL} and {@link ClientEngineConfig#RECONNECT_MAX}. */
        public Builder reconnect(Duration initial, Duration max) {
            engine.reconnectInitial(initial).reconnectMax(max);
            return this;
        }

        /** {@link ClientEngineConfig#RESEND_AFTER}. */
        public Builder resendAfter(Duration after) {
            engine.resendAfter(after);
            return this;
        }

        /** How long to wait for the server's welcome after connecting before trying again. */
        public Builder welcomeTimeout(Duration timeout) {
            engine.welcomeTimeout(timeout);
            return this;
        }

        /** {@link ClientEngineConfig#SEND_WINDOW}. */
        public Builder sendWindow(int window) {
            engine.sendWindow(window);
            return this;
        }

        /** {@link ClientEngineConfig#MAX_OUTBOX}. */
        public Builder maxOutbox(int sends) {
            engine.maxOutbox(sends);
            return this;
        }

        /** {@link ClientEngineConfig#INBOUND_FRAMES}. */
        public Builder inboundFrames(int frames) {
            engine.inboundFrames(frames);
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

        public Builder vertx(Vertx vertx) {
            this.vertx = vertx;
            return this;
        }

        /**
         * The client, not yet started, with a copy of these settings: changing this builder afterwards changes
         * no client already built.
         *
         * @throws ConfigException for a missing setting; {@link StrategyRegistry.UnknownStrategyException}
         *                         for a strategy not on the class path; {@link InvalidOptionException} for an
         *                         option out of range, naming it
         */
        public ImrClient build() {
            if (server == null) {
                throw new ConfigException("a client needs a server address (imr.client.server, --server)");
            }
            try {
                VertxClientConnector.parse(server);
                new Tls.Client(tlsTrust);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
            if (token == null) {
                throw new ConfigException("a client needs a token (imr.client.token, --token)");
            }
            if (store == null && (dataDir == null || user == null || device == null)) {
                throw new ConfigException("a client needs a data folder, a user and a device (or a store)");
            }
            WireOptions.MAX_FRAME_BYTES.check(maxFrameBytes);
            BackPressure backPressure = TransportOptions.backPressure(writeHighWater, writeLimit, socketBuffer,
                    frameRate);
            StrategyRegistry strategyRegistry = registry != null ? registry : StrategyRegistry.load();
            List<String> offered = strategies != null ? strategies : offeredByDefault(strategyRegistry);
            options.validate(strategyRegistry, offered);
            ClientEngineConfig config = engine.strategies(offered).options(options).build();
            return new ImrClient(this, strategyRegistry, config, backPressure, device != null ? device : "device");
        }
    }
}
