package io.imr.transport.vertx;

import io.imr.api.Message;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.frame.PullResult;
import io.imr.api.frame.Send;
import io.imr.wire.FrameCodec;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.List;
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
 * connection stays up. {@link #cutEvery(long)} cuts the connection that carries every N-th new
 * message: the proxy counts each message the first time it forwards it each way (a send by its
 * client id, a message of a deliver or pull result by its message id), so a message that goes
 * through the proxy to the server and back out to its recipient counts twice, and a run of M
 * messages makes about 2M/N cuts. Resends and redeliveries do not count: a sender that resends its
 * whole outbox on every reconnect would otherwise have every connection cut before its first
 * confirmation came back, and never get on. {@link #holdReplies(boolean)} stops reading what the
 * server sends, so every client looks to the server like a device that stopped reading its socket.
 * The proxy itself queues little: it stops reading a side while the other side's write queue is full.
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
    private final AtomicLong messages = new AtomicLong();
    /** Ids of the messages counted, each way (the most recent {@link #REMEMBERED} of each). */
    private final Set<String> sendsSeen = lastSeen();
    private final Set<String> deliveriesSeen = lastSeen();
    private static final int REMEMBERED = 1 << 20;
    private final boolean framed;
    private final FrameCodec codec = new FrameCodec(FrameCodec.MAX_MAX_FRAME_BYTES);
    private volatile double dropRate;
    private volatile long cutEvery;
    private volatile boolean holdReplies;
    private static final int UPSTREAM_RECEIVE_BUFFER = 64 << 10;

    /**
     * Starts a proxy to the upstream address on a free port of 127.0.0.1 (blocks until bound: call off an event loop).
     *
     * @param framed whether the streams are imr's length-prefixed TCP frames (so frames can be dropped);
     *               false for WebSocket, whose bytes are forwarded as they come
     * @param seed   for the frame drops
     */
    public FaultyProxy(Vertx vertx, String upstreamHost, int upstreamPort, boolean framed, long seed) {
        this(vertx, "127.0.0.1", 0, upstreamHost, upstreamPort, framed, seed);
    }

    /**
     * Starts a proxy to the upstream address on the given address (port 0: a free port; blocks until
     * bound: call off an event loop).
     *
     * @throws RuntimeException when the address cannot be bound (in use, not local)
     */
    public FaultyProxy(Vertx vertx, String listenHost, int listenPort, String upstreamHost, int upstreamPort,
            boolean framed, long seed) {
        this.framed = framed;
        this.random = new Random(seed);
        // A small, fixed receive buffer towards the server: while replies are held, what the server sent waits
        // in its own socket and queue, not in the proxy's (an auto-tuned buffer takes megabytes).
        this.client = vertx.createNetClient(new NetClientOptions().setReceiveBufferSize(UPSTREAM_RECEIVE_BUFFER));
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
        server.listen(listenPort, listenHost).await();
    }

    private static Set<String> lastSeen() {
        return java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(
                new java.util.LinkedHashMap<String, Boolean>() {
                    @Override
                    protected boolean removeEldestEntry(java.util.Map.Entry<String, Boolean> eldest) {
                        return size() > REMEMBERED;
                    }
                }));
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

    /**
     * Cuts the connection that carries every N-th new message the proxy forwards (0: never), counting
     * each message of send, deliver and pull-result frames the first time it passes each way (see the
     * class comment); the frame that carries it is forwarded first. Only meaningful for TCP
     * (length-prefixed) streams.
     */
    public void cutEvery(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("cut-every must be 0 or more, got " + n);
        }
        this.cutEvery = n;
    }

    /** New messages counted in the frames forwarded so far (counted only while {@link #cutEvery} is on). */
    public long messagesForwarded() {
        return messages.get();
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

    /**
     * Stops (true) or starts again (false) reading what the server sends, on the connections open now
     * and those opened later: to the server, each client then looks like a device that stopped reading
     * its socket, while what the clients send still goes through.
     */
    public void holdReplies(boolean on) {
        holdReplies = on;
        pairs.forEach(p -> p.toDown.apply());
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
        volatile boolean closed;

        Pair(NetSocket down, NetSocket up) {
            this.down = down;
            this.up = up;
            this.toUp = new Direction(down, up, this, false);
            this.toDown = new Direction(up, down, this, true);
        }

        void start() {
            down.handler(b -> {
                if (!stalled && !closed) {
                    toUp.bytes(b);
                }
            });
            up.handler(b -> {
                if (!stalled && !closed) {
                    toDown.bytes(b);
                }
            });
            down.closeHandler(v -> close());
            up.closeHandler(v -> close());
            down.exceptionHandler(e -> close());
            up.exceptionHandler(e -> close());
            up.drainHandler(v -> toUp.drained());
            down.drainHandler(v -> toDown.drained());
            toDown.apply();
            down.resume();
        }

        void close() {
            closed = true;
            if (pairs.remove(this)) {
                down.close();
                up.close();
            }
        }
    }

    /** One direction of a connection: cuts the stream at frame boundaries to drop whole frames. */
    private final class Direction {
        final NetSocket from;
        final NetSocket to;
        final Pair pair;
        final boolean replies;
        volatile boolean full;
        final byte[] header = new byte[4];
        int headerFill;
        long remaining;
        boolean dropping;
        /** The body of the frame being forwarded, kept while cuts by message count are on; else null. */
        Buffer body;

        Direction(NetSocket from, NetSocket to, Pair pair, boolean replies) {
            this.from = from;
            this.to = to;
            this.pair = pair;
            this.replies = replies;
        }

        /** Reads the source side or not, as the hold and the other side's write queue say now. */
        synchronized void apply() {
            if (full || (replies && holdReplies)) {
                from.pause();
            } else {
                from.resume();
            }
        }

        void drained() {
            full = false;
            apply();
        }

        /** After writing: stop reading the source while the destination cannot take more (as Vert.x's pipe). */
        private void checkFull() {
            if (!full && to.writeQueueFull()) {
                full = true;
                apply();
            }
        }

        /** Counts the new messages of a forwarded frame; true when the count passed a multiple of cutEvery. */
        private boolean countMessages(Buffer frameBody) {
            long every = cutEvery;
            int n = 0;
            try {
                Frame f = codec.decode(frameBody.getBytes());
                if (f instanceof Send send) {
                    for (Send.Item item : send.items()) {
                        n += sendsSeen.add(send.clientId(item)) ? 1 : 0;
                    }
                } else {
                    List<Message> batch = f instanceof Deliver d ? d.messages()
                            : f instanceof PullResult r ? r.messages() : List.of();
                    for (Message m : batch) {
                        n += deliveriesSeen.add(m.id()) ? 1 : 0;
                    }
                }
            } catch (RuntimeException e) {
                return false; // not ours to judge: the receiving side rejects it
            }
            if (n == 0 || every <= 0) {
                return false;
            }
            long after = messages.addAndGet(n);
            return after / every > (after - n) / every;
        }

        void bytes(Buffer b) {
            try {
                forward(b);
            } finally {
                checkFull();
            }
        }

        private void forward(Buffer b) {
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
                            body = cutEvery > 0 ? Buffer.buffer((int) Math.min(remaining, 1 << 16)) : null;
                        }
                        if (remaining == 0) {
                            frameEnd();
                        }
                    }
                } else {
                    int take = (int) Math.min(remaining, n - i);
                    if (!dropping) {
                        Buffer part = b.getBuffer(i, i + take);
                        to.write(part);
                        if (body != null) {
                            body.appendBuffer(part);
                        }
                    }
                    i += take;
                    remaining -= take;
                    if (remaining == 0 && frameEnd()) {
                        return; // the connection is cut: the rest of these bytes go nowhere
                    }
                }
            }
        }

        /** At the end of a frame's bytes: counts its messages and cuts the connection when its turn came. */
        private boolean frameEnd() {
            Buffer complete = body;
            body = null;
            if (dropping || complete == null || !countMessages(complete)) {
                return false;
            }
            cuts.incrementAndGet();
            pair.close();
            return true;
        }
    }
}
