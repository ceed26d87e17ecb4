package io.imr.transport.vertx;

import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Notify;
import io.imr.api.frame.Pull;
import io.imr.api.frame.PullResult;
import io.imr.api.frame.Send;

/**
 * Counts bytes on the wire, split into payload and control (the {@code imr.bytes.*} meters), and the
 * confirmation bytes among the control bytes: frames between a device and the server that carry no
 * message and serve delivery (ack, ack-up-to, pull, notify; not send-ack, ping or pong). So strategies
 * can be compared by what their control traffic costs per message.
 */
@FunctionalInterface
public interface WireMeter {

    /** Does not count. */
    WireMeter NONE = (total, payload, confirmation) -> { };

    /**
     * Bytes on the wire: {@code payloadBytes} of them application payload, {@code confirmationBytes} of
     * them frames that only confirm or ask ({@link #isConfirmation}).
     */
    void frame(int totalBytes, int payloadBytes, int confirmationBytes);

    /** Whether a frame counts as confirmation traffic: ack, ack-up-to, pull or notify. */
    static boolean isConfirmation(Frame frame) {
        return frame instanceof Ack || frame instanceof AckUpTo || frame instanceof Pull || frame instanceof Notify;
    }

    /** The application payload bytes a frame carries. */
    static int payloadBytes(Frame frame) {
        if (frame instanceof Deliver d) {
            return sum(d.messages());
        }
        if (frame instanceof PullResult p) {
            return sum(p.messages());
        }
        if (frame instanceof Send s) {
            int n = 0;
            for (Send.Item item : s.items()) {
                n += item.payload().length;
            }
            return n;
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
