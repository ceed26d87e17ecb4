package io.imr.transport.vertx;

import io.imr.api.Message;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.frame.PullResult;
import io.imr.api.frame.Send;

/**
 * Counts bytes on the wire, split into payload and control (the {@code imr.bytes.*} meters), so
 * that strategies can be compared by what their control traffic costs per message.
 */
@FunctionalInterface
public interface WireMeter {

    /** Does not count. */
    WireMeter NONE = (total, payload) -> { };

    /** One frame of {@code totalBytes} on the wire, {@code payloadBytes} of which are application payload. */
    void frame(int totalBytes, int payloadBytes);

    /** The application payload bytes a frame carries. */
    static int payloadBytes(Frame frame) {
        if (frame instanceof Deliver d) {
            return sum(d.messages());
        }
        if (frame instanceof PullResult p) {
            return sum(p.messages());
        }
        if (frame instanceof Send s) {
            return s.payload().length;
        }
        return 0;
    }

    private static int sum(java.util.List<Message> messages) {
        int n = 0;
        for (Message m : messages) {
            n += m.payload().length;
        }
        return n;
    }
}
