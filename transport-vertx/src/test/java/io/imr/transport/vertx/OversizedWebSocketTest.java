package io.imr.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.wire.FrameCodec;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket frame or message larger than Vert.x accepts (a header declaring 2 GiB, a message in fragments past the
 * limit) is answered as every bad frame is: a BAD_FRAME error frame, then the close. Found by {@code imr fuzz}: Vert.x
 * refused them before imr saw them, and the connection was closed with status 1000 (a normal closure) and no word of
 * why, while the same lengths over TCP get BAD_FRAME.
 */
class OversizedWebSocketTest {

    private final Vertx vertx = Vertx.vertx();
    private final FrameCodec codec = new FrameCodec(64 << 10);
    private VertxServerTransport transport;
    private int port;

    @BeforeEach
    void listen() {
        transport = new VertxServerTransport(vertx, codec, channel -> RawWebSocketPeer.IGNORING, WireMeter.NONE);
        port = transport.listenWebSocket("127.0.0.1", 0).await().getPort();
    }

    @AfterEach
    void close() {
        transport.close();
        vertx.close().await();
    }

    @Test
    void aFrameHeaderDeclaring2GibIsAnsweredWithBadFrame() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(header(true, 0x2, 0x80000000L));
        b.writeBytes(new byte[16]);
        assertAnsweredWithBadFrame(b.toByteArray());
    }

    @Test
    void aFrameAboveTheLimitIsAnsweredWithBadFrame() throws Exception {
        int size = WebSocketConnection.vertxLimit(codec) + 1;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(header(true, 0x2, size));
        b.writeBytes(new byte[size]);
        assertAnsweredWithBadFrame(b.toByteArray());
    }

    @Test
    void aMessageInFragmentsAboveTheLimitIsAnsweredWithBadFrame() throws Exception {
        int piece = 32 << 10;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int pieces = WebSocketConnection.vertxLimit(codec) / piece + 2;
        for (int i = 0; i < pieces; i++) {
            b.writeBytes(header(i == pieces - 1, i == 0 ? 0x2 : 0x0, piece));
            b.writeBytes(new byte[piece]);
        }
        assertAnsweredWithBadFrame(b.toByteArray());
    }

    private void assertAnsweredWithBadFrame(byte[] bytes) throws Exception {
        try (Socket s = RawWebSocketPeer.upgraded(port)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            try {
                out.write(bytes);
            } catch (IOException e) {
                // closed before it took everything: its answer is still there to read
            }
            List<Object> got = new ArrayList<>();
            while (true) {
                int b0;
                try {
                    b0 = in.read();
                } catch (IOException e) {
                    break;
                }
                if (b0 < 0) {
                    break;
                }
                int b1 = in.read();
                int length = b1 & 0x7F;
                if (length == 126) {
                    length = in.read() << 8 | in.read();
                }
                byte[] payload = in.readNBytes(length);
                if ((b0 & 0x0F) == 0x2) {
                    got.add(codec.decode(payload));
                } else if ((b0 & 0x0F) == 0x8) {
                    got.add("close " + ((payload[0] & 0xFF) << 8 | (payload[1] & 0xFF)));
                    break;
                }
            }
            assertThat(got).as("what the server answered").isNotEmpty();
            assertThat(got.get(0)).isInstanceOf(ErrorFrame.class);
            assertThat(((ErrorFrame) got.get(0)).code()).isEqualTo(ErrorFrame.Code.BAD_FRAME);
            assertThat(got).last().asString().startsWith("close ");
        }
    }

    /** A masked client frame header (zero mask key) declaring {@code length} bytes. */
    private static byte[] header(boolean fin, int opcode, long length) {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.write((fin ? 0x80 : 0) | opcode);
        if (length < 126) {
            h.write(0x80 | (int) length);
        } else if (length < 65_536) {
            h.write(0x80 | 126);
            h.write((int) (length >>> 8));
            h.write((int) length);
        } else {
            h.write(0x80 | 127);
            for (int i = 0; i < 8; i++) {
                h.write((int) (length >>> (56 - 8 * i)));
            }
        }
        h.writeBytes(new byte[4]);
        return h.toByteArray();
    }
}
