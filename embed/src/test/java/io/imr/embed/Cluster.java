package io.imr.embed;

import io.imr.engine.MessageListener;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.transport.vertx.FaultyProxy;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/** A server behind a chaos proxy, and clients that reach it through the proxy, for end-to-end tests. */
final class Cluster implements AutoCloseable {

    static final byte[] SECRET = new byte[32];

    static {
        Arrays.fill(SECRET, (byte) 7);
    }

    final Path dir;
    final boolean webSocket;
    final Vertx vertx = Vertx.vertx();
    final ImrServer server;
    final FaultyProxy proxy;

    Cluster(Path dir, boolean webSocket, Duration heartbeat) {
        this(dir, webSocket, heartbeat, ImrServer.DEFAULT_STRATEGY);
    }

    Cluster(Path dir, boolean webSocket, Duration heartbeat, String strategy) {
        this.dir = dir;
        this.webSocket = webSocket;
        this.server = ImrServer.builder().dataDir(dir.resolve("server")).secret(SECRET).strategy(strategy)
                .tcp(new HostPort("127.0.0.1", 0)).webSocket(new HostPort("127.0.0.1", 0))
                .heartbeat(heartbeat).helloTimeout(Duration.ofSeconds(2))
                .build();
        join(server.start());
        int upstream = webSocket ? server.webSocketAddress().getPort() : server.tcpAddress().getPort();
        this.proxy = new FaultyProxy(vertx, "127.0.0.1", upstream, !webSocket, 42);
    }

    String address() {
        return webSocket ? "ws://127.0.0.1:" + proxy.port() + "/imr" : "127.0.0.1:" + proxy.port();
    }

    static String token(String user, String device) {
        return new HmacTokens(SECRET).mint(new Principal(user, device), Duration.ofHours(1), System.currentTimeMillis());
    }

    ImrClient.Builder client(String user, String device, MessageListener listener) {
        return ImrClient.builder().server(address()).user(user).device(device).token(token(user, device))
                .dataDir(dir.resolve(user + "-" + device)).listener(listener)
                .reconnect(Duration.ofMillis(50), Duration.ofMillis(500)).resendAfter(Duration.ofSeconds(2))
                .welcomeTimeout(Duration.ofSeconds(2));
    }

    static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        proxy.close();
        join(server.close());
        vertx.close().await();
    }
}
