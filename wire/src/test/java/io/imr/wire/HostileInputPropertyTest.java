package io.imr.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Truncated, corrupted and random input ends in a {@link ProtocolException} or a wait for more
 * bytes, never in another exception, a hang or a frame that was not sent.
 */
class HostileInputPropertyTest {

    private final FrameCodec codec = new FrameCodec();

    @Provide
    Arbitrary<Frame> smallFrames() {
        return FrameArbitraries.small().frames();
    }

    @Property(tries = 150)
    void everyProperPrefixOfABodyIsRejected(@ForAll("smallFrames") Frame frame) {
        byte[] body = codec.encode(frame);
        for (int n = 0; n < body.length; n++) {
            byte[] prefix = Arrays.copyOf(body, n);

            Throwable thrown = catchThrowable(() -> codec.decode(prefix));

            assertRejectedUnlessSealed(prefix, thrown);
        }
    }

    @Property(tries = 100)
    void aStreamCutAnywhereWaitsForTheRestThenYieldsTheFrame(@ForAll("smallFrames") Frame frame) {
        byte[] stream = codec.encodeWithLength(frame);
        for (int cut = 0; cut < stream.length; cut++) {
            LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(codec);

            assertThat(decoder.feed(stream, 0, cut)).isEmpty();
            assertThat(decoder.hasPartialFrame()).isEqualTo(cut > 0);
            assertThat(decoder.feed(stream, cut, stream.length - cut)).containsExactly(frame);
            assertThat(decoder.hasPartialFrame()).isFalse();
        }
    }

    @Property(tries = 200)
    void everySingleBitFlipOfABodyIsCaughtByTheCrc(@ForAll("smallFrames") Frame frame) {
        byte[] body = codec.encode(frame);
        for (int bit = 0; bit < body.length * 8; bit++) {
            byte[] flipped = body.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));

            Throwable thrown = catchThrowable(() -> codec.decode(flipped));

            assertThat(thrown).isInstanceOf(ProtocolException.class).hasMessageContaining("CRC32C mismatch");
            assertThat(((ProtocolException) thrown).code()).isEqualTo(ErrorFrame.Code.BAD_FRAME);
        }
    }

    @Property(tries = 500)
    void randomBytesAreRejected(@ForAll @Size(max = 300) byte[] garbage) {
        Throwable thrown = catchThrowable(() -> codec.decode(garbage));

        assertRejectedUnlessSealed(garbage, thrown);
    }

    /**
     * Garbage in a valid envelope reaches the protobuf parser and the field checks: it either
     * happens to be a valid frame or is rejected as BAD_FRAME, nothing else.
     */
    @Property(tries = 2000)
    void garbageWithAValidCrcIsAFrameOrABadFrame(@ForAll @Size(max = 300) byte[] protobuf) {
        Throwable thrown = catchThrowable(() -> codec.decode(seal(protobuf)));

        assertBadFrameIfThrown(thrown);
    }

    /** Valid frames damaged in their protobuf bytes, then sealed again, probe the field checks deeper. */
    @Property(tries = 3000)
    void damagedFramesWithAValidCrcAreAFrameOrABadFrame(@ForAll("smallFrames") Frame frame, @ForAll long seed,
                                                       @ForAll @IntRange(min = 1, max = 4) int damages) {
        byte[] body = codec.encode(frame);
        byte[] protobuf = Arrays.copyOfRange(body, 1, body.length - 4);
        Random random = new Random(seed);
        for (int i = 0; i < damages && protobuf.length > 0; i++) {
            int at = random.nextInt(protobuf.length);
            switch (random.nextInt(3)) {
                case 0 -> protobuf[at] = (byte) random.nextInt(256);
                case 1 -> protobuf = Arrays.copyOf(protobuf, at);
                default -> protobuf[at] ^= (byte) (1 << random.nextInt(8));
            }
        }
        byte[] damaged = protobuf;

        Throwable thrown = catchThrowable(() -> codec.decode(seal(damaged)));

        assertBadFrameIfThrown(thrown);
    }

    @Property(tries = 300)
    void aGarbageStreamYieldsFramesOrOneProtocolErrorThatSticks(@ForAll @Size(max = 400) List<byte[]> chunks) {
        LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(codec);
        ProtocolException first = null;
        for (byte[] chunk : chunks) {
            Throwable thrown = catchThrowable(() -> decoder.feed(chunk));
            if (first != null) {
                assertThat(thrown).isSameAs(first);
            } else if (thrown != null) {
                assertThat(thrown).isInstanceOf(ProtocolException.class);
                first = (ProtocolException) thrown;
            }
        }
        assertThat(decoder.failed()).isEqualTo(first != null);
    }

    /** The version byte and a valid CRC32C around protobuf bytes. */
    static byte[] seal(byte[] protobuf) {
        return sealAs(Frame.PROTOCOL_VERSION, protobuf);
    }

    static byte[] sealAs(int version, byte[] protobuf) {
        byte[] body = new byte[protobuf.length + 5];
        body[0] = (byte) version;
        System.arraycopy(protobuf, 0, body, 1, protobuf.length);
        CRC32C crc = new CRC32C();
        crc.update(body, 0, protobuf.length + 1);
        int value = (int) crc.getValue();
        for (int i = 0; i < 4; i++) {
            body[protobuf.length + 1 + i] = (byte) (value >>> (24 - 8 * i));
        }
        return body;
    }

    private static void assertBadFrameIfThrown(Throwable thrown) {
        if (thrown != null) {
            assertThat(thrown).isInstanceOf(ProtocolException.class);
            assertThat(((ProtocolException) thrown).code()).isEqualTo(ErrorFrame.Code.BAD_FRAME);
            assertThat(thrown.getMessage()).isNotBlank();
        }
    }

    /**
     * Rejected with a ProtocolException; the one way random bytes may pass is by ending in a
     * CRC32C that matches them (a 1 in 2^32 chance), after which they are a frame by definition.
     */
    private static void assertRejectedUnlessSealed(byte[] bytes, Throwable thrown) {
        if (thrown == null) {
            assertThat(seal(Arrays.copyOfRange(bytes, 1, bytes.length - 4)))
                    .as("accepted bytes must be a version-1 body with its own valid CRC32C")
                    .isEqualTo(bytes);
        } else {
            assertThat(thrown).isInstanceOf(ProtocolException.class);
            assertThat(List.of(ErrorFrame.Code.BAD_FRAME, ErrorFrame.Code.UNSUPPORTED_VERSION))
                    .contains(((ProtocolException) thrown).code());
        }
    }
}
