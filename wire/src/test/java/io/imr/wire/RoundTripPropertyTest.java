package io.imr.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Message;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.frame.PullResult;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/** Every valid frame comes back equal, as one body and through a byte stream cut anywhere. */
class RoundTripPropertyTest {

    private static final List<String> ALL_TYPES = List.of("hello", "welcome", "error", "send", "send-ack", "deliver",
            "ack", "ack-up-to", "pull", "pull-result", "notify", "ping", "pong", "bye");

    private final FrameCodec codec = new FrameCodec();

    @Provide
    Arbitrary<Frame> frames() {
        return FrameArbitraries.full().frames();
    }

    @Provide
    Arbitrary<Frame> batches() {
        return FrameArbitraries.full().batches();
    }

    @Property(tries = 1500)
    void everyFrameTypeSurvivesEncodeAndDecode(@ForAll("frames") Frame frame) {
        byte[] body = codec.encode(frame);

        assertThat(codec.decode(body)).isEqualTo(frame);
        assertThat(body[0]).isEqualTo((byte) Frame.PROTOCOL_VERSION);

        Statistics.label("body size").collect(body.length <= 256 ? "<= 256 B" : body.length <= 64 * 1024
                ? "<= 64 KiB" : body.length <= Message.MAX_PAYLOAD ? "<= 1 MiB" : "> 1 MiB");
        Statistics.label("type").collect(frame.type());
        Statistics.label("type").coverage(coverage -> {
            for (String type : ALL_TYPES) {
                coverage.check(type).count(n -> n > 0);
            }
        });
    }

    @Property(tries = 150)
    void aBodyDecodesAtAnyOffsetOfALargerBuffer(@ForAll("frames") Frame frame, @ForAll @Size(max = 40) byte[] before,
                                                @ForAll @Size(max = 40) byte[] after) {
        byte[] body = codec.encode(frame);
        byte[] buffer = concat(List.of(before, body, after));

        assertThat(codec.decode(buffer, before.length, body.length)).isEqualTo(frame);
    }

    @Property(tries = 150)
    void theLengthPrefixIsTheBodysLength(@ForAll("frames") Frame frame) {
        byte[] body = codec.encode(frame);
        byte[] withLength = codec.encodeWithLength(frame);

        assertThat(FrameCodec.readInt(withLength, 0)).isEqualTo(body.length);
        assertThat(Arrays.copyOfRange(withLength, 4, withLength.length)).isEqualTo(body);
    }

    @Property(tries = 400)
    void framesBackToBackSurviveAnyCuttingOfTheStream(@ForAll("streams") List<Frame> frames, @ForAll long cutSeed,
                                                     @ForAll boolean directBuffers) {
        List<byte[]> encoded = new ArrayList<>();
        for (Frame f : frames) {
            encoded.add(codec.encodeWithLength(f));
        }
        byte[] stream = concat(encoded);
        LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(codec);
        List<Frame> received = new ArrayList<>();

        Random random = new Random(cutSeed);
        int at = 0;
        while (at < stream.length) {
            // Chunk sizes from a byte to a large socket read, with the scale itself drawn.
            int scale = new int[] {8, 512, 64 * 1024}[random.nextInt(3)];
            int n = Math.min(stream.length - at, 1 + random.nextInt(scale));
            decoder.feed(chunk(stream, at, n, directBuffers, random.nextBoolean()), received::add);
            at += n;
        }

        assertThat(received).isEqualTo(frames);
        assertThat(decoder.hasPartialFrame()).isFalse();
        Statistics.label("frames in stream").collect(frames.size());
    }

    @Provide
    Arbitrary<List<Frame>> streams() {
        return FrameArbitraries.full().frames().list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 150)
    void aBatchStaysWithinItsMessagesBoundsPlusTheFrameOverhead(@ForAll("batches") Frame frame) {
        List<Message> messages = frame instanceof Deliver d ? d.messages() : ((PullResult) frame).messages();
        long bound = FrameCodec.BATCH_FRAME_OVERHEAD;
        long payloads = 0;
        for (Message m : messages) {
            bound += MessageMapping.maxSizeInBatch(m);
            payloads += m.payload().length;
        }

        long size = codec.encode(frame).length;

        assertThat(size).isBetween(payloads + FrameCodec.ENVELOPE_BYTES, bound);
    }

    /** A chunk as a transport might hand it over: a heap slice (array offset not 0), a heap window, or direct. */
    private static ByteBuffer chunk(byte[] stream, int at, int n, boolean direct, boolean slice) {
        if (direct) {
            ByteBuffer b = ByteBuffer.allocateDirect(n);
            b.put(stream, at, n).flip();
            return b;
        }
        ByteBuffer window = ByteBuffer.wrap(stream, at, n);
        return slice ? window.slice() : window;
    }

    static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
