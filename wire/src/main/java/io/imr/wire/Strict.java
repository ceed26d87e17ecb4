package io.imr.wire;

import com.google.protobuf.GeneratedMessage;
import io.imr.api.frame.ErrorFrame;

/**
 * The checks Protocol Buffers leaves out. proto3 parsing keeps fields it does not know in each
 * message's unknown-field set and reads uint64 values above {@code Long.MAX_VALUE} as negative
 * Java longs; imr rejects both rather than act on a frame it only partly understood.
 */
final class Strict {

    private Strict() {
    }

    /**
     * @param where the message's place in the frame, for the error message
     * @throws ProtocolException (BAD_FRAME) naming the first unknown field number
     */
    static void noUnknownFields(GeneratedMessage message, String where) {
        if (!message.getUnknownFields().isEmpty()) {
            throw new ProtocolException(ErrorFrame.Code.BAD_FRAME, where + " holds unknown field number "
                    + message.getUnknownFields().asMap().keySet().iterator().next()
                    + " (this side speaks protocol version " + io.imr.api.frame.Frame.PROTOCOL_VERSION + ")");
        }
    }

    /**
     * A uint64 field's value as a Java long.
     *
     * @throws ProtocolException (BAD_FRAME) if the value is above {@code Long.MAX_VALUE}
     */
    static long u64(long value, String where, String field) {
        if (value < 0) {
            throw new ProtocolException(ErrorFrame.Code.BAD_FRAME, where + "." + field + " "
                    + Long.toUnsignedString(value) + " is out of range (at most " + Long.MAX_VALUE + ")");
        }
        return value;
    }

    /**
     * A uint32 field's value as a Java int.
     *
     * @throws ProtocolException (BAD_FRAME) if the value is above {@code Integer.MAX_VALUE}
     */
    static int u32(int value, String where, String field) {
        if (value < 0) {
            throw new ProtocolException(ErrorFrame.Code.BAD_FRAME, where + "." + field + " "
                    + Integer.toUnsignedString(value) + " is out of range (at most " + Integer.MAX_VALUE + ")");
        }
        return value;
    }
}
