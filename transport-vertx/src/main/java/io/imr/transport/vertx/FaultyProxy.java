package io.imr.transport.vertx;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 that breaks connections for real, for tests and the demo (as Paho's
 * ConnectionManipulationProxyServer does): {@link #cutAll()} closes every connection,
 * {@link #stall(boolean)} silently swallows the bytes of the connections open now without closing
 * them (half-open: only heartbeats notice), and {@link #dropRate(double)} drops whole imr frames
 * of length-prefixed (TCP) streams, each way, at random from a seed: the frame is lost, the
 * connection stays up.
 */
public final class FaultyProxy implements AutoCloseable {

    private final NetServer server;
    private final NetClient client;
    private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();
    private final Random random;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong cuts = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong forwarded = new AtomicLong();
    private final boolean framed;
    private volatile double dropRate;

    /**
     * Starts a proxy to the upstream address on a free port of 127.0.0.1 (blocks until bound: call off an event loop).
     *
     * @param framed whether the streams are imr's length-prefixed TCP frames (so frames can be dropped);
     *               false for WebSocket, whose bytes are forwarded as they come
     * @param seed   for the frame drops
     */
    public FaultyProxy(Vertx vertx, String upstreamHost, int upstreamPort, boolean framed, long seed) {
        this.framed = framed;
        this.random = new Random(seed);
        this.client = vertx.createNetClient();
        this.server = vertx.createNetServer().connectHandler(downstream -> {
            downstream.pause();
            accepted.incrementAndGet();
            client.connect(upstreamPort, upstreamHost).onComplete(ar -> {
                if (ar.failed()) {
                    downstream.close();
                    return;
                }
                Pair pair = new Pair(downstream, ar.result());
                pairs.add(pair);
                pair.start();
            });
        });
        server.listen(0, "127.0.0.1").await();
    }

    public int port() {
        return server.actualPort();
    }

    /** Drops each whole frame with this probability (0 to 1); only meaningful for TCP (length-prefixed) streams. */
    public void dropRate(double rate) {
        if (rate < 0 || rate > 1) {
            throw new IllegalArgumentException("drop rate must be 0 to 1, got " + rate);
        }
        this.dropRate = rate;
    }

    public long accepted() {
        return accepted.get();
    }

    public long cuts() {
        return cuts.get();
    }

    public long framesDropped() {
        return dropped.get();
    }

    public long framesForwarded() {
        return forwarded.get();
    }

    /** Closes every connection open now, both ways. */
    public void cutAll() {
        for (Pair p : pairs) {
            cuts.incrementAndGet();
            p.close();
        }
    }

    /** Swallows (or forwards again) the bytes of the connections open now; new connections are not stalled. */
    public void stall(boolean on) {
        pairs.forEach(p -> p.stalled = on);
    }

    private boolean drop() {
        double rate = dropRate;
        if (rate == 0) {
            return false;
        }
        synchronized (random) {
            return random.nextDouble() < rate;
        }
    }

    @Override
    public void close() {
        cutAll();
        server.close().await();
        client.close().await();
    }

    private final class Pair {
        final NetSocket down;
        final NetSocket up;
        final Direction toUp;
        final Direction toDown;
        volatile boolean stalled;

        Pair(NetSocket down, NetSocket up) {
            this.down = down;
            this.up = up;
            this.toUp = new Direction(up);
            this.toDown = new Direction(down);
        }

        void start() {
            down.handler(b -> {
                if (!stalled) {
                    toUp.bytes(b);
                }
            });
            up.handler(b -> {
                if (!stalled) {
                    toDown.bytes(b);
                }
            });
            down.closeHandler(v -> close());
            up.closeHandler(v -> close());
            down.exceptionHandler(e -> close());
            up.exceptionHandler(e -> close());
            down.resume();
        }

        void close() {
            if (pairs.remove(this)) {
                down.close();
                up.close();
            }
        }
    }

    /** One direction of a connection: cuts the stream at frame boundaries to drop whole frames. */
    private final class Direction {
        final NetSocket to;
        final byte[] header = new byte[4];
        int headerFill;
        long remaining;
        boolean dropping;

        Direction(NetSocket to) {
            this.to = to;
        }

        void bytes(Buffer b) {
            if (!framed) {
                to.write(b);
                return;
            }
            int i = 0;
            int n = b.length();
            while (i < n) {
                if (remaining == 0) {
                    header[headerFill++] = b.getByte(i++);
                    if (headerFill == 4) {
                        headerFill = 0;
                        remaining = ((header[0] & 0xFFL) << 24) | ((header[1] & 0xFFL) << 16)
                                | ((header[2] & 0xFFL) << 8) | (header[3] & 0xFFL);
                        dropping = drop();
                        if (dropping) {
                            dropped.incrementAndGet();
                        } else {
                            forwarded.incrementAndGet();
                            to.write(Buffer.buffer(header.clone()));
                        }
                    }
                } else {
                    int take = (int) Math.min(remaining, n - i);
                    if (!dropping) {
                        to.write(b.getBuffer(i, i + take));
                    }
                    i += take;
                    remaining -= take;
                }
            }
        }
    }
}
