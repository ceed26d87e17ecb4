package io.imr.transport.vertx;

import io.imr.engine.ConnectionHandler;
import io.imr.engine.FrameChannel;
import io.imr.wire.FrameCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
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
        NetServer server = vertx.createNetServer(options).connectHandler(this::acceptTcp);
        return server.listen(port, host).map(s -> {
            synchronized (tcpServers) {
                tcpServers.add(s);
            }
            return new InetSocketAddress(host, s.actualPort());
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
        HttpServerOptions options = limits.applyTo(new HttpServerOptions().setTcpNoDelay(true).setReuseAddress(true)
                .setMaxWebSocketFrameSize(limit).setMaxWebSocketMessageSize(limit));
        Tls.Server t = tls;
        if (t != null) {
            t.applyTo(options);
        }
        HttpServer server = vertx.createHttpServer(options)
                .webSocketHandler(this::acceptWebSocket)
                .requestHandler(req -> req.response().setStatusCode(426)
                        .putHeader("content-type", "text/plain")
                        .end("imr speaks WebSocket here: connect with a WebSocket client\n"));
        return server.listen(port, host).map(s -> {
            synchronized (httpServers) {
                httpServers.add(s);
            }
            return new InetSocketAddress(host, s.actualPort());
        });
    }

    private void acceptTcp(NetSocket socket) {
        TcpConnection c = new TcpConnection(socket, codec, meter, limits, stats, "device");
        c.handler(acceptor.apply(c));
        c.start();
    }

    private void acceptWebSocket(ServerWebSocket socket) {
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
        return Future.all(closing).mapEmpty();
    }

    @Override
    public void close() {
        stop().await();
    }
}
