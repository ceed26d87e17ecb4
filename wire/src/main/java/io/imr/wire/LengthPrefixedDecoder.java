package io.imr.wire;

import io.imr.api.frame.Frame;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Reassembles frames from a byte stream (TCP) in which each body is preceded by its length, a
 * 4-byte big-endian unsigned integer. Chunks may split frames anywhere and may hold several.
 *
 * <p>The declared length is checked against the codec's limit as soon as its 4 bytes are in,
 * before anything is allocated for the body, so a peer declaring 2 GiB costs nothing but an
 * error. A body is then collected into one array of its exact size (each byte is copied once,
 * however small the chunks), or decoded straight from the chunk when the chunk holds it whole.
 *
 * <p>After any {@link ProtocolException} the decoder is failed for good: the stream has lost
 * its framing, so every later {@code feed} throws the same exception. The connection is to be
 * answered with {@link ProtocolException#toErrorFrame()} and closed.
 *
 * <p>One decoder serves one connection and is not thread-safe: feed it from one thread at a
 * time (a Vert.x connection's event loop, the simulator's loop).
 */
public final class LengthPrefixedDecoder {

    private final FrameCodec codec;
    private final byte[] header = new byte[FrameCodec.LENGTH_PREFIX_BYTES];
    private int headerFill;
    /** The body being collected, of its declared size; null while a header is being read. */
    private byte[] body;
    private int bodyFill;
    private RuntimeException failure;

    /** A decoder checking lengths and frames with this codec. */
    public LengthPrefixedDecoder(FrameCodec codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /**
     * Takes the next bytes of the stream and hands each frame they complete to {@code sink}, in
     * stream order. The chunk is read from its position to its limit, and its position is left at
     * its limit (or, if this throws, somewhere in between). The chunk is not kept.
     *
     * @throws ProtocolException if the stream holds a bad length or a bad frame (the frames before
     *                           it have been handed to the sink), and on every feed after that
     * @throws IllegalStateException on every feed after a sink threw
     * @throws RuntimeException whatever the sink throws; the rest of the chunk is then lost, so the
     *                          decoder is failed from then on
     */
    public void feed(ByteBuffer chunk, Consumer<? super Frame> sink) {
        Objects.requireNonNull(sink, "sink");
        if (failure != null) {
            throw failure;
        }
        try {
            while (chunk.hasRemaining()) {
                Frame frame = body == null ? readHeaderAndMaybeWholeBody(chunk) : readBody(chunk);
                if (frame != null) {
                    hand(frame, sink);
                }
            }
        } catch (ProtocolException e) {
            if (failure == null) {
                failure = e;
            }
            throw e;
        }
    }

    /**
     * As {@link #feed(ByteBuffer, Consumer)}, returning the frames completed.
     *
     * @throws ProtocolException if the stream holds a bad length or a bad frame (the frames before
     *                           it in this chunk are not returned), and on every feed after that
     */
    public List<Frame> feed(ByteBuffer chunk) {
        List<Frame> frames = new ArrayList<>(2);
        feed(chunk, frames::add);
        return frames;
    }

    /** As {@link #feed(ByteBuffer)}, for a whole array. */
    public List<Frame> feed(byte[] chunk) {
        return feed(ByteBuffer.wrap(chunk));
    }

    /** As {@link #feed(ByteBuffer)}, for {@code length} bytes of an array from {@code offset}. */
    public List<Frame> feed(byte[] chunk, int offset, int length) {
        return feed(ByteBuffer.wrap(chunk, offset, length));
    }

    /**
     * Whether bytes of an unfinished frame are held: a stream that ends now ended in the middle
     * of a frame (the peer's last frame is lost, like any frame on a cut connection).
     */
    public boolean hasPartialFrame() {
        return headerFill > 0 || body != null;
    }

    /** Whether an earlier feed failed, after which every feed throws. */
    public boolean failed() {
        return failure != null;
    }

    /** The exception every feed throws from now on, or null while the decoder works. */
    public RuntimeException failure() {
        return failure;
    }

    /** Reads (the rest of) a length prefix; once it is whole, starts the body. */
    private Frame readHeaderAndMaybeWholeBody(ByteBuffer chunk) {
        int n = Math.min(chunk.remaining(), header.length - headerFill);
        chunk.get(header, headerFill, n);
        headerFill += n;
        if (headerFill < header.length) {
            return null;
        }
        headerFill = 0;
        long length = Integer.toUnsignedLong(FrameCodec.readInt(header, 0));
        // Before any allocation: a hostile length must cost nothing.
        codec.checkBodyLength(length);
        int size = (int) length;
        if (chunk.hasArray() && chunk.remaining() >= size) {
            // The whole body is in the chunk: decode it in place, no copy.
            int at = chunk.arrayOffset() + chunk.position();
            chunk.position(chunk.position() + size);
            return codec.decode(chunk.array(), at, size);
        }
        body = new byte[size];
        bodyFill = 0;
        return readBody(chunk);
    }

    /** Copies what the chunk has of the current body; decodes the body once it is whole. */
    private Frame readBody(ByteBuffer chunk) {
        int n = Math.min(chunk.remaining(), body.length - bodyFill);
        chunk.get(body, bodyFill, n);
        bodyFill += n;
        if (bodyFill < body.length) {
            return null;
        }
        byte[] whole = body;
        body = null;
        return codec.decode(whole);
    }

    private void hand(Frame frame, Consumer<? super Frame> sink) {
        try {
            sink.accept(frame);
        } catch (RuntimeException e) {
            // The rest of this chunk will not be read, so the stream's framing is lost.
            failure = new IllegalStateException("the decoder stopped because its frame consumer threw: " + e, e);
            throw e;
        }
    }
}
