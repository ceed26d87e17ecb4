package io.imr.app;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Bye;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Notify;
import io.imr.api.frame.Ping;
import io.imr.api.frame.Pong;
import io.imr.api.frame.Pull;
import io.imr.api.frame.Send;
import io.imr.api.frame.SendAck;
import io.imr.api.frame.Welcome;
import io.imr.wire.FrameCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * The fuzz input of {@code imr fuzz}: frames made by the real {@link FrameCodec} (every frame type, a hello with a real
 * token), seeded mutations of their bytes, random bytes, and the envelopes around them (a TCP length prefix, a version
 * byte). Everything comes from one {@link SplittableRandom} of a seed, so a seed gives the same bytes every run; one
 * instance serves one thread.
 */
final class FrameMutator {

    /** The protocol versions a bad hello claims (in its field, or in its envelope's version byte). */
    static final int[] BAD_VERSIONS = java.util.stream.IntStream.of(1, 2, 3, 4, 5, 6, 7, 8, 100, 255)
            .filter(v -> v != Frame.PROTOCOL_VERSION).toArray();

    private final SplittableRandom random;
    private final FrameCodec codec;
    private final String token;
    private final String user;
    private final String device;

    /**
     * @param token  a token the server accepts for {@code user}/{@code device}, for valid hellos
     */
    FrameMutator(long seed, FrameCodec codec, String token, String user, String device) {
        this.random = new SplittableRandom(seed);
        this.codec = codec;
        this.token = token;
        this.user = user;
        this.device = device;
    }

    /** The codec whose frames are mutated. */
    FrameCodec codec() {
        return codec;
    }

    /** A number below {@code bound}, from this mutator's random source. */
    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** A hello of this protocol version (in its field; the envelope says the real one) with the real token. */
    Hello hello(int protocolVersion) {
        return new Hello(protocolVersion, token, user, device, List.of("hybrid", "ack", "seqid"), 0, 0, "", "", 1);
    }

    /** The body of a valid hello with the real token. */
    byte[] helloBody() {
        return codec.encode(hello(Frame.PROTOCOL_VERSION));
    }

    /** A valid frame of any type but hello, fields seeded. */
    Frame validNonHello() {
        long seq = 1 + random.nextInt(1_000_000);
        return switch (random.nextInt(12)) {
            case 0 -> new Ping(random.nextLong());
            case 1 -> new Pong(random.nextLong(), 1 + random.nextInt(3), seq);
            case 2 -> new Pull(seq, 1 + random.nextInt(Frame.MAX_BATCH), seq - 1);
            case 3 -> new Ack(1 + random.nextInt(3), List.of(new Ack.Range(seq, seq + random.nextInt(100))));
            case 4 -> new AckUpTo(1 + random.nextInt(3), seq);
            case 5 -> new Bye("fuzz " + random.nextInt(1000));
            case 6 -> send();
            case 7 -> new Notify(1 + random.nextInt(3), seq);
            case 8 -> new SendAck("o" + random.nextInt(100), List.of(new SendAck.Run(seq, 1 + random.nextInt(10),
                    seq, 1)));
            case 9 -> new Welcome(Frame.PROTOCOL_VERSION, "hybrid", user, device, 1, 0, seq, 10_000, "g1", false);
            case 10 -> {
                ErrorFrame.Code code = ErrorFrame.Code.values()[random.nextInt(ErrorFrame.Code.values().length)];
                yield new ErrorFrame(code, "fuzz", "", code == ErrorFrame.Code.RATE_LIMITED ? 1 + random.nextInt(1000) : 0);
            }
            default -> deliver(seq);
        };
    }

    /** A valid frame of any type, a hello with the real token among them. */
    Frame validFrame() {
        return random.nextInt(13) == 0 ? hello(Frame.PROTOCOL_VERSION) : validNonHello();
    }

    private Send send() {
        byte[] payload = randomBytes(1 + random.nextInt(48));
        return Send.of("o" + random.nextInt(100), 1 + random.nextInt(1000), "victim", payload,
                Checksums.crc32c(payload));
    }

    private Deliver deliver(long seq) {
        byte[] payload = randomBytes(1 + random.nextInt(48));
        Message m = Message.of("someone", "o" + random.nextInt(100) + "-" + (1 + random.nextInt(1000)), user, seq, 1, 1_700_000_000_000L + random.nextInt(1 << 30),
                payload, Checksums.crc32c(payload));
        return new Deliver(List.of(m), seq);
    }

    /** {@code n} random bytes. */
    byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /**
     * The body of a valid frame with its bytes mutated: bits flipped, bytes set to edge values, bytes inserted,
     * deleted, duplicated or cut; with a probability of 3/4 the CRC32C is then made right again, so that the
     * mutation reaches the Protocol Buffers parser and the records' field rules instead of the CRC check.
     */
    byte[] mutate(byte[] body) {
        byte[] b = body;
        int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations; i++) {
            b = mutateOnce(b);
        }
        if (b.length >= FrameCodec.ENVELOPE_BYTES && random.nextInt(4) != 0) {
            fixCrc(b);
        }
        return b;
    }

    private byte[] mutateOnce(byte[] b) {
        if (b.length == 0) {
            return randomBytes(1 + random.nextInt(8));
        }
        // Byte 0 is the version byte and the last 4 the CRC: mutate the protobuf bytes between them mostly.
        int inner = Math.max(1, b.length - FrameCodec.ENVELOPE_BYTES);
        int at = b.length > FrameCodec.ENVELOPE_BYTES ? 1 + random.nextInt(inner) : random.nextInt(b.length);
        switch (random.nextInt(8)) {
            case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> b[at] = (byte) new int[] {0, 0x7F, 0x80, 0xFF, 0x01, 0x08, 0x10}[random.nextInt(7)];
            case 2 -> b[at] = (byte) random.nextInt(256);
            case 3 -> {
                byte[] longer = new byte[b.length + 1 + random.nextInt(8)];
                System.arraycopy(b, 0, longer, 0, at);
                byte[] inserted = randomBytes(longer.length - b.length);
                System.arraycopy(inserted, 0, longer, at, inserted.length);
                System.arraycopy(b, at, longer, at + inserted.length, b.length - at);
                return longer;
            }
            case 4 -> {
                int n = Math.min(b.length - at, 1 + random.nextInt(4));
                byte[] shorter = new byte[b.length - n];
                System.arraycopy(b, 0, shorter, 0, at);
                System.arraycopy(b, at + n, shorter, at, b.length - at - n);
                return shorter;
            }
            case 5 -> {
                // A varint made as long as it may be: lengths and numbers out of range.
                int n = Math.min(b.length - at, 1 + random.nextInt(10));
                Arrays.fill(b, at, at + n, (byte) 0xFF);
            }
            case 6 -> {
                int n = Math.min(b.length - at, 1 + random.nextInt(16));
                byte[] longer = Arrays.copyOf(b, b.length + n);
                System.arraycopy(b, at, longer, at + n, b.length - at);
                return longer; // a run of bytes duplicated: a field given twice
            }
            default -> {
                return Arrays.copyOf(b, at); // cut short
            }
        }
        return b;
    }

    /** A copy of a body, cut somewhere inside (at least one byte short). */
    byte[] truncate(byte[] body) {
        return Arrays.copyOf(body, random.nextInt(body.length));
    }

    /** A hello with a bad protocol version: in its field (envelope right), or in its envelope's version byte (CRC right). */
    byte[] badVersionHello() {
        int version = BAD_VERSIONS[random.nextInt(BAD_VERSIONS.length)];
        if (random.nextBoolean()) {
            return codec.encode(hello(version));
        }
        byte[] b = helloBody();
        b[0] = (byte) version;
        fixCrc(b);
        return b;
    }

    /** A TCP length prefix above the codec's limit, by up to 1 MiB. */
    int oversizedLength() {
        return codec.maxFrameBytes() + 1 + random.nextInt(1 << 20);
    }

    /** A length prefix of 2 GiB or about it, as a signed int: 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF or 0x7FFFFFF0. */
    int hugeLength() {
        return new int[] {0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x7FFFFFF0}[random.nextInt(4)];
    }

    /** Sets the last 4 bytes of a body to the CRC32C of the rest, big-endian, as the envelope has it. */
    static void fixCrc(byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body, 0, body.length - 4);
        putInt(body, body.length - 4, (int) crc.getValue());
    }

    /** A body preceded by its 4-byte big-endian length, as TCP carries it. */
    static byte[] withLength(byte[] body) {
        return withLength(body.length, body);
    }

    /** Bytes preceded by a length prefix of any value. */
    static byte[] withLength(int declared, byte[] bytes) {
        byte[] out = new byte[4 + bytes.length];
        putInt(out, 0, declared);
        System.arraycopy(bytes, 0, out, 4, bytes.length);
        return out;
    }

    static void putInt(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 24);
        b[at + 1] = (byte) (value >>> 16);
        b[at + 2] = (byte) (value >>> 8);
        b[at + 3] = (byte) value;
    }

    /** Text as UTF-8. */
    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
