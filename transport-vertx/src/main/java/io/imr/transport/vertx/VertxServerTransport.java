package io.imr.transport.vertx;

import io.imr.engine.ConnectionHandler;
import io.imr.engine.FrameChannel;
import io.imr.wire.FrameCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Accepts devices over TCP and WebSocket and hands each connection to an acceptor (the server
 * engine's {@code accept}). Decoding and encoding run on the connections' event loops; the
 * engine and the store never do.
 */
public final class VertxServerTransport implements AutoCloseable {

    private final Vertx vertx;
    private final FrameCodec codec;
    private final Function<FrameChannel, ConnectionHandler> acceptor;
    private final WireMeter meter;
    private final BackPressure limits;
    private final TransportStats stats = new TransportStats();
    private final List<NetServer> tcpServers = new ArrayList<>();
    private final List<HttpServer> httpServers = new ArrayList<>();
    /** The listeners' deployments (guarded by tcpServers): undeployed when the transport stops. */
    private final List<String> deployments = new ArrayList<>();
    /** TLS of the listeners opened from now on, or null for plain text. */
    private volatile Tls.Server tls;

    /**
     * @param acceptor called once per new connection, on its event loop; returns where its frames go
     */
    public VertxServerTransport(Vertx vertx, FrameCodec codec, Function<FrameChannel, ConnectionHandler> acceptor,
                                WireMeter meter) {
        this(vertx, codec, acceptor, meter, BackPressure.DEFAULT);
    }

    /**
     * @param acceptor called once per new connection, on its event loop; returns where its frames go
     * @param limits   how much each connection may queue for its device before it stops reading it, and
     *                 before it is closed as a slow consumer
     */
    public VertxServerTransport(Vertx vertx, FrameCodec codec, Function<FrameChannel, ConnectionHandler> acceptor,
                                WireMeter meter, BackPressure limits) {
        if (limits == null) {
            throw new IllegalArgumentException("limits must not be null; use BackPressure.DEFAULT");
        }
        this.vertx = vertx;
        this.codec = codec;
        this.acceptor = acceptor;
        this.meter = meter;
        this.limits = limits;
    }

    /** What the connections hold back and have pushed back; {@link TransportStats#register} makes meters of it. */
    public TransportStats stats() {
        return stats;
    }

    /** Makes the listeners opened from now on speak TLS ({@code null}: plain text). */
    public VertxServerTransport tls(Tls.Server tls) {
        this.tls = tls;
        return this;
    }

    /**
     * How long a connection to the WebSocket port may take to be upgraded to a WebSocket before it is closed: the
     * engine's hello timeout starts only once it is one. 10 s by default, as the engine's default hello timeout.
     */
    public static final Duration DEFAULT_UPGRADE_TIMEOUT = Duration.ofSeconds(10);

    /** Marks the Netty channel of a connection that became a WebSocket. */
    private static final AttributeKey<Boolean> UPGRADED = AttributeKey.valueOf("imr.upgraded");

    private volatile Duration upgradeTimeout = DEFAULT_UPGRADE_TIMEOUT;

    /**
     * Sets how long a connection to the WebSocket listeners opened from now on may take to become a WebSocket (its
     * HTTP upgrade request read and answered) before it is closed: without a bound, a peer that never finishes the
     * request, or drips it a byte at a time, or sends a plain HTTP request and then nothing, holds its connection for
     * as long as it likes. The server passes its hello timeout.
     */
    public VertxServerTransport upgradeTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the upgrade timeout must be more than 0, got " + timeout);
        }
        this.upgradeTimeout = timeout;
        return this;
    }

    /** The bounds each connection keeps. */
    public BackPressure limits() {
        return limits;
    }

    /**
     * Listens for TCP connections.
     *
     * @param port 0 for any free port
     * @return the bound address (with the real port)
     */
    public Future<InetSocketAddress> listenTcp(String host, int port) {
        NetServerOptions options = limits.applyTo(new NetServerOptions().setTcpNoDelay(true).setTcpKeepAlive(true)
                .setReuseAddress(true));
        Tls.Server t = tls;
        if (t != null) {
            t.applyTo(options);
        }
        return EventLoopListeners.deploy(vertx, port, -1, at -> {
            NetServer server = vertx.createNetServer(options).connectHandler(this::acceptTcp);
            return server.listen(at, host).map(s -> {
                synchronized (tcpServers) {
                    tcpServers.add(s);
                }
                return s.actualPort();
            });
        }).map(d -> {
            synchronized (tcpServers) {
                deployments.add(d.id());
            }
            return new InetSocketAddress(host, d.port());
        });
    }

    /**
     * Listens for WebSocket connections on any path.
     *
     * @param port 0 for any free port
     * @return the bound address (with the real port)
     */
    public Future<InetSocketAddress> listenWebSocket(String host, int port) {
        int limit = WebSocketConnection.vertxLimit(codec);
        // No HTTP/2 over clear text: its detection waits for a connection's first bytes before the connection exists
        // for the handler below, so a connection that sends nothing would escape the upgrade timeout.
        HttpServerOptions options = limits.applyTo(new HttpServerOptions().setTcpNoDelay(true).setReuseAddress(true)
                .setMaxWebSocketFrameSize(limit).setMaxWebSocketMessageSize(limit).setHttp2ClearTextEnabled(false));
        Tls.Server t = tls;
        if (t != null) {
            t.applyTo(options);
        }
        long upgradeMillis = upgradeTimeout.toMillis();
        return EventLoopListeners.deploy(vertx, port, -2, at -> {
            HttpServer server = vertx.createHttpServer(options)
                    .connectionHandler(connection -> closeUnlessUpgraded(connection, upgradeMillis))
                    .webSocketHandler(this::acceptWebSocket)
                    .requestHandler(req -> req.response().setStatusCode(426)
                            .putHeader("content-type", "text/plain")
                            .end("imr speaks WebSocket here: connect with a WebSocket client\n"));
            return server.listen(at, host).map(s -> {
                synchronized (httpServers) {
                    httpServers.add(s);
                }
                return s.actualPort();
            });
        }).map(d -> {
            synchronized (tcpServers) {
                deployments.add(d.id());
            }
            return new InetSocketAddress(host, d.port());
        });
    }

    private void acceptTcp(NetSocket socket) {
        TcpConnection c = new TcpConnection(socket, codec, meter, limits, stats, "device");
        c.handler(acceptor.apply(c));
        c.start();
    }

    /** Closes a connection to the WebSocket port that is not a WebSocket once the upgrade timeout passed. */
    private static void closeUnlessUpgraded(HttpConnection connection, long millis) {
        if (!(connection instanceof ConnectionBase c)) {
            return; // not a Vert.x 5 HTTP/1.x connection: nothing to bound it with
        }
        Channel channel = c.channel();
        io.netty.util.concurrent.ScheduledFuture<?> timer = channel.eventLoop().schedule(() -> {
            if (channel.isActive() && channel.attr(UPGRADED).get() == null) {
                channel.close();
            }
        }, millis, TimeUnit.MILLISECONDS);
        // Not left to fire on a closed channel: it would hold the channel and its pipeline in memory for the whole
        // timeout, thousands of them under a flood of connections, each copied by every young collection.
        channel.closeFuture().addListener(f -> timer.cancel(false));
    }

    private void acceptWebSocket(ServerWebSocket socket) {
        if (socket instanceof WebSocketInternal w) {
            w.channelHandlerContext().channel().attr(UPGRADED).set(Boolean.TRUE);
        }
        WebSocketConnection c = new WebSocketConnection(socket, codec, meter, limits, stats,
                "device ws " + socket.remoteAddress(), false);
        c.handler(acceptor.apply(c));
        c.start();
    }

    /** Stops listening; open connections are closed by Vert.x. */
    public Future<Void> stop() {
        List<Future<Void>> closing = new ArrayList<>();
        synchronized (tcpServers) {
            tcpServers.forEach(s -> closing.add(s.close()));
            tcpServers.clear();
        }
        synchronized (httpServers) {
            httpServers.forEach(s -> closing.add(s.close()));
            httpServers.clear();
        }
        List<String> ids;
        synchronized (tcpServers) {
            ids = new ArrayList<>(deployments);
            deployments.clear();
        }
        return Future.all(closing).compose(v -> {
            List<Future<Void>> undeploying = new ArrayList<>();
            for (String id : ids) {
                undeploying.add(vertx.undeploy(id).recover(e -> Future.succeededFuture()));
            }
            return Future.all(undeploying);
        }).mapEmpty();
    }

    @Override
    public void close() {
        stop().await();
    }
}
