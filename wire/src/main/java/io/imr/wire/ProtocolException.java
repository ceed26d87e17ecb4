package io.imr.wire;

import io.imr.api.ImrException;
import io.imr.api.frame.ErrorFrame;
import java.util.Objects;

/**
 * A peer sent bytes that are not a valid frame: too large, corrupted, of another protocol
 * version, not Protocol Buffers, or breaking a field rule. The connection it came on is to be
 * answered with {@link #toErrorFrame()} and closed; nothing the frame said may be acted on. It carries no stack
 * trace: a peer causes as many as it likes, and the message (with the cause, where one revealed it) says it all.
 */
public final class ProtocolException extends ImrException {

    private static final long serialVersionUID = 1L;

    /** The longest message an {@link ErrorFrame} may carry. */
    private static final int MAX_ERROR_MESSAGE = 1024;

    private final ErrorFrame.Code code;

    /**
     * @param code    {@link ErrorFrame.Code#BAD_FRAME}, or {@link ErrorFrame.Code#UNSUPPORTED_VERSION}
     *                for a frame of another protocol version
     * @param message what was wrong, for a person
     */
    public ProtocolException(ErrorFrame.Code code, String message) {
        super(message, null, false);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** As {@link #ProtocolException(ErrorFrame.Code, String)}, keeping the failure that revealed it. */
    public ProtocolException(ErrorFrame.Code code, String message, Throwable cause) {
        super(message, cause, false);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The error code to tell the peer. */
    public ErrorFrame.Code code() {
        return code;
    }

    /** The frame that tells the peer what was wrong, with the message cut to what an error frame holds. */
    public ErrorFrame toErrorFrame() {
        String message = getMessage();
        if (message.length() > MAX_ERROR_MESSAGE) {
            int cut = MAX_ERROR_MESSAGE - 3;
            // Never split a surrogate pair: half of one cannot be encoded as UTF-8.
            if (Character.isHighSurrogate(message.charAt(cut - 1))) {
                cut--;
            }
            message = message.substring(0, cut) + "...";
        }
        return new ErrorFrame(code, message);
    }
}
