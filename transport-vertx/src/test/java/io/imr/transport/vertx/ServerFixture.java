package io.imr.transport.vertx;

import io.imr.api.strategy.StrategyOptions;
import io.imr.engine.ServerEngine;
import io.imr.engine.ServerEngineConfig;
import io.imr.engine.ThreadedRuntime;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.store.mapdb.MapDbServerStore;
import io.imr.strategy.hybrid.HybridStrategyProvider;
import io.imr.wire.FrameCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/** A real server (engine, MapDB store, strategy {@code hybrid}, Vert.x TCP) on 127.0.0.1 with the bounds a test picks. */
final class ServerFixture implements AutoCloseable {

    final Vertx vertx = Vertx.vertx();
    final HmacTokens tokens;
    final MapDbServerStore store;
    final ThreadedRuntime runtime = new ThreadedRuntime("bp-server");
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final ServerEngine engine;
    final VertxServerTransport transport;
    final int port;

    /**
     * @param options the hybrid strategy's options (a window as large as the test's run makes the server
     *                push everything it has to a device that does not read)
     */
    ServerFixture(Path dir, BackPressure limits, Map<String, String> options) {
        this(dir, limits, options, WireMeter.NONE);
    }

    /** The same, counting the server's wire bytes with {@code meter}. */
    ServerFixture(Path dir, BackPressure limits, Map<String, String> options, WireMeter meter) {
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) 7);
        tokens = new HmacTokens(secret);
        store = MapDbServerStore.open(dir);
        // A long heartbeat: a device whose replies a test holds sends nothing (it has no welcome yet), and must not
        // be closed as dead before the server has pushed it more than its bounds.
        engine = new ServerEngine(ServerEngineConfig.builder().heartbeat(Duration.ofMinutes(1)).build(), store,
                new HybridStrategyProvider(), StrategyOptions.of(options), tokens, runtime, meters);
        transport = new VertxServerTransport(vertx, new FrameCodec(), engine::accept, meter, limits);
        port = transport.listenTcp("127.0.0.1", 0).await().getPort();
    }

    /** A gauge of the engine's inbound gate ({@code MetricNames.INBOUND_*}). */
    long inbound(String name) {
        return (long) meters.get(name).gauge().value();
    }

    String token(String user, String device) {
        return tokens.mint(new Principal(user, device), Duration.ofHours(1), System.currentTimeMillis());
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        transport.close();
        engine.close();
        runtime.close();
        store.close();
        vertx.close().await();
    }
}
