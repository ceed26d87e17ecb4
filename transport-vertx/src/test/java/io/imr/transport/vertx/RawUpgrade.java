package io.imr.transport.vertx;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A WebSocket upgrade written by hand on a blocking socket, so that a test writes raw frames after it. */
final class RawUpgrade {

    private RawUpgrade() {
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
}
