package io.imr.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.wire.FrameCodec;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Once a connection has met a bad frame, nothing more it sent is decoded: the error frame and the close are its whole
 * answer, and the server spends nothing on what follows. Found by {@code imr fuzz} with the server on a CPU of its
 * own: a WebSocket peer that pipelines 240 bad messages had every one of them decoded (each a
 * {@code ProtocolException}) after the first had closed the connection. (Over TCP the decoder stops at the first bad
 * frame: what follows in the same read is counted as received, never decoded.)
 */
class AfterABadFrameTest {

    private static final int MESSAGES = 200;
    private static final int SIZE = 100;

    private final Vertx vertx = Vertx.vertx();
    private final FrameCodec codec = new FrameCodec(64 << 10);
    private final AtomicLong meteredIn = new AtomicLong();
    private VertxServerTransport transport;

    @BeforeEach
    void listen() {
        transport = new VertxServerTransport(vertx, codec, channel -> RawWebSocketPeer.IGNORING, (total, payload, confirmation) -> meteredIn.addAndGet(total));
    }

    @AfterEach
    void close() {
        transport.close();
        vertx.close().await();
    }

    @Test
    void aWebSocketPeerThatPipelinesBadMessagesHasOnlyTheFirstDecoded() throws Exception {
        int port = transport.listenWebSocket("127.0.0.1", 0).await().getPort();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < MESSAGES; i++) {
            b.writeBytes(new byte[] {(byte) 0x82, (byte) (0x80 | SIZE), 0, 0, 0, 0}); // binary, masked with zeros
            b.writeBytes(garbage(i));
        }
        try (Socket s = RawWebSocketPeer.upgraded(port)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            // One write, so that the messages arrive together, queued behind the first.
            out.write(b.toByteArray());
            int b0 = in.read();
            int length = in.read() & 0x7F;
            if (length == 126) {
                length = in.read() << 8 | in.read();
            }
            assertThat(b0 & 0x0F).as("a binary message first").isEqualTo(0x2);
            assertThat(codec.decode(in.readNBytes(length))).isInstanceOf(ErrorFrame.class);
            Thread.sleep(300); // what the server does with the rest, it does at once, on the event loop
        }
        assertMeteredOnlyTheFirst();
    }

    /** The bad message in, the error frame out, perhaps a little framing: far from all the messages sent. */
    private void assertMeteredOnlyTheFirst() {
        assertThat(meteredIn.get()).as("bytes the server decoded and answered").isLessThan(3L * (SIZE + 14) + 1024);
    }

    private static byte[] garbage(int i) {
        byte[] g = new byte[SIZE];
        for (int j = 0; j < SIZE; j++) {
            g[j] = (byte) (i * 31 + j * 7 + 1);
        }
        return g;
    }

    @Test
    void aWebSocketPeerThatNeverAnswersTheCloseIsCutOffAfterTheGrace() throws Exception {
        int port = transport.listenWebSocket("127.0.0.1", 0).await().getPort();
        try (Socket s = RawWebSocketPeer.upgraded(port)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(new byte[] {(byte) 0x82, (byte) (0x80 | SIZE), 0, 0, 0, 0});
            out.write(garbage(0));
            long t0 = System.nanoTime();
            int b;
            do {
                try {
                    b = in.read();
                } catch (java.io.IOException reset) {
                    b = -1;
                }
            } while (b >= 0);
            double seconds = (System.nanoTime() - t0) / 1e9;
            // The error frame and the close frame came, then no answer from us: the server closes the socket after
            // its grace (2 s), not Vert.x's closing timeout (10 s).
            assertThat(seconds).as("seconds until the server closed the socket").isLessThan(5.0);
        }
    }
}
