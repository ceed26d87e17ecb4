package io.imr.api.frame;

/**
 * Tells the peer why the connection is about to close (or, for {@link Code#SEND_REFUSED}, why one
 * send was refused while the session goes on).
 *
 * @param code    what kind of error
 * @param message a sentence for a person, saying what to do
 * @param ref     the client id of a refused send, or empty
 */
public record ErrorFrame(Code code, String message, String ref) implements Frame {

    /** Kinds of error. Their numbers are the wire values; never reuse one. */
    public enum Code {
        /** A frame was malformed, too large, failed its CRC, or broke a field rule. */
        BAD_FRAME(1),
        /** The peer speaks a protocol version this side does not. */
        UNSUPPORTED_VERSION(2),
        /** The token was missing, malformed, forged or expired. */
        AUTH_FAILED(3),
        /** None of the device's strategies is one the server runs. */
        NO_COMMON_STRATEGY(4),
        /** A newer session of the same device replaced this one. */
        SESSION_REPLACED(5),
        /** The frame is not allowed in this state of the session or for this principal (G8). */
        NOT_ALLOWED(6),
        /** One send was refused (for example an unknown recipient); the session goes on. */
        SEND_REFUSED(7),
        /** The server is shutting down or cannot serve now; reconnect later. */
        UNAVAILABLE(8),
        /** Something broke inside the server. */
        INTERNAL(9),
        /**
         * The hello came from an earlier start of the device (a lower {@link Hello#incarnation()}) than the one
         * whose session is open: it does not replace it.
         */
        STALE_HELLO(10);

        private final int wire;

        Code(int wire) {
            this.wire = wire;
        }

        /** The number this code has on the wire. */
        public int wire() {
            return wire;
        }

        /**
         * The code with this wire number.
         *
         * @throws IllegalArgumentException for a number no code has
         */
        public static Code ofWire(int wire) {
            for (Code c : values()) {
                if (c.wire == wire) {
                    return c;
                }
            }
            throw new IllegalArgumentException("error.code " + wire + " is not a known error code");
        }
    }

    public ErrorFrame {
        if (code == null) {
            throw new IllegalArgumentException("error.code must not be null");
        }
        Checks.nonEmpty("error", "message", message, 1024);
        Checks.text("error", "ref", ref, 200);
    }

    public ErrorFrame(Code code, String message) {
        this(code, message, "");
    }

    @Override
    public String type() {
        return "error";
    }
}
