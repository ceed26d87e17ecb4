package io.imr.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.imr.api.Message;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.PullResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Turns frames into bytes and bytes into frames, in imr's envelope (G4, spec section 5).
 *
 * <p>A frame's <em>body</em> is
 * <pre>
 *   [1 byte protocol version][protobuf bytes of imr.v1.Frame][4 bytes CRC32C, big-endian]
 * </pre>
 * where the CRC32C covers the version byte and the protobuf bytes. Over TCP each body is
 * preceded by its length, a 4-byte big-endian unsigned integer ({@link #encodeWithLength},
 * {@link LengthPrefixedDecoder}); over WebSocket one body is one binary message
 * ({@link #encode}, {@link #decode(byte[])}). The version byte is {@link Frame#PROTOCOL_VERSION}.
 *
 * <p>Decoding is strict: a body above the limit, with a wrong CRC, of another version, that is
 * not Protocol Buffers, that sets no frame body, that holds a field number this side does not
 * know (in any nested message: a new field needs a new protocol version), an enum value out of
 * range, or a field that breaks its rule in the api records, is rejected with a
 * {@link ProtocolException}. A decoded frame is therefore one that may be acted on. The
 * payload checksums inside messages are carried, not checked: that is the receiver's end-to-end
 * check, which treats a bad message as lost rather than the connection as broken.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class FrameCodec {

    /** The default largest body accepted and produced: 4 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 4 << 20;

    /**
     * The smallest limit a codec may have: 1 KiB. Below it even ordinary control frames would
     * not fit; a limit below {@link Message#MAX_PAYLOAD} plus some bytes means the largest
     * messages cannot be sent, which is the operator's choice to make.
     */
    public static final int MIN_MAX_FRAME_BYTES = 1024;

    /**
     * The largest limit a codec may have: a body must fit in one Java array, and the length
     * prefix plus body in another.
     */
    public static final int MAX_MAX_FRAME_BYTES = Integer.MAX_VALUE - 16;

    /** Bytes of the TCP length prefix. */
    public static final int LENGTH_PREFIX_BYTES = 4;

    /** Bytes the envelope adds to the protobuf bytes: the version byte and the CRC32C. */
    public static final int ENVELOPE_BYTES = 5;

    /**
     * An upper bound of the bytes a Deliver or PullResult body holds besides what its messages add
     * ({@link MessageMapping#maxSizeInBatch}): the envelope, the body's tag and length, and the
     * batch's own fields (recipient, epoch, max seq, base seq, from seq) at their largest.
     */
    public static final int BATCH_FRAME_OVERHEAD = 128;

    private final int maxFrameBytes;

    /** A codec with the {@link #DEFAULT_MAX_FRAME_BYTES default limit}. */
    public FrameCodec() {
        this(DEFAULT_MAX_FRAME_BYTES);
    }

    /**
     * @param maxFrameBytes the largest body accepted and produced, not counting a length prefix
     * @throws IllegalArgumentException if the limit is outside {@link #MIN_MAX_FRAME_BYTES} to
     *                                  {@link #MAX_MAX_FRAME_BYTES}
     */
    public FrameCodec(int maxFrameBytes) {
        if (maxFrameBytes < MIN_MAX_FRAME_BYTES || maxFrameBytes > MAX_MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes must be " + MIN_MAX_FRAME_BYTES + " to "
                    + MAX_MAX_FRAME_BYTES + ", got " + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    /** The largest body this codec accepts and produces, not counting a length prefix. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /**
     * The body of a frame, as sent in one WebSocket binary message.
     *
     * @throws IllegalArgumentException if the body would exceed {@link #maxFrameBytes()} (a batch
     *                                  too large: size it with {@link MessageMapping#maxSizeInBatch}) or
     *                                  a text field holds an unpaired surrogate; nothing is
     *                                  allocated for the body then
     */
    public byte[] encode(Frame frame) {
        io.imr.wire.proto.Frame proto = toProto(frame);
        int size = proto.getSerializedSize();
        byte[] out = new byte[checkedBodySize(frame, size)];
        writeBody(proto, size, out, 0);
        return out;
    }

    /**
     * The length prefix and body of a frame, as sent over TCP.
     *
     * @throws IllegalArgumentException as {@link #encode}
     */
    public byte[] encodeWithLength(Frame frame) {
        io.imr.wire.proto.Frame proto = toProto(frame);
        int size = proto.getSerializedSize();
        int bodySize = checkedBodySize(frame, size);
        byte[] out = new byte[LENGTH_PREFIX_BYTES + bodySize];
        writeInt(out, 0, bodySize);
        writeBody(proto, size, out, LENGTH_PREFIX_BYTES);
        return out;
    }

    /**
     * The frame in a whole body.
     *
     * @throws ProtocolException if the body is not a valid frame: UNSUPPORTED_VERSION for an
     *                           intact body of another protocol version, BAD_FRAME for anything
     *                           else; no part of the frame is returned then
     */
    public Frame decode(byte[] body) {
        return decode(body, 0, body.length);
    }

    /**
     * The frame in {@code length} bytes of {@code buffer} from {@code offset}. The bytes are not
     * kept: the frame returned shares nothing with the buffer.
     *
     * @throws ProtocolException as {@link #decode(byte[])}
     * @throws IndexOutOfBoundsException if the range is not inside the buffer
     */
    public Frame decode(byte[] buffer, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        checkBodyLength(length);
        int crcAt = offset + length - 4;
        int declared = readInt(buffer, crcAt);
        CRC32C crc = new CRC32C();
        crc.update(buffer, offset, length - 4);
        int actual = (int) crc.getValue();
        if (actual != declared) {
            throw new ProtocolException(ErrorFrame.Code.BAD_FRAME, "frame CRC32C mismatch: the frame says "
                    + hex8(declared) + ", its bytes give " + hex8(actual) + " (corrupted on the way)");
        }
        // Checked after the CRC so that a corrupted version byte is reported as corruption.
        int version = buffer[offset] & 0xFF;
        if (version != Frame.PROTOCOL_VERSION) {
            throw new ProtocolException(ErrorFrame.Code.UNSUPPORTED_VERSION, "frame has protocol version " + version
                    + ", this side speaks version " + Frame.PROTOCOL_VERSION);
        }
        return FromProto.frame(parse(buffer, offset + 1, length - ENVELOPE_BYTES));
    }

    /**
     * Checks a body length against the limits, as declared by a length prefix or as received.
     *
     * @throws ProtocolException (BAD_FRAME) if it is above {@link #maxFrameBytes()} or below
     *                           {@link #ENVELOPE_BYTES}
     */
    void checkBodyLength(long length) {
        if (length > maxFrameBytes) {
            throw new ProtocolException(ErrorFrame.Code.BAD_FRAME,
                    "frame of " + length + " bytes exceeds the limit of " + maxFrameBytes);
        }
        if (length < ENVELOPE_BYTES) {
            throw new ProtocolException(ErrorFrame.Code.BAD_FRAME, "frame of " + length
                    + " bytes is shorter than the " + ENVELOPE_BYTES + " bytes of its version byte and CRC32C");
        }
    }

    private io.imr.wire.proto.Frame toProto(Frame frame) {
        Objects.requireNonNull(frame, "frame");
        // A batch of large payloads would overflow protobuf's int size arithmetic before the
        // exact check below could see it; its payloads alone tell it is too large.
        if (frame instanceof Deliver d) {
            checkPayloads(frame, d.messages());
        } else if (frame instanceof PullResult r) {
            checkPayloads(frame, r.messages());
        }
        return ToProto.frame(frame);
    }

    private void checkPayloads(Frame frame, List<Message> messages) {
        long total = 0;
        for (int i = 0, n = messages.size(); i < n; i++) {
            total += messages.get(i).payload().length;
        }
        if (total > maxFrameBytes) {
            throw tooLarge(frame, total);
        }
    }

    private int checkedBodySize(Frame frame, int protoSize) {
        long bodySize = (long) protoSize + ENVELOPE_BYTES;
        if (bodySize > maxFrameBytes) {
            throw tooLarge(frame, bodySize);
        }
        return (int) bodySize;
    }

    private IllegalArgumentException tooLarge(Frame frame, long atLeast) {
        return new IllegalArgumentException("a " + frame.type() + " frame of at least " + atLeast
                + " bytes exceeds the limit of " + maxFrameBytes + "; send fewer messages in one frame");
    }

    private static void writeBody(io.imr.wire.proto.Frame proto, int size, byte[] out, int at) {
        out[at] = (byte) Frame.PROTOCOL_VERSION;
        CodedOutputStream cos = CodedOutputStream.newInstance(out, at + 1, size);
        try {
            proto.writeTo(cos);
        } catch (IOException e) {
            // Writing into an array of the exact size cannot fail; if it did, the size was wrong.
            throw new UncheckedIOException("protobuf size and encoding disagree", e);
        }
        cos.checkNoSpaceLeft();
        CRC32C crc = new CRC32C();
        crc.update(out, at, 1 + size);
        writeInt(out, at + 1 + size, (int) crc.getValue());
    }

    private static io.imr.wire.proto.Frame parse(byte[] buffer, int offset, int length) {
        // Read through an (unsafely) wrapped ByteString with aliasing on, so that bytes fields
        // share the buffer instead of copying it (protobuf aliases only input it believes
        // immutable). Safe because nothing of the proto outlives this decode: the mapping copies
        // each payload once, into the array its Message owns.
        CodedInputStream in = UnsafeByteOperations.unsafeWrap(buffer, offset, length).newCodedInput();
        in.enableAliasing(true);
        try {
            io.imr.wire.proto.Frame frame = io.imr.wire.proto.Frame.parseFrom(in);
            // parseFrom stops quietly at a stray end-group tag; bytes after it must not be ignored.
            in.checkLastTagWas(0);
            if (!in.isAtEnd()) {
                throw new InvalidProtocolBufferException("bytes after the end of the message");
            }
            return frame;
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException(ErrorFrame.Code.BAD_FRAME, "frame is not valid Protocol Buffers: "
                    + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            // protobuf-java documents only InvalidProtocolBufferException for bad input; anything
            // else it throws on an in-memory array was still caused by the input.
            throw new ProtocolException(ErrorFrame.Code.BAD_FRAME, "frame is not valid Protocol Buffers: " + e, e);
        }
    }

    static int readInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    private static void writeInt(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 24);
        b[at + 1] = (byte) (value >>> 16);
        b[at + 2] = (byte) (value >>> 8);
        b[at + 3] = (byte) value;
    }

    /** {@code %08x} without a {@code Formatter}: this runs for every corrupted frame a peer sends. */
    static String hex8(int value) {
        String h = Integer.toHexString(value);
        return "00000000".substring(h.length()) + h;
    }
}
