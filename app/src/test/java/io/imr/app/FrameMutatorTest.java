package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Send;
import io.imr.wire.FrameCodec;
import io.imr.wire.LengthPrefixedDecoder;
import io.imr.wire.ProtocolException;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The fuzz input: the same for a seed, what each attack class claims it is, and the answers predicted for probes. */
class FrameMutatorTest {

    private static final FrameCodec CODEC = new FrameCodec();

    private static FrameMutator mutator(long seed) {
        return new FrameMutator(seed, CODEC, "a-token-the-server-would-check", "fuzz", "w0");
    }

    /** Everything a mutator and the inputs made of it produce for a seed, in order. */
    private static List<byte[]> run(long seed) {
        FrameMutator m = mutator(seed);
        AttackInputs in = new AttackInputs(m, 8);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            out.add(CODEC.encode(m.validFrame()));
            out.add(m.mutate(CODEC.encode(m.validFrame())));
            out.add(m.randomBytes(1 + m.nextInt(64)));
            out.add(m.truncate(CODEC.encode(m.validFrame())));
            out.add(m.badVersionHello());
            for (AttackInputs.Kind kind : AttackInputs.Kind.values()) {
                if (kind == AttackInputs.Kind.OVERSIZED && i % 10 != 0) {
                    continue; // 4 MiB each over WebSocket: a few are enough
                }
                out.add(in.next(kind, i % 2 == 0, i % 3 == 0).bytes());
            }
        }
        return out;
    }

    @Test
    void theSameSeedGivesTheSameBytes() {
        List<byte[]> a = run(42);
        List<byte[]> b = run(42);
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i)).as("item " + i).isEqualTo(b.get(i));
        }
    }

    @Test
    void anotherSeedGivesOtherBytes() {
        List<byte[]> a = run(42);
        List<byte[]> b = run(43);
        int same = 0;
        for (int i = 0; i < a.size(); i++) {
            same += Arrays.equals(a.get(i), b.get(i)) ? 1 : 0;
        }
        assertThat(same).isLessThan(a.size() / 10);
    }

    @Test
    void validFramesAreValidAndOfEveryType() {
        FrameMutator m = mutator(1);
        java.util.Set<String> types = new java.util.TreeSet<>();
        for (int i = 0; i < 2000; i++) {
            Frame f = m.validFrame();
            assertThat(CODEC.decode(CODEC.encode(f))).isEqualTo(f);
            types.add(f.type());
        }
        assertThat(types).contains("hello", "ping", "pong", "pull", "ack", "ack-up-to", "bye", "send", "notify",
                "send-ack", "welcome", "error", "deliver");
    }

    @Test
    void mutationsChangeTheBytesAndMostKeepTheirCrcRight() {
        FrameMutator m = mutator(2);
        int changed = 0;
        int crcRight = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] body = CODEC.encode(m.validNonHello());
            byte[] mutated = m.mutate(body.clone());
            changed += Arrays.equals(body, mutated) ? 0 : 1;
            if (mutated.length >= FrameCodec.ENVELOPE_BYTES) {
                CRC32C crc = new CRC32C();
                crc.update(mutated, 0, mutated.length - 4);
                int declared = (mutated[mutated.length - 4] & 0xFF) << 24 | (mutated[mutated.length - 3] & 0xFF) << 16
                        | (mutated[mutated.length - 2] & 0xFF) << 8 | (mutated[mutated.length - 1] & 0xFF);
                crcRight += (int) crc.getValue() == declared ? 1 : 0;
            }
        }
        assertThat(changed).isGreaterThan(1900);
        // 3 in 4 have their CRC made right, so that they reach the parser and the field rules.
        assertThat(crcRight).isBetween(1300, 1700);
    }

    @Test
    void badVersionHellosClaimAnotherVersion() {
        FrameMutator m = mutator(3);
        for (int i = 0; i < 200; i++) {
            byte[] b = m.badVersionHello();
            try {
                Frame f = CODEC.decode(b);
                assertThat(f).isInstanceOf(Hello.class);
                assertThat(((Hello) f).protocolVersion()).isNotEqualTo(Frame.PROTOCOL_VERSION);
            } catch (ProtocolException e) {
                assertThat(e.code()).isEqualTo(ErrorFrame.Code.UNSUPPORTED_VERSION);
            }
        }
    }

    @Test
    void lengthsAreAboveTheLimit() {
        FrameMutator m = mutator(4);
        for (int i = 0; i < 200; i++) {
            assertThat(m.oversizedLength()).isGreaterThan(CODEC.maxFrameBytes());
            assertThat(Integer.toUnsignedLong(m.hugeLength())).isGreaterThanOrEqualTo(0x7FFFFFF0L);
            byte[] whole = CODEC.encode(m.validFrame());
            assertThat(m.truncate(whole).length).isLessThan(whole.length);
        }
    }

    @Test
    void probesOverTcpHoldOneFrameThatTheCodecRefusesAsPredicted() {
        FrameMutator m = mutator(5);
        AttackInputs in = new AttackInputs(m, 16);
        for (AttackInputs.Kind kind : AttackInputs.Kind.values()) {
            for (int i = 0; i < 30; i++) {
                AttackInputs.Attempt a = in.next(kind, false, true);
                assertThat(a.frames()).isEqualTo(1);
                assertThat(a.expected()).as(kind.label).isNotNull();
                LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(CODEC);
                ErrorFrame.Code got;
                try {
                    List<Frame> frames = decoder.feed(a.bytes());
                    assertThat(frames).as(kind.label + ": the codec accepts it whole").hasSize(1);
                    got = in.expect(CODEC.encode(frames.get(0)), a.hello());
                } catch (ProtocolException e) {
                    got = e.code();
                }
                assertThat(got).as(kind.label).isEqualTo(a.expected());
            }
        }
    }

    @Test
    void aMutatedFrameAfterAHelloIsNeverAValidSend() throws Exception {
        FrameMutator m = mutator(6);
        AttackInputs in = new AttackInputs(m, 64);
        int afterHello = 0;
        for (int i = 0; i < 200; i++) {
            AttackInputs.Attempt a = in.next(AttackInputs.Kind.MUTATED, false, false);
            if (!a.hello()) {
                continue;
            }
            afterHello++;
            ByteArrayInputStream bytes = new ByteArrayInputStream(a.bytes());
            for (int f = 0; f < a.frames(); f++) {
                int length = (bytes.read() << 24) | (bytes.read() << 16) | (bytes.read() << 8) | bytes.read();
                byte[] body = bytes.readNBytes(length);
                try {
                    assertThat(CODEC.decode(body)).isNotInstanceOf(Send.class);
                } catch (ProtocolException e) {
                    // refused: fine
                }
            }
        }
        assertThat(afterHello).isGreaterThan(50);
    }

    @Test
    void webSocketFramesAreMaskedBinaryWithTheirLength() throws Exception {
        assertThat(RawWebSocket.header(true, RawWebSocket.BINARY, 5)).containsExactly(0x82, 0x85, 0, 0, 0, 0);
        assertThat(RawWebSocket.header(true, RawWebSocket.BINARY, 300)).containsExactly(0x82, 0xFE, 0x01, 0x2C,
                0, 0, 0, 0);
        byte[] huge = RawWebSocket.header(true, RawWebSocket.BINARY, 0x80000000L);
        assertThat(huge).hasSize(14);
        assertThat(Arrays.copyOfRange(huge, 0, 10)).containsExactly(0x82, 0xFF, 0, 0, 0, 0, 0x80, 0, 0, 0);
        assertThatThrownBy(() -> new ServerAnswer.Reader(new ByteArrayInputStream(new byte[] {0, 0, 0}), CODEC, false)
                .next()).isInstanceOf(java.io.EOFException.class);
    }
}
