package io.imr.wire;

import static io.imr.wire.HostileInputPropertyTest.seal;
import static io.imr.wire.HostileInputPropertyTest.sealAs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Ping;
import io.imr.api.frame.Send;
import io.imr.api.frame.SendAck;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    private final FrameCodec codec = new FrameCodec();

    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    /** A valid delivered message proto (alice's outbox "c", counter 1), to be spoiled field by field. */
    static io.imr.wire.proto.DeliveredMessage.Builder message() {
        byte[] payload = {1, 2, 3};
        return io.imr.wire.proto.DeliveredMessage.newBuilder()
                .setCounterSkip(0).setTimeDelta(1_700_000_000_000L)
                .setPayload(ByteString.copyFrom(payload)).setPayloadChecksum(Checksums.crc32c(payload));
    }

    /** A valid Deliver proto to bob, epoch 1, of messages from seq 7 on, from alice's outbox "c". */
    static io.imr.wire.proto.Deliver.Builder deliver() {
        return io.imr.wire.proto.Deliver.newBuilder().setRecipient("bob").setEpoch(1).setMaxSeq(9).setBaseSeq(6)
                .addOrigins(io.imr.wire.proto.Origin.newBuilder().setSender("alice").setOutboxId("c"));
    }

    /** A valid send item proto of counter {@code counter}, without a recipient. */
    static io.imr.wire.proto.SendItem.Builder sendItem(long counter) {
        byte[] payload = {4, 5};
        return io.imr.wire.proto.SendItem.newBuilder().setCounter(counter).setPayload(ByteString.copyFrom(payload))
                .setPayloadChecksum(Checksums.crc32c(payload));
    }

    private static io.imr.wire.proto.Hello.Builder hello() {
        return io.imr.wire.proto.Hello.newBuilder().setProtocolVersion(1).setToken("t0ken").setUser("bob").setDevice("phone")
                .addStrategies("hybrid");
    }

    private static UnknownFieldSet unknownField(int number) {
        return UnknownFieldSet.newBuilder()
                .addField(number, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                .build();
    }

    private ProtocolException rejection(io.imr.wire.proto.Frame frame) {
        return rejection(seal(frame.toByteArray()));
    }

    private ProtocolException rejection(byte[] body) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> codec.decode(body));
        assertThat(e).as("decoding must fail with a ProtocolException").isNotNull();
        return e;
    }

    @Nested
    class TheEnvelope {

        /** The example of protocol.md, byte for byte: a change here is a wire-format change. */
        @Test
        void anAckUpToIsEncodedAsDocumented() {
            byte[] stream = codec.encodeWithLength(new AckUpTo(1, 300));

            assertThat(HEX.formatHex(stream)).isEqualTo("00 00 00 0c 06 42 05 08 01 10 ac 02 16 54 df e6");
            assertThat(HEX.formatHex(codec.encode(new AckUpTo(1, 300))))
                    .isEqualTo("06 42 05 08 01 10 ac 02 16 54 df e6");
        }

        @Test
        void aBodyAboveTheLimitIsRejectedBeforeItsCrcIsComputed() {
            ProtocolException e = rejection(new byte[9_000_000]);

            assertThat(e.code()).isEqualTo(ErrorFrame.Code.BAD_FRAME);
            assertThat(e).hasMessage("frame of 9000000 bytes exceeds the limit of 4194304");
        }

        @Test
        void aBodyShorterThanItsEnvelopeIsRejected() {
            for (int n = 0; n < FrameCodec.ENVELOPE_BYTES; n++) {
                assertThat(rejection(new byte[n]))
                        .hasMessage("frame of " + n + " bytes is shorter than the 5 bytes of its version byte and CRC32C");
            }
        }

        @Test
        void aWrongCrcIsReportedAsCorruption() {
            byte[] body = codec.encode(new Ping(42));
            body[body.length - 1] ^= 1;

            ProtocolException e = rejection(body);

            assertThat(e.code()).isEqualTo(ErrorFrame.Code.BAD_FRAME);
            assertThat(e).hasMessageStartingWith("frame CRC32C mismatch");
        }

        @Test
        void anIntactBodyOfAnotherVersionIsUnsupportedNotBad() {
            byte[] protobuf = io.imr.wire.proto.Frame.newBuilder()
                    .setPing(io.imr.wire.proto.Ping.newBuilder().setNonce(1)).build().toByteArray();

            for (int version : new int[] {0, 1, 2, 3, 4, 5, 7, 255}) {
                ProtocolException e = rejection(sealAs(version, protobuf));

                assertThat(e.code()).isEqualTo(ErrorFrame.Code.UNSUPPORTED_VERSION);
                assertThat(e).hasMessage("frame has protocol version " + version + ", this side speaks version 6");
            }
        }

        @Test
        void bytesThatAreNotProtocolBuffersAreRejected() {
            ProtocolException e = rejection(seal(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));

            assertThat(e.code()).isEqualTo(ErrorFrame.Code.BAD_FRAME);
            assertThat(e).hasMessageStartingWith("frame is not valid Protocol Buffers");
        }

        @Test
        void bytesHiddenAfterAStrayEndGroupTagAreRejected() {
            byte[] ping = io.imr.wire.proto.Frame.newBuilder()
                    .setPing(io.imr.wire.proto.Ping.newBuilder().setNonce(1)).build().toByteArray();
            byte[] protobuf = RoundTripPropertyTest.concat(List.of(ping, new byte[] {0x0c, 0x08, 0x01}));

            assertThat(rejection(seal(protobuf))).hasMessageStartingWith("frame is not valid Protocol Buffers");
        }

        @Test
        void invalidUtf8InAStringIsRejected() {
            // Frame.hello (field 1) holding Hello.token (field 2) = C3 28, not UTF-8.
            byte[] protobuf = {0x0a, 0x04, 0x12, 0x02, (byte) 0xc3, 0x28};

            assertThat(rejection(seal(protobuf))).hasMessageStartingWith("frame is not valid Protocol Buffers");
        }

        @Test
        void aBodyIsDecodedFromAnyRangeOfABuffer() {
            byte[] body = codec.encode(new Ping(-5));
            byte[] buffer = RoundTripPropertyTest.concat(List.of(new byte[] {9, 9, 9}, body, new byte[] {7}));

            assertThat(codec.decode(buffer, 3, body.length)).isEqualTo(new Ping(-5));
            assertThatThrownBy(() -> codec.decode(buffer, 3, buffer.length))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Nested
    class UnknownThings {

        @Test
        void aFrameWithNoBodyIsAnUnknownType() {
            ProtocolException e = rejection(io.imr.wire.proto.Frame.getDefaultInstance());

            assertThat(e.code()).isEqualTo(ErrorFrame.Code.BAD_FRAME);
            assertThat(e).hasMessage("unknown frame type: no body is set");
        }

        @Test
        void aBodyOfAnUnknownFieldNumberIsAnUnknownType() {
            ProtocolException e = rejection(io.imr.wire.proto.Frame.newBuilder()
                    .setUnknownFields(unknownField(99)).build());

            assertThat(e).hasMessage("unknown frame type: body field number 99 is not one this side knows");
        }

        @Test
        void anUnknownFieldBesideAKnownBodyIsRejected() {
            ProtocolException e = rejection(io.imr.wire.proto.Frame.newBuilder()
                    .setPing(io.imr.wire.proto.Ping.newBuilder().setNonce(3))
                    .setUnknownFields(unknownField(40)).build());

            assertThat(e).hasMessageStartingWith("frame holds unknown field number 40");
        }

        @Test
        void anUnknownFieldInAFrameIsRejected() {
            ProtocolException e = rejection(io.imr.wire.proto.Frame.newBuilder()
                    .setHello(hello().setUnknownFields(unknownField(15))).build());

            assertThat(e).hasMessageStartingWith("hello holds unknown field number 15");
        }

        @Test
        void anUnknownFieldInANestedMessageIsRejected() {
            io.imr.wire.proto.Deliver deliver = deliver()
                    .addMessages(message().setUnknownFields(unknownField(20))).build();

            ProtocolException e = rejection(io.imr.wire.proto.Frame.newBuilder().setDeliver(deliver).build());

            assertThat(e).hasMessageStartingWith("deliver.messages[0] holds unknown field number 20");
        }

        @Test
        void anErrorCodeOutsideTheListIsRejected() {
            io.imr.wire.proto.ErrorFrame.Builder error = io.imr.wire.proto.ErrorFrame.newBuilder().setMessage("x");

            assertThat(rejection(io.imr.wire.proto.Frame.newBuilder().setError(error.setCodeValue(42)).build()))
                    .hasMessage("error.code 42 is not a known error code");
            assertThat(rejection(io.imr.wire.proto.Frame.newBuilder().setError(error.setCodeValue(0)).build()))
                    .hasMessage("error.code is missing");
        }

        @Test
        void everyErrorCodeHasTheSameNumberInTheProtoFile() {
            for (ErrorFrame.Code code : ErrorFrame.Code.values()) {
                assertThat(io.imr.wire.proto.ErrorCode.forNumber(code.wire()).name())
                        .isEqualTo("ERROR_CODE_" + code.name());
            }
            assertThat(io.imr.wire.proto.ErrorCode.values()).hasSize(ErrorFrame.Code.values().length + 2);
        }
    }

    @Nested
    class MissingAndOutOfRangeFields {

        @Test
        void aHelloWithoutTokenIsRejected() {
            ProtocolException e = rejection(io.imr.wire.proto.Frame.newBuilder()
                    .setHello(hello().clearToken()).build());

            assertThat(e.code()).isEqualTo(ErrorFrame.Code.BAD_FRAME);
            assertThat(e).hasMessage("hello.token must not be empty");
        }

        @Test
        void aHelloWithoutStrategiesIsRejected() {
            assertThat(rejection(io.imr.wire.proto.Frame.newBuilder().setHello(hello().clearStrategies()).build()))
                    .hasMessage("hello.strategies must name at least one strategy");
        }

        @Test
        void aSendWithoutOutboxIdIsRejected() {
            io.imr.wire.proto.Send send = io.imr.wire.proto.Send.newBuilder()
                    .addItems(sendItem(1).setTo("bob")).build();

            assertThat(rejection(io.imr.wire.proto.Frame.newBuilder().setSend(send).build()))
                    .hasMessageStartingWith("send: outbox id must be 1 to 64 characters");
        }

        @Test
        void aSendWithoutPayloadChecksumIsRejectedEvenWithAnEmptyPayload() {
            io.imr.wire.proto.Send send = io.imr.wire.proto.Send.newBuilder().setOutboxId("c")
                    .addItems(sendItem(1).setTo("bob")).addItems(sendItem(2).clearPayloadChecksum()).build();

            assertThat(rejection(io.imr.wire.proto.Frame.newBuilder().setSend(send).build()))
                    .hasMessage("send.items[1].payloadChecksum is missing");
        }

        @Test
        void aSendWithAnExplicitZeroChecksumAndEmptyPayloadIsFine() {
            Send send = Send.of("c", 1, "bob", new byte[0], Checksums.crc32c(new byte[0]));

            assertThat(Checksums.crc32c(new byte[0])).isZero();
            assertThat(codec.decode(codec.encode(send))).isEqualTo(send);
        }

        @Test
        void aDeliverWithoutMessagesIsRejected() {
            io.imr.wire.proto.Deliver deliver = io.imr.wire.proto.Deliver.newBuilder().setMaxSeq(3).build();

            assertThat(rejection(io.imr.wire.proto.Frame.newBuilder().setDeliver(deliver).build()))
                    .hasMessage("deliver.messages must hold at least one message");
        }

        @Test
        void aDeliverWithoutRecipientIsRejectedByItsFirstMessage() {
            io.imr.wire.proto.Deliver deliver = deliver().clearRecipient().addMessages(message()).build();

            assertThat(rejection(io.imr.wire.proto.Frame.newBuilder().setDeliver(deliver).build()))
                    .hasMessageStartingWith("deliver.messages[0]: recipient must be 1 to 64 characters");
        }

        @Test
        void aDeliveredMessageWithoutChecksumIsRejected() {
            io.imr.wire.proto.Deliver deliver = deliver().addMessages(message().clearPayloadChecksum()).build();

            assertThat(rejection(io.imr.wire.proto.Frame.newBuilder().setDeliver(deliver).build()))
                    .hasMessage("deliver.messages[0].payloadChecksum is missing");
        }

        @Test
        void aMessageWithACorruptPayloadIsStillDecodedForTheReceiverToDrop() {
            io.imr.wire.proto.Deliver deliver = deliver().addMessages(message().setPayloadChecksum(12345)).build();

            Deliver decoded = (Deliver) codec.decode(seal(io.imr.wire.proto.Frame.newBuilder().setDeliver(deliver)
                    .build().toByteArray()));

            assertThat(decoded.messages().get(0).payloadIntact()).isFalse();
            assertThat(decoded.messages().get(0).id()).isEqualTo("alice/c-1");
        }

        @Test
        void aBatchAboveTheLimitIsRejectedBeforeItsMessagesAreBuilt() {
            io.imr.wire.proto.Deliver.Builder deliver = deliver().setMaxSeq(Long.MAX_VALUE);
            io.imr.wire.proto.DeliveredMessage m = message().build();
            for (int i = 0; i <= Frame.MAX_BATCH; i++) {
                deliver.addMessages(m);
            }

            assertThat(rejection(io.imr.wire.proto.Frame.newBuilder().setDeliver(deliver).build()))
                    .hasMessage("deliver.messages must hold at most 4096 items, got 4097");
        }

        @Test
        void uint64ValuesAboveTheLongRangeAreRejected() {
            io.imr.wire.proto.Pull pull = io.imr.wire.proto.Pull.newBuilder().setFromSeq(-1).setLimit(10).build();

            assertThat(rejection(io.imr.wire.proto.Frame.newBuilder().setPull(pull).build()))
                    .hasMessage("pull.fromSeq 18446744073709551615 is out of range (at most 9223372036854775807)");
        }

        @Test
        void uint32ValuesAboveTheIntRangeAreRejected() {
            io.imr.wire.proto.Pull pull = io.imr.wire.proto.Pull.newBuilder().setFromSeq(1).setLimit(-1).build();

            assertThat(rejection(io.imr.wire.proto.Frame.newBuilder().setPull(pull).build()))
                    .hasMessage("pull.limit 4294967295 is out of range (at most 2147483647)");
        }

        @Test
        void aPullOfZeroMessagesIsRejected() {
            io.imr.wire.proto.Pull pull = io.imr.wire.proto.Pull.newBuilder().setFromSeq(1).build();

            assertThat(rejection(io.imr.wire.proto.Frame.newBuilder().setPull(pull).build()))
                    .hasMessage("pull.limit must be 1 to 4096, got 0");
        }
    }

    @Nested
    class Limits {

        @Test
        void theLimitHasASaneRange() {
            assertThat(new FrameCodec().maxFrameBytes()).isEqualTo(4 * 1024 * 1024);
            assertThat(new FrameCodec(1024).maxFrameBytes()).isEqualTo(1024);
            assertThatThrownBy(() -> new FrameCodec(1023)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxFrameBytes must be 1024 to");
            assertThatThrownBy(() -> new FrameCodec(Integer.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void encodingAFrameAboveTheLimitFailsWithoutAnyOutput() {
            FrameCodec small = new FrameCodec(1024);
            Send send = Send.of("c", 1, "bob", new byte[1100], 0);

            assertThatThrownBy(() -> small.encode(send)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("a send frame of at least 11").hasMessageContaining("exceeds the limit of 1024");
            assertThatThrownBy(() -> small.encodeWithLength(send)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void aBatchWhosePayloadsAloneExceedTheLimitFailsBeforeProtobufSizesIt() {
            byte[] full = new byte[Message.MAX_PAYLOAD];
            List<Message> messages = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                messages.add(Message.of("alice", "c-" + i, "bob", i, 1, 0, full, 0));
            }

            assertThatThrownBy(() -> codec.encode(new Deliver(messages, 5)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a deliver frame of at least 5242880 bytes exceeds the limit of 4194304;"
                            + " send fewer messages in one frame");
        }

        @Test
        void theLargestBatchesRoundTrip() {
            List<Message> messages = new ArrayList<>();
            List<Ack.Range> ranges = new ArrayList<>();
            List<Send.Item> items = new ArrayList<>();
            List<SendAck.Run> runs = new ArrayList<>();
            for (int i = 1; i <= Frame.MAX_BATCH; i++) {
                byte[] payload = {(byte) i};
                messages.add(Message.of("alice", "c-" + i, "bob", i, 3, i, payload, Checksums.crc32c(payload)));
                ranges.add(new Ack.Range(2L * i, 2L * i));
                items.add(new Send.Item(i, "bob", payload, Checksums.crc32c(payload)));
                runs.add(new SendAck.Run(2L * i, 1, 3L * i, 1));
            }
            Deliver deliver = new Deliver(messages, Frame.MAX_BATCH);
            Ack ack = new Ack(3, ranges);
            Send send = new Send("c", items);
            SendAck sendAck = new SendAck("c", runs);

            assertThat(codec.decode(codec.encode(deliver))).isEqualTo(deliver);
            assertThat(codec.decode(codec.encode(ack))).isEqualTo(ack);
            assertThat(codec.decode(codec.encode(send))).isEqualTo(send);
            assertThat(codec.decode(codec.encode(sendAck))).isEqualTo(sendAck);
        }

        @Test
        void aFullPayloadFitsTheDefaultLimitAsSendAndAsDeliver() {
            byte[] full = new byte[Message.MAX_PAYLOAD];
            Send send = Send.of("c", 1, "bob", full, Checksums.crc32c(full));
            Deliver deliver = new Deliver(List.of(Message.of("alice", "c-1", "bob", 1, 1, 0, full, 0)), 1);

            assertThat(codec.decode(codec.encode(send))).isEqualTo(send);
            assertThat(codec.decode(codec.encode(deliver))).isEqualTo(deliver);
        }
    }

    @Nested
    class Text {

        @Test
        void textThatUtf8CannotCarryIsRefusedOnEncodingRatherThanAltered() {
            Hello hello = new Hello(2, "tok\uD800en", "bob", "phone", List.of("ack"), 0, 0, "", "", 1);

            assertThatThrownBy(() -> codec.encode(hello)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("hello.token holds an unpaired UTF-16 surrogate at index 3, which UTF-8 cannot carry");
        }

        @Test
        void surrogatePairsTravel() {
            ErrorFrame error = new ErrorFrame(ErrorFrame.Code.INTERNAL, "disk \uD83D\uDCA5", "");

            assertThat(codec.decode(codec.encode(error))).isEqualTo(error);
        }
    }

    @Nested
    class TheErrorFrameForThePeer {

        @Test
        void carriesTheCodeAndTheMessage() {
            ProtocolException e = rejection(new byte[3]);

            assertThat(e.toErrorFrame()).isEqualTo(new ErrorFrame(ErrorFrame.Code.BAD_FRAME,
                    "frame of 3 bytes is shorter than the 5 bytes of its version byte and CRC32C"));
        }

        @Test
        void cutsALongMessageWithoutSplittingASurrogatePair() {
            String longMessage = "x".repeat(1020) + "\uD83D\uDE00" + "y".repeat(100);

            ErrorFrame frame = new ProtocolException(ErrorFrame.Code.BAD_FRAME, longMessage).toErrorFrame();

            assertThat(frame.message()).hasSize(1023).endsWith("x...");
            assertThat(codec.decode(codec.encode(frame))).isEqualTo(frame);
        }
    }
}
