package io.imr.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Ping;
import io.imr.api.frame.Send;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LengthPrefixedDecoderTest {

    private final FrameCodec codec = new FrameCodec();

    private static byte[] header(long length) {
        return new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    /** Bytes allocated by this thread while the action ran (HotSpot's per-thread counter). */
    private static long allocatedBy(Runnable action) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocated bytes");
        long before = threads.getCurrentThreadAllocatedBytes();
        action.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void aHugeDeclaredLengthFailsRightAfterTheHeaderWithoutAllocatingTheBody() {
        LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(new FrameCodec(1024));
        byte[] gib = header(1L << 30);
        List<ProtocolException> failures = new ArrayList<>();

        long allocated = allocatedBy(() -> failures.add(catchThrowableOfType(ProtocolException.class,
                () -> decoder.feed(gib))));

        assertThat(failures.get(0)).isNotNull().hasMessage("frame of 1073741824 bytes exceeds the limit of 1024");
        assertThat(failures.get(0).code()).isEqualTo(ErrorFrame.Code.BAD_FRAME);
        assertThat(allocated).as("bytes allocated while rejecting the header").isLessThan(64 * 1024);
    }

    @Test
    void theLargestDeclaredLengthsFailInTheNormalHeap() {
        for (long length : new long[] {Integer.MAX_VALUE, 0xFFFF_FFFFL, FrameCodec.DEFAULT_MAX_FRAME_BYTES + 1L}) {
            LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(codec);

            assertThatThrownBy(() -> decoder.feed(header(length))).isInstanceOf(ProtocolException.class)
                    .hasMessage("frame of " + length + " bytes exceeds the limit of 4194304");
        }
    }

    @Test
    void theLengthIsCheckedOnceItsFourthByteArrives() {
        LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(codec);
        byte[] h = header(0x7FFF_FFFFL);

        for (int i = 0; i < 3; i++) {
            assertThat(decoder.feed(new byte[] {h[i]})).isEmpty();
            assertThat(decoder.hasPartialFrame()).isTrue();
        }
        assertThatThrownBy(() -> decoder.feed(new byte[] {h[3]})).isInstanceOf(ProtocolException.class);
    }

    @Test
    void aZeroLengthBodyIsAnError() {
        LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(codec);

        assertThatThrownBy(() -> decoder.feed(header(0))).isInstanceOf(ProtocolException.class)
                .hasMessage("frame of 0 bytes is shorter than the 5 bytes of its version byte and CRC32C");
    }

    @Test
    void afterAnErrorEveryFeedThrowsTheSameError() {
        LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(codec);
        ProtocolException first = catchThrowableOfType(ProtocolException.class, () -> decoder.feed(header(0)));

        byte[] good = codec.encodeWithLength(new Ping(1));

        assertThat(decoder.failed()).isTrue();
        assertThat(decoder.failure()).isSameAs(first);
        assertThatThrownBy(() -> decoder.feed(good)).isSameAs(first);
        assertThatThrownBy(() -> decoder.feed(new byte[0])).isSameAs(first);
    }

    @Test
    void framesBeforeABadFrameInTheSameChunkReachTheSink() {
        byte[] good = codec.encodeWithLength(new Ping(1));
        byte[] bad = codec.encodeWithLength(new Ping(2));
        bad[bad.length - 1] ^= 1;
        LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(codec);
        List<Frame> received = new ArrayList<>();

        assertThatThrownBy(() -> decoder.feed(ByteBuffer.wrap(RoundTripPropertyTest.concat(List.of(good, bad, good))),
                received::add))
                .isInstanceOf(ProtocolException.class).hasMessageStartingWith("frame CRC32C mismatch");
        assertThat(received).containsExactly(new Ping(1));
    }

    @Test
    void aSinkThatThrowsLeavesTheDecoderFailed() {
        byte[] two = RoundTripPropertyTest.concat(List.of(codec.encodeWithLength(new Ping(1)),
                codec.encodeWithLength(new Ping(2))));
        LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(codec);
        RuntimeException boom = new RuntimeException("boom");

        assertThatThrownBy(() -> decoder.feed(ByteBuffer.wrap(two), f -> {
            throw boom;
        })).isSameAs(boom);
        assertThatThrownBy(() -> decoder.feed(new byte[0])).isInstanceOf(IllegalStateException.class)
                .extracting(Throwable::getCause).isSameAs(boom);
    }

    @Test
    void severalFramesInOneChunkAndOneFrameInManyChunks() {
        byte[] payload = "hello".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Send send = Send.of("c", 1, "bob", payload, Checksums.crc32c(payload));
        byte[] stream = RoundTripPropertyTest.concat(List.of(codec.encodeWithLength(new Ping(1)),
                codec.encodeWithLength(send), codec.encodeWithLength(new Ping(3))));
        LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(codec);

        assertThat(decoder.feed(stream)).containsExactly(new Ping(1), send, new Ping(3));

        List<Frame> received = new ArrayList<>();
        for (byte b : stream) {
            received.addAll(decoder.feed(new byte[] {b}));
        }
        assertThat(received).containsExactly(new Ping(1), send, new Ping(3));
    }

    @Test
    void readOnlyAndOffsetChunksAreRead() {
        byte[] stream = RoundTripPropertyTest.concat(List.of(new byte[] {1, 2}, codec.encodeWithLength(new Ping(9))));
        LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(codec);

        assertThat(decoder.feed(ByteBuffer.wrap(stream, 2, stream.length - 2).asReadOnlyBuffer())).containsExactly(
                new Ping(9));
        assertThat(decoder.feed(stream, 2, stream.length - 2)).containsExactly(new Ping(9));
    }

    /**
     * A 1 MiB frame in 100-byte chunks must cost about its own size in allocations (the body
     * array, the payload the Message owns), not the square of its chunk count.
     */
    @Test
    void aLargeFrameInSmallChunksIsCopiedOnce() {
        byte[] payload = new byte[Message.MAX_PAYLOAD];
        new Random(1).nextBytes(payload);
        Send send = Send.of("c", 1, "bob", payload, Checksums.crc32c(payload));
        byte[] stream = codec.encodeWithLength(send);
        LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(codec);
        List<Frame> received = new ArrayList<>();
        ByteBuffer chunk = ByteBuffer.allocateDirect(100);

        long allocated = allocatedBy(() -> {
            for (int at = 0; at < stream.length; at += 100) {
                chunk.clear();
                chunk.put(stream, at, Math.min(100, stream.length - at)).flip();
                decoder.feed(chunk, received::add);
            }
        });

        assertThat(received).containsExactly(send);
        assertThat(allocated).as("bytes allocated while decoding").isLessThan(3L * stream.length);
    }
}
