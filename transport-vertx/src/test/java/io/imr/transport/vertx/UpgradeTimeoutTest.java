package io.imr.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.engine.ConnectionHandler;
import io.imr.api.frame.Frame;
import io.imr.wire.FrameCodec;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A connection to the WebSocket port that never finishes its upgrade is closed after the upgrade timeout, as a TCP
 * connection without a hello is after the hello timeout (found by {@code imr fuzz}: such connections, idle or writing
 * their upgrade request one byte a second, were held for as long as the peer liked, each an open file of the server).
 * An upgraded WebSocket is left to the engine's hello timeout and heartbeat.
 */
class UpgradeTimeoutTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);

    private final Vertx vertx = Vertx.vertx();
    private final AtomicInteger accepted = new AtomicInteger();
    private VertxServerTransport transport;
    private int port;

    @BeforeEach
    void listen() {
        transport = new VertxServerTransport(vertx, new FrameCodec(), channel -> {
            accepted.incrementAndGet();
            return new ConnectionHandler() {
                @Override
                public void onFrame(Frame frame) {
                }

                @Override
                public void onClosed(String reason) {
                }
            };
        }, WireMeter.NONE).upgradeTimeout(TIMEOUT);
        port = transport.listenWebSocket("127.0.0.1", 0).await().getPort();
    }

    @AfterEach
    void close() {
        transport.close();
        vertx.close().await();
    }

    @Test
    void aConnectionThatSaysNothingIsClosed() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            assertClosedWithin(s, Duration.ofSeconds(5));
        }
    }

    @Test
    void anUpgradeRequestThatNeverEndsIsClosed() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("GET /imr HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            assertClosedWithin(s, Duration.ofSeconds(5));
        }
    }

    @Test
    void aSlowLorisUpgradeRequestIsClosed() throws Exception {
        byte[] request = ("GET /imr HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: aW1yLWZ1enota2V5LTE2Yg==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (Socket s = new Socket("127.0.0.1", port)) {
            long t0 = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < request.length && !closed; i++) {
                try {
                    s.getOutputStream().write(request[i]); // a byte every 100 ms: never idle, never done in time
                } catch (IOException e) {
                    closed = true;
                }
                Thread.sleep(100);
                if (System.nanoTime() - t0 > Duration.ofSeconds(5).toNanos()) {
                    break;
                }
                closed |= endedNow(s);
            }
            assertThat(closed).as("closed by the server while the request dripped in").isTrue();
            assertThat(System.nanoTime() - t0).isLessThan(Duration.ofSeconds(5).toNanos());
        }
        assertThat(accepted).hasValue(0);
    }

    @Test
    void aPlainHttpRequestIsAnsweredAndTheIdleConnectionClosed() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertClosedWithin(s, Duration.ofSeconds(5));
        }
    }

    @Test
    void anUpgradedWebSocketStaysOpenPastTheUpgradeTimeout() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            assertThat(RawWebSocketPeer.upgrade(s)).startsWith("HTTP/1.1 101");
            Thread.sleep(TIMEOUT.toMillis() * 3);
            // Still open: only the engine (not here) closes an upgraded connection.
            assertThat(endedNow(s)).isFalse();
            assertThat(accepted).hasValue(1);
        }
    }

    /** Reads until the server closes the connection; fails if it is still open after {@code within}. */
    private static void assertClosedWithin(Socket s, Duration within) throws IOException {
        long t0 = System.nanoTime();
        s.setSoTimeout((int) within.toMillis());
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // an HTTP answer (426) may come first
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server held the connection for " + within + " without closing it");
        } catch (IOException e) {
            // reset: closed
        }
        assertThat(System.nanoTime() - t0).isLessThan(within.toNanos());
    }

    /** Whether the server closed the connection (reads what is there without waiting long). */
    private static boolean endedNow(Socket s) throws IOException {
        s.setSoTimeout(10);
        try {
            while (true) {
                int b = s.getInputStream().read();
                if (b < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
