package io.imr.app;

import io.imr.wire.FrameCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Connections opened and then held by the fuzzer, idle or dripping bytes (slow-loris: one byte a second), in one
 * thread with one selector, so that thousands cost no threads. Each records when and how the server closed it (its
 * bytes read as {@link ServerAnswer}); the server must close every one within its hello timeout and a slack.
 *
 * <p>Kinds: {@code tcp} (a TCP connection that says nothing, or drips a hello), {@code ws-upgrade} (a connection to
 * the WebSocket port that never finishes its upgrade request, or drips it), {@code ws} (upgraded, then says nothing,
 * or drips a hello message).
 */
final class HeldConnections {

    /** How a held connection behaves. */
    enum Kind {
        TCP("tcp"), WS_UPGRADE("ws-upgrade"), WS("ws");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** How one held connection ended. */
    record Ended(Kind kind, boolean closedByServer, double heldSeconds, ServerAnswer answer) {
    }

    private static final class Held {
        final Kind kind;
        final SocketChannel channel;
        final byte[] drip;
        final long openedNanos;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        int dripped;
        Ended ended;

        Held(Kind kind, SocketChannel channel, byte[] drip) {
            this.kind = kind;
            this.channel = channel;
            this.drip = drip;
            this.openedNanos = System.nanoTime();
        }
    }

    /**
     * How long Vert.x waits for a WebSocket peer's answer to its close frame before it closes the TCP connection
     * (its {@code webSocketClosingTimeout}, 10 s by default): an upgraded connection ends that much later.
     */
    static final Duration WS_CLOSING = Duration.ofSeconds(10);

    private final FrameAttack.Target target;
    private final FrameCodec codec;
    private final List<Held> held = new ArrayList<>();
    private final String source;
    private final Selector selector;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 << 10);
    private int open;

    HeldConnections(FrameAttack.Target target, FrameCodec codec, String source) throws IOException {
        this.target = target;
        this.codec = codec;
        this.source = source;
        this.selector = Selector.open();
    }

    /**
     * Opens one connection of this kind (a WebSocket one upgraded first, blocking) that then writes {@code drip}
     * one byte a second (empty: idle).
     */
    void open(Kind kind, byte[] drip) throws IOException {
        SocketChannel c = SocketChannel.open();
        try {
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.bind(new InetSocketAddress(source, 0));
            c.connect(new InetSocketAddress(target.host(), kind == Kind.TCP ? target.tcpPort() : target.wsPort()));
            if (kind == Kind.WS) {
                c.socket().getOutputStream().write(RawWebSocket.upgradeRequest(target.host(), target.wsPort(), "/imr"));
                RawWebSocket.readUpgradeAnswer(unbuffered(c));
            }
            c.configureBlocking(false);
        } catch (IOException e) {
            c.close();
            throw e;
        }
        Held h = new Held(kind, c, drip);
        held.add(h);
        c.register(selector, SelectionKey.OP_READ, h);
        open++;
        // What the server did meanwhile is seen when it happens, however long opening all the others takes.
        selector.selectNow();
        readSelected();
    }

    /** Connections opened so far. */
    int opened() {
        return held.size();
    }

    /**
     * Holds every connection until the server closed it or {@code within} passed since it was opened ({@link #WS_CLOSING}
     * more for an upgraded WebSocket), dripping a byte a second into each that drips; then closes what is left and
     * returns how each ended.
     */
    List<Ended> hold(Duration within) throws IOException {
        try (selector) {
            long nextDrip = System.nanoTime();
            while (open > 0) {
                long now = System.nanoTime();
                if (now >= nextDrip) {
                    nextDrip = now + 1_000_000_000L;
                    for (Held h : held) {
                        if (h.ended == null) {
                            drip(h);
                            Duration bound = h.kind == Kind.WS ? within.plus(WS_CLOSING) : within;
                            if (now - h.openedNanos > bound.toNanos()) {
                                end(h, false, null);
                            }
                        }
                    }
                }
                selector.select(Math.max(1, (nextDrip - System.nanoTime()) / 1_000_000));
                readSelected();
            }
        }
        List<Ended> out = new ArrayList<>();
        for (Held h : held) {
            out.add(h.ended);
        }
        return out;
    }

    private void readSelected() {
        for (SelectionKey key : selector.selectedKeys()) {
            Held h = (Held) key.attachment();
            if (h.ended != null) {
                continue;
            }
            buffer.clear();
            int n;
            String reset = null;
            try {
                n = h.channel.read(buffer);
            } catch (IOException e) {
                n = -1;
                reset = e.getMessage();
            }
            if (n > 0) {
                h.received.write(buffer.array(), 0, n);
            } else if (n < 0) {
                end(h, true, reset);
            }
        }
        selector.selectedKeys().clear();
    }

    private static void drip(Held h) {
        if (h.dripped < h.drip.length) {
            try {
                if (h.channel.write(ByteBuffer.wrap(h.drip, h.dripped, 1)) == 1) {
                    h.dripped++;
                }
            } catch (IOException e) {
                // the server closed it: the read sees the end
            }
        }
    }

    private void end(Held h, boolean byServer, String reset) {
        double seconds = (System.nanoTime() - h.openedNanos) / 1e9;
        byte[] bytes = h.received.toByteArray();
        ServerAnswer.Reader reader = new ServerAnswer.Reader(new ByteArrayInputStream(bytes), codec,
                h.kind == Kind.WS);
        ServerAnswer answer;
        if (!byServer) {
            answer = reader.answer(ServerAnswer.Outcome.NO_ANSWER, "still open after " + Math.round(seconds) + " s");
        } else if (h.kind == Kind.WS_UPGRADE) {
            // Not upgraded: whatever came is HTTP, not frames.
            answer = new ServerAnswer(reset != null ? ServerAnswer.Outcome.RESET : ServerAnswer.Outcome.CLOSE, null, -1, 0,
                    bytes.length == 0 ? null : firstLine(bytes));
        } else {
            answer = reader.toEnd();
            if (reset != null && answer.outcome() == ServerAnswer.Outcome.CLOSE) {
                answer = reader.answer(ServerAnswer.Outcome.RESET, reset);
            }
        }
        h.ended = new Ended(h.kind, byServer, seconds, answer);
        open--;
        try {
            h.channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            h.channel.close();
        } catch (IOException e) {
            // closed either way
        }
    }

    private static String firstLine(byte[] bytes) {
        String s = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        int eol = s.indexOf('\r');
        return eol < 0 ? s : s.substring(0, eol);
    }

    private static InputStream unbuffered(SocketChannel c) throws IOException {
        return c.socket().getInputStream();
    }

    /** How the connections of each kind ended, as "kind: N answer (held min-max s)". */
    static Map<String, String> summary(List<Ended> ended) {
        Map<String, List<Ended>> byKind = new TreeMap<>();
        for (Ended e : ended) {
            byKind.computeIfAbsent(e.kind().label, k -> new ArrayList<>()).add(e);
        }
        Map<String, String> out = new TreeMap<>();
        byKind.forEach((kind, list) -> {
            Map<String, Integer> answers = new TreeMap<>();
            double min = Double.MAX_VALUE;
            double max = 0;
            for (Ended e : list) {
                ServerAnswer a = e.answer();
                String key = a.outcome() == ServerAnswer.Outcome.NO_ANSWER ? "held open (no answer)"
                        : a.error() != null ? a.outcome() + " " + a.error().code() + " \"" + a.error().message() + "\""
                        : a.outcome() + (a.wsStatus() >= 0 ? " ws-close " + a.wsStatus() : "")
                                + (a.detail() != null ? " (" + a.detail() + ")" : "");
                answers.merge(key, 1, Integer::sum);
                min = Math.min(min, e.heldSeconds());
                max = Math.max(max, e.heldSeconds());
            }
            out.put(kind, String.format("%,d: %s; closed after %.1f-%.1f s", list.size(), answers, min, max));
        });
        return out;
    }
}
