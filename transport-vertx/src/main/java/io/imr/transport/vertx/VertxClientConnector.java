package io.imr.transport.vertx;

import io.imr.engine.ClientConnector;
import io.imr.wire.FrameCodec;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.net.URI;
import java.util.function.Supplier;

/**
 * Connects a client engine to a server: {@code HOST:PORT} for TCP, {@code ws://HOST:PORT/PATH}
 * for WebSocket, {@code tls://HOST:PORT} and {@code wss://HOST:PORT/PATH} for the same over TLS. One
 * connection attempt per {@link #connect} call; the engine decides when.
 */
public final class VertxClientConnector implements ClientConnector {

    private final Vertx vertx;
    private final FrameCodec codec;
    private final Supplier<WireMeter> meter;
    private final String address;
    private final String host;
    private final int port;
    private final String path;
    private final NetClient netClient;
    private final WebSocketClient wsClient;
    private final BackPressure limits;
    private final boolean tls;
    private final TransportStats stats = new TransportStats();

    private VertxClientConnector(Vertx vertx, FrameCodec codec, Supplier<WireMeter> meter, String address,
                                 Target target, BackPressure limits, Tls.Client trust) {
        String host = target.host();
        int port = target.port();
        String path = target.path();
        this.tls = target.tls();
        this.limits = limits;
        this.vertx = vertx;
        this.codec = codec;
        this.meter = meter;
        this.address = address;
        this.host = host;
        this.port = port;
        this.path = path;
        if (path == null) {
            NetClientOptions options = limits.applyTo(new NetClientOptions().setTcpNoDelay(true)
                    .setTcpKeepAlive(true).setConnectTimeout(10_000));
            this.netClient = vertx.createNetClient(tls ? trust.applyTo(options) : options);
            this.wsClient = null;
        } else {
            int limit = WebSocketConnection.vertxLimit(codec);
            WebSocketClientOptions options = limits.applyTo(new WebSocketClientOptions().setTcpNoDelay(true)
                    .setMaxFrameSize(limit).setMaxMessageSize(limit).setConnectTimeout(10_000));
            this.wsClient = vertx.createWebSocketClient(tls ? trust.applyTo(options) : options);
            this.netClient = null;
        }
    }

    /**
     * Where a client connects: a host and port, and a path for WebSocket (null for TCP).
     *
     * @param path the WebSocket path, or null for TCP
     * @param tls  whether the connection speaks TLS ({@code tls://}, {@code wss://})
     */
    public record Target(String host, int port, String path, boolean tls) {
    }

    /**
     * Parses {@code HOST:PORT} (TCP) or {@code ws://HOST:PORT/PATH} (WebSocket).
     *
     * @throws IllegalArgumentException saying what an address looks like
     */
    public static Target parse(String address) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("server address is empty; use HOST:PORT or ws://HOST:PORT/PATH");
        }
        if (address.startsWith("tls://")) {
            Target t = parse(address.substring("tls://".length()));
            return new Target(t.host(), t.port(), null, true);
        }
        boolean secure = address.startsWith("wss://");
        if (address.startsWith("ws://") || secure) {
            URI uri;
            try {
                uri = URI.create(address);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("server address " + address + " is not a valid ws:// URL");
            }
            if (uri.getHost() == null || uri.getPort() < 1) {
                throw new IllegalArgumentException("server address " + address + " needs a host and a port: ws://HOST:PORT/PATH");
            }
            String p = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            return new Target(uri.getHost(), uri.getPort(), p, secure);
        }
        if (address.contains("://")) {
            throw new IllegalArgumentException("server address " + address
                    + " has an unsupported scheme; use HOST:PORT for TCP, ws://HOST:PORT/PATH for WebSocket, or"
                    + " tls://HOST:PORT and wss://HOST:PORT/PATH for the same over TLS");
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("server address " + address + " must be HOST:PORT or ws://HOST:PORT/PATH");
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("server address " + address + " has a port that is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("server address " + address + " has a port outside 1-65535");
        }
        String h = address.substring(0, colon);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return new Target(h, port, null, false);
    }

    /**
     * A connector for an address: {@code HOST:PORT} (TCP) or {@code ws://HOST:PORT/PATH} (WebSocket).
     *
     * @param meter where to count the bytes of this client's connections (asked at each connection)
     * @throws IllegalArgumentException saying what an address looks like
     */
    public static VertxClientConnector of(Vertx vertx, FrameCodec codec, String address, Supplier<WireMeter> meter) {
        return of(vertx, codec, address, meter, BackPressure.DEFAULT);
    }

    /**
     * A connector whose connections keep these bounds on what they queue for the server.
     *
     * @throws IllegalArgumentException saying what an address looks like
     */
    public static VertxClientConnector of(Vertx vertx, FrameCodec codec, String address, Supplier<WireMeter> meter,
                                          BackPressure limits) {
        return of(vertx, codec, address, meter, limits, Tls.Client.JVM);
    }

    /**
     * A connector that, for a {@code tls://} or {@code wss://} address, trusts what {@code trust} says.
     *
     * @throws IllegalArgumentException saying what an address looks like
     */
    public static VertxClientConnector of(Vertx vertx, FrameCodec codec, String address, Supplier<WireMeter> meter,
                                          BackPressure limits, Tls.Client trust) {
        if (limits == null || trust == null) {
            throw new IllegalArgumentException("limits and trust must not be null; use BackPressure.DEFAULT, Tls.Client.JVM");
        }
        return new VertxClientConnector(vertx, codec, meter, address, parse(address), limits, trust);
    }

    /** A connection failure, explained in one line when it looks like a TLS mismatch. */
    private Throwable explained(Throwable failure) {
        String why = Tls.explain(failure, tls);
        return why == null ? failure : new java.net.ConnectException(why);
    }

    /** What this client's connections hold back and have pushed back. */
    public TransportStats stats() {
        return stats;
    }

    @Override
    public void connect(Attempt attempt) {
        if (netClient != null) {
            netClient.connect(port, host).onComplete(ar -> {
                if (ar.failed()) {
                    attempt.failed(explained(ar.cause()));
                    return;
                }
                TcpConnection c = new TcpConnection(ar.result(), codec, meter.get(), limits, stats, "server");
                c.handler(attempt.connected(c));
                c.start();
            });
        } else {
            WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(host).setPort(port).setURI(path);
            wsClient.connect(options).onComplete(ar -> {
                if (ar.failed()) {
                    attempt.failed(explained(ar.cause()));
                    return;
                }
                WebSocketConnection c = new WebSocketConnection(ar.result(), codec, meter.get(), limits, stats,
                        "server ws " + address, true);
                c.handler(attempt.connected(c));
                c.start();
            });
        }
    }

    @Override
    public String describe() {
        return address;
    }

    /** Closes the underlying Vert.x client. */
    public void close() {
        if (netClient != null) {
            netClient.close();
        } else {
            wsClient.close();
        }
    }
}
