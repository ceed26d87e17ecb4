package io.imr.transport.vertx;

import io.imr.api.frame.Frame;
import io.imr.engine.ConnectionHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * What the transport's tests of hostile WebSocket peers share: an upgrade written by hand on a blocking socket (so
 * that a test writes raw frames after it) and a handler that takes nothing (the transport's own answers are tested).
 */
final class RawWebSocketPeer {

    /** A connection's handler that does nothing with what comes. */
    static final ConnectionHandler IGNORING = new ConnectionHandler() {
        @Override
        public void onFrame(Frame frame) {
        }

        @Override
        public void onClosed(String reason) {
        }
    };

    private RawWebSocketPeer() {
    }

    /** Asks for the upgrade to {@code /imr} and reads the answer's head (to its blank line): returns that head. */
    static String upgrade(Socket s) throws IOException {
        s.getOutputStream().write(("GET /imr HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: aW1yLWZ1enota2V5LTE2Yg==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during the upgrade, after: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** A socket to {@code port} (reads time out after 10 s), upgraded; fails unless the server answered 101. */
    static Socket upgraded(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        try {
            s.setSoTimeout(10_000);
            String head = upgrade(s);
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new AssertionError("the upgrade was not accepted: " + head);
            }
            return s;
        } catch (IOException | RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }
}
