package io.imr.transport.vertx;

import io.imr.api.Checksums;
import io.imr.api.ClientIds;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Send;
import io.imr.api.frame.Welcome;
import io.imr.wire.FrameCodec;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;

/**
 * A device written by hand on a blocking socket, speaking the wire format through the codec: so a
 * test decides exactly when it reads and writes (and when it stops). Its receive buffer is small, so
 * what it does not read stays on the server's side.
 */
final class RawDevice implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final FrameCodec codec = new FrameCodec();

    RawDevice(int port, int receiveBufferBytes) {
        try {
            socket = new Socket();
            socket.setReceiveBufferSize(receiveBufferBytes);
            socket.setSoTimeout(60_000);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            in = new DataInputStream(socket.getInputStream());
            out = new BufferedOutputStream(socket.getOutputStream(), 64 << 10);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Says hello as a fresh device (cursor 0) offering one strategy and reads the welcome. */
    Welcome hello(String token, String user, String device, String strategy) {
        write(new Hello(Frame.PROTOCOL_VERSION, token, user, device, List.of(strategy), 0, 0, "", "", 1));
        flush();
        Frame f = read();
        if (!(f instanceof Welcome w)) {
            throw new AssertionError("expected a welcome, got " + f);
        }
        return w;
    }

    static Send send(String clientId, String to, byte[] payload) {
        return Send.of(ClientIds.outboxOf(clientId), ClientIds.counterOf(clientId), to, payload,
                Checksums.crc32c(payload));
    }

    void write(Frame frame) {
        try {
            out.write(codec.encodeWithLength(frame));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next frame; blocks (up to a minute). */
    Frame read() {
        try {
            int length = in.readInt();
            byte[] body = new byte[length];
            in.readFully(body);
            return codec.decode(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads and drops everything until the server closes the connection; returns the bytes read. */
    long readToEnd() {
        byte[] buffer = new byte[64 << 10];
        long total = 0;
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
            }
        } catch (EOFException | SocketException e) {
            // reset by the server: ended all the same
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return total;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
