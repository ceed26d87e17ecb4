package io.imr.engine;

import io.imr.api.ImrException;
import io.imr.api.frame.ErrorFrame;

/** Why a client stopped or a send failed. Each says what to do. */
public class ClientException extends ImrException {

    public ClientException(String message) {
        super(message);
    }

    public ClientException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The server refused the session for good (a bad token, no common strategy, another
     * protocol version): retrying would not help, so the client stopped.
     */
    public static final class RefusedException extends ClientException {
        private final ErrorFrame.Code code;

        public RefusedException(ErrorFrame.Code code, String message) {
            super(message);
            this.code = code;
        }

        public ErrorFrame.Code code() {
            return code;
        }
    }

    /** A newer session of the same device replaced this one; this client stopped. */
    public static final class SessionReplacedException extends ClientException {
        public SessionReplacedException(String message) {
            super(message);
        }
    }

    /** The server refused one send for good (for example a payload that fails its checksum). */
    public static final class SendRefusedException extends ClientException {
        public SendRefusedException(String message) {
            super(message);
        }
    }

    /** The outbox holds as many unconfirmed sends as allowed; wait for confirmations. */
    public static final class OutboxFullException extends ClientException {
        public OutboxFullException(String message) {
            super(message);
        }
    }

    /** The client was closed. */
    public static final class ClosedException extends ClientException {
        public ClosedException(String message) {
            super(message);
        }
    }
}
