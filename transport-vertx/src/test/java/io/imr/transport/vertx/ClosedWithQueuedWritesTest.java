package io.imr.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Checksums;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Send;
import io.imr.engine.ConnectionHandler;
import io.imr.engine.FrameChannel;
import io.imr.wire.FrameCodec;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection that goes away while frames wait in its write queue (a device that never read what it was sent, then
 * vanished) ends without an exception escaping into Vert.x. Found by {@code imr fuzz}: each queued frame's failed write
 * asked the closed WebSocket whether its queue was full, which throws, and the server logged one SEVERE "Unhandled
 * exception" with its stack trace per queued frame, thousands a second under the never-read attack.
 */
class ClosedWithQueuedWritesTest {

    private final Vertx vertx = Vertx.vertx();
    private final List<Throwable> unhandled = new CopyOnWriteArrayList<>();
    private VertxServerTransport transport;

    @AfterEach
    void close() {
        if (transport != null) {
            transport.close();
        }
        vertx.close().await();
    }

    @Test
    void aWebSocketClosedWithFramesQueuedReportsNoException() throws Exception {
        closedWithQueuedWrites(true);
    }

    @Test
    void aTcpConnectionClosedWithFramesQueuedReportsNoException() throws Exception {
        closedWithQueuedWrites(false);
    }

    private void closedWithQueuedWrites(boolean webSocket) throws Exception {
        vertx.exceptionHandler(unhandled::add);
        CompletableFuture<FrameChannel> accepted = new CompletableFuture<>();
        CompletableFuture<String> closed = new CompletableFuture<>();
        transport = new VertxServerTransport(vertx, new FrameCodec(), channel -> {
            accepted.complete(channel);
            return new ConnectionHandler() {
                @Override
                public void onFrame(Frame frame) {
                }

                @Override
                public void onClosed(String reason) {
                    closed.complete(reason);
                }
            };
        }, WireMeter.NONE);
        int port = (webSocket ? transport.listenWebSocket("127.0.0.1", 0) : transport.listenTcp("127.0.0.1", 0))
                .await().getPort();
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096); // it reads nothing anyway: its kernel buffer fills at once
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            if (webSocket) {
                s.getOutputStream().write(("GET /imr HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: aW1yLWZ1enota2V5LTE2Yg==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                    head.append((char) in.read());
                }
                assertThat(head.toString()).startsWith("HTTP/1.1 101");
            }
            FrameChannel channel = accepted.get(10, TimeUnit.SECONDS);
            byte[] payload = new byte[32 << 10];
            // 8 MiB for a peer that reads nothing: more than the kernel buffers hold, less than the slow-consumer limit.
            for (int i = 1; i <= 256; i++) {
                channel.send(Send.of("o", i, "bob", payload, Checksums.crc32c(payload)));
            }
            Thread.sleep(500);
            s.setSoLinger(true, 0); // gone, with everything queued for it unsent
        }
        assertThat(closed.get(10, TimeUnit.SECONDS)).isNotNull();
        Thread.sleep(500);
        assertThat(unhandled).as("exceptions that escaped into Vert.x").isEmpty();
    }
}
