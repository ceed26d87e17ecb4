package io.imr.embed;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.engine.metrics.MetricNames;
import io.imr.wire.FrameCodec;
import io.imr.wire.LengthPrefixedDecoder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.search.Search;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The server's limits over real sockets: a limited sender loses nothing; an address beyond its connections is told. */
@DisplayName("Limits, over real sockets")
@Timeout(120)
class LimitsTest {

    @TempDir
    Path dir;

    private static double limited(ImrServer server, String kind) {
        return Search.in(server.meterRegistry()).name(MetricNames.LIMITED).tag(MetricNames.TAG_KIND, kind)
                .counters().stream().mapToDouble(Counter::count).sum();
    }

    @Test
    @DisplayName("a sender above send-rate is answered RATE_LIMITED, backs off and resends: every message arrives"
            + " once, in order, and no send fails")
    void sendRate() throws Exception {
        ImrServer server = ImrServer.builder().dataDir(dir.resolve("server")).secret(Cluster.SECRET)
                .tcp(new HostPort("127.0.0.1", 0)).sendRate(100).sendBurst(10).build();
        Cluster.join(server.start());
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        String address = "127.0.0.1:" + server.tcpAddress().getPort();
        ImrClient bob = ImrClient.builder().server(address).user("bob").device("phone")
                .token(Cluster.token("bob", "phone")).dataDir(dir.resolve("bob"))
                .listener(m -> got.add(new String(m.payload(), StandardCharsets.UTF_8))).build();
        ImrClient alice = ImrClient.builder().server(address).user("alice").device("laptop")
                .token(Cluster.token("alice", "laptop")).dataDir(dir.resolve("alice")).build();
        try {
            Cluster.join(bob.start());
            Cluster.join(alice.start());
            int n = 300;
            long started = System.nanoTime();
            List<CompletableFuture<Long>> sends = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sends.add(alice.send("bob", ("m" + i).getBytes(StandardCharsets.UTF_8)).toCompletableFuture());
            }
            CompletableFuture.allOf(sends.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - started) / 1e9;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (got.size() < n && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                expected.add("m" + i);
            }
            assertThat(got).as("every message once, in order").containsExactlyElementsOf(expected);
            assertThat(limited(server, "send")).as("the limit held sends back").isPositive();
            assertThat(seconds).as("300 messages at 100 a second after a burst of 10 take their time")
                    .isGreaterThan(2.0);
            assertThat(sends).allMatch(f -> !f.isCompletedExceptionally());
        } finally {
            Cluster.join(alice.close());
            Cluster.join(bob.close());
            Cluster.join(server.close());
        }
    }

    @Test
    @DisplayName("a connection beyond max-connections-per-address gets RATE_LIMITED with a retry delay, then the close")
    void connectionsPerAddress() throws Exception {
        ImrServer server = ImrServer.builder().dataDir(dir.resolve("server")).secret(Cluster.SECRET)
                .tcp(new HostPort("127.0.0.1", 0)).maxConnectionsPerAddress(2).build();
        Cluster.join(server.start());
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Socket s = new Socket();
                s.connect(server.tcpAddress(), 10_000);
                open.add(s);
            }
            Thread.sleep(200); // both accepted
            try (Socket third = new Socket()) {
                third.connect(server.tcpAddress(), 10_000);
                third.setSoTimeout(10_000);
                assertThat(framesToTheEnd(third)).singleElement().isInstanceOfSatisfying(ErrorFrame.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorFrame.Code.RATE_LIMITED);
                    assertThat(e.retryAfterMillis()).isPositive();
                    assertThat(e.message()).contains("2 connections");
                });
            }
            assertThat(limited(server, "connections")).isEqualTo(1);
        } finally {
            for (Socket s : open) {
                s.close();
            }
            Cluster.join(server.close());
        }
    }

    @Test
    @DisplayName("connection-rate: over TCP and WebSocket, a connection beyond the address's rate gets RATE_LIMITED and"
            + " the close at once; a WebSocket is closed as soon as the peer answers the close frame")
    void connectionRate() throws Exception {
        ImrServer server = ImrServer.builder().dataDir(dir.resolve("server")).secret(Cluster.SECRET)
                .tcp(new HostPort("127.0.0.1", 0)).webSocket(new HostPort("127.0.0.1", 0)).connectionRate(1).build();
        Cluster.join(server.start());
        // All three within a few milliseconds, so that the bucket has no time to refill: the first takes the
        // address's one token (which of the TCP ones the server accepts first is its choice: both are read).
        try (Socket first = new Socket(); Socket tcp = new Socket(); Socket ws = new Socket()) {
            first.connect(server.tcpAddress(), 10_000);
            tcp.connect(server.tcpAddress(), 10_000);
            ws.connect(server.webSocketAddress(), 10_000);
            Socket refused = refusedOf(first, tcp);
            {
                refused.setSoTimeout(10_000);
                assertThat(framesToTheEnd(refused)).singleElement().isInstanceOfSatisfying(ErrorFrame.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorFrame.Code.RATE_LIMITED);
                    assertThat(e.retryAfterMillis()).isBetween(1L, 1000L);
                    assertThat(e.message()).contains("at most 1 a second");
                });
            }
            {
                ws.setSoTimeout(10_000);
                ws.getOutputStream().write(("GET /imr HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: aW1yLWZ1enota2V5LTE2Yg==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                InputStream in = ws.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    head.append((char) in.read());
                }
                assertThat(head.toString()).startsWith("HTTP/1.1 101");
                int opcode = in.read() & 0x0F;
                byte[] body = in.readNBytes(in.read() & 0x7F);
                assertThat(opcode).isEqualTo(0x2);
                assertThat(new FrameCodec().decode(body)).isInstanceOfSatisfying(ErrorFrame.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorFrame.Code.RATE_LIMITED));
                assertThat(in.read() & 0x0F).as("then a close frame").isEqualTo(0x8);
                in.readNBytes(in.read() & 0x7F);
                long answered = System.nanoTime();
                ws.getOutputStream().write(new byte[] {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xE8});
                assertThat(in.read()).as("the server closes the socket").isEqualTo(-1);
                assertThat((System.nanoTime() - answered) / 1e9).as("seconds from the answer to the close, not"
                        + " Vert.x's closing timeout").isLessThan(3.0);
            }
            assertThat(limited(server, "connection-rate")).isEqualTo(2);
        } finally {
            Cluster.join(server.close());
        }
    }

    /** Of two sockets just connected, the one the server closed at once (the other waits for its hello). */
    private static Socket refusedOf(Socket a, Socket b) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until) {
            for (Socket s : List.of(a, b)) {
                if (s.getInputStream().available() > 0) {
                    return s;
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("neither connection was answered within 10 s");
    }

    /** Every frame the server writes on this TCP socket until it closes it. */
    private static List<Frame> framesToTheEnd(Socket s) throws Exception {
        LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(new FrameCodec());
        InputStream in = s.getInputStream();
        List<Frame> frames = new ArrayList<>();
        byte[] buf = new byte[4096];
        int r;
        while ((r = in.read(buf)) > 0) {
            frames.addAll(decoder.feed(buf, 0, r));
        }
        return frames;
    }
}
