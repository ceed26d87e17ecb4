package io.imr.app;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The bytes of the WebSocket protocol (RFC 6455) as a fuzzer needs them: an upgrade request, client frames with any
 * header (a declared length that is not sent, a message in fragments), and a reader of server frames. No library
 * in between, so that any byte sequence can be written.
 */
final class RawWebSocket {

    static final int CONTINUATION = 0x0;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;

    /** The most bytes a server frame may carry here; the server's frames are small. */
    private static final int MAX_READ = 64 << 20;

    private RawWebSocket() {
    }

    /** The upgrade request to {@code path} (a fixed key: the server's answer is not checked beyond its status). */
    static byte[] upgradeRequest(String host, int port, String path) {
        String key = Base64.getEncoder().encodeToString("imr-fuzz-key-16b".getBytes(StandardCharsets.US_ASCII));
        return ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Reads the server's answer to the upgrade request, up to its blank line.
     *
     * @throws IOException unless it is {@code 101 Switching Protocols}
     */
    static void readUpgradeAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the server closed the connection during the WebSocket upgrade");
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > 16 << 10) {
                throw new IOException("the WebSocket upgrade answer has no end");
            }
        }
        String status = head.toString(StandardCharsets.US_ASCII).lines().findFirst().orElse("");
        if (!status.contains(" 101 ")) {
            throw new IOException("the WebSocket upgrade was refused: " + status);
        }
    }

    /** One whole binary message from a client (masked, with a zero mask key as RFC 6455 allows). */
    static byte[] binary(byte[] payload) {
        return frame(true, BINARY, payload);
    }

    /** A client frame: FIN or not, an opcode, masked with a zero key, its real length. */
    static byte[] frame(boolean fin, int opcode, byte[] payload) {
        byte[] header = header(fin, opcode, payload.length);
        byte[] out = new byte[header.length + payload.length];
        System.arraycopy(header, 0, out, 0, header.length);
        System.arraycopy(payload, 0, out, header.length, payload.length);
        return out;
    }

    /** The header of a masked client frame declaring {@code length} payload bytes (which may never come). */
    static byte[] header(boolean fin, int opcode, long length) {
        int lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
        byte[] h = new byte[2 + lengthBytes + 4];
        h[0] = (byte) ((fin ? 0x80 : 0) | opcode);
        if (lengthBytes == 0) {
            h[1] = (byte) (0x80 | length);
        } else if (lengthBytes == 2) {
            h[1] = (byte) (0x80 | 126);
            h[2] = (byte) (length >>> 8);
            h[3] = (byte) length;
        } else {
            h[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                h[2 + i] = (byte) (length >>> (56 - 8 * i));
            }
        }
        // The 4 mask bytes stay 0: the payload goes as it is.
        return h;
    }

    /** A frame the server sent. */
    record ServerFrame(int opcode, byte[] payload) {
        /** The status code of a close frame, or 1005 (none given). */
        int closeStatus() {
            return payload.length >= 2 ? (payload[0] & 0xFF) << 8 | (payload[1] & 0xFF) : 1005;
        }
    }

    /** The next frame the server sent, or null at the end of the stream. */
    static ServerFrame read(InputStream in) throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        int b1 = readByte(in);
        long length = b1 & 0x7F;
        if (length == 126) {
            length = (long) readByte(in) << 8 | readByte(in);
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = length << 8 | readByte(in);
            }
        }
        if (length < 0 || length > MAX_READ) {
            throw new IOException("the server sent a WebSocket frame of " + length + " bytes");
        }
        byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
        byte[] payload = in.readNBytes((int) length);
        if (payload.length < length) {
            throw new EOFException("the server's WebSocket frame ends early");
        }
        if (mask != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
        }
        return new ServerFrame(b0 & 0x0F, payload);
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("the server's WebSocket frame ends early");
        }
        return b;
    }
}
