package io.imr.api.frame;

/**
 * Tells the peer why the connection is about to close (or, for {@link Code#SEND_REFUSED} and a
 * {@link Code#RATE_LIMITED} naming a send, why one send was not taken while the session goes on).
 *
 * @param code             what kind of error
 * @param message          a sentence for a person, saying what to do
 * @param ref              the client id of a refused or limited send, or empty
 * @param retryAfterMillis for {@link Code#RATE_LIMITED}: how long to wait before trying again, in milliseconds;
 *                         0 otherwise
 */
public record ErrorFrame(Code code, String message, String ref, long retryAfterMillis) implements Frame {

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
        STALE_HELLO(10),
        /**
         * A limit of the server was reached; try again after {@link #retryAfterMillis()}. With a {@link #ref()}
         * (a send's client id): that send was not taken, the session goes on, and the device keeps the message
         * in its outbox and sends nothing for that long (a back-off, never a loss). Without: the connection
         * closes (too many sessions of the user, or connections from the address); reconnect no sooner.
         */
        RATE_LIMITED(11);

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
        if (retryAfterMillis < 0 || (retryAfterMillis > 0) != (code == Code.RATE_LIMITED)) {
            throw new IllegalArgumentException("error.retry_after_ms must be 0, or positive for RATE_LIMITED, got "
                    + retryAfterMillis + " for " + code);
        }
    }

    public ErrorFrame(Code code, String message, String ref) {
        this(code, message, ref, 0);
    }

    public ErrorFrame(Code code, String message) {
        this(code, message, "");
    }

    @Override
    public String type() {
        return "error";
    }
}
