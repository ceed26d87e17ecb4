package io.imr.wire;

import static io.imr.wire.FrameCodecTest.deliver;
import static io.imr.wire.FrameCodecTest.message;
import static io.imr.wire.FrameCodecTest.sendItem;
import static io.imr.wire.HostileInputPropertyTest.seal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.UnknownFieldSet;
import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.PullResult;
import io.imr.api.frame.Send;
import io.imr.api.frame.SendAck;
import io.imr.wire.proto.DeliveredMessage;
import io.imr.wire.proto.Origin;
import io.imr.wire.proto.SendItem;
import io.imr.wire.proto.SeqRange;
import io.imr.wire.proto.SendAckRun;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Version 3's compact frames: what the receiver derives, every strictness rule, and what they cost. */
class CompactFramesTest {

    private static final long T0 = 1_700_000_000_000L;

    private final FrameCodec codec = new FrameCodec();

    private ProtocolException rejection(io.imr.wire.proto.Frame frame) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class,
                () -> codec.decode(seal(frame.toByteArray())));
        assertThat(e).as("decoding must fail with a ProtocolException").isNotNull();
        assertThat(e.code()).isEqualTo(ErrorFrame.Code.BAD_FRAME);
        return e;
    }

    private static io.imr.wire.proto.Frame framed(io.imr.wire.proto.Deliver.Builder d) {
        return io.imr.wire.proto.Frame.newBuilder().setDeliver(d).build();
    }

    private static io.imr.wire.proto.Frame framed(io.imr.wire.proto.Send.Builder s) {
        return io.imr.wire.proto.Frame.newBuilder().setSend(s).build();
    }

    private static Message message256(String sender, String outbox, long counter, long seq, long time) {
        byte[] payload = new byte[256];
        payload[0] = (byte) seq;
        return Message.of(sender, outbox + "-" + counter, "bob", seq, 4, time, payload, Checksums.crc32c(payload));
    }

    @Nested
    class IdsAreDerivedOnTheReceiver {

        @Test
        void messagesOfSeveralSendersAndOutboxesComeBackWithTheirIdsClientIdsAndTimes() {
            List<Message> messages = List.of(
                    message256("alice", "A1", 5, 10, T0),
                    message256("carol", "C", 1, 11, T0 + 3),
                    message256("alice", "A1", 6, 12, T0 + 3),
                    message256("alice", "A2", 900, 15, T0 - 2),   // a second outbox of alice, time going back
                    message256("alice", "A1", 2, 16, 0),           // a counter below the previous one
                    message256("carol", "C", Long.MAX_VALUE, 17, Long.MAX_VALUE));
            Deliver deliver = new Deliver(messages, 40);

            Deliver decoded = (Deliver) codec.decode(codec.encode(deliver));

            assertThat(decoded).isEqualTo(deliver);
            assertThat(decoded.messages()).extracting(Message::id).containsExactly("alice/A1-5", "carol/C-1",
                    "alice/A1-6", "alice/A2-900", "alice/A1-2", "carol/C-" + Long.MAX_VALUE);
            assertThat(decoded.messages()).extracting(Message::serverTimeMillis)
                    .containsExactly(T0, T0 + 3, T0 + 3, T0 - 2, 0L, Long.MAX_VALUE);
        }

        @Test
        void eachOriginIsCarriedOnceAndAMessageOfTheSameOriginAsTheOneBeforeCostsNoOriginOrCounterBytes() {
            List<Message> messages = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                messages.add(message256("alice", "A1", i, i, T0));
            }
            messages.add(message256("carol", "C", 7, 4, T0));

            io.imr.wire.proto.Deliver wire = ToProto.frame(new Deliver(messages, 4)).getDeliver();

            assertThat(wire.getOriginsList()).extracting(Origin::getSender, Origin::getOutboxId)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("alice", "A1"),
                            org.assertj.core.groups.Tuple.tuple("carol", "C"));
            assertThat(wire.getBaseSeq()).isZero();
            DeliveredMessage second = wire.getMessages(1);
            assertThat(second.getSeqSkip()).isZero();
            assertThat(second.getOrigin()).isZero();
            assertThat(second.getCounterSkip()).isZero();
            assertThat(second.getTimeDelta()).isZero();
            assertThat(wire.getMessages(3).getCounterSkip()).isEqualTo(6);
            assertThat(wire.getMessages(3).getOrigin()).isEqualTo(1);
        }

        @Test
        void aPullResultCarriesItsMessagesTheSameWayAndNothingWhenEmpty() {
            PullResult full = new PullResult(3, List.of(message256("alice", "A", 1, 3, T0),
                    message256("alice", "A", 2, 5, T0 + 1)), 9, 4);
            PullResult empty = new PullResult(3, List.of(), 9, 4);

            assertThat(codec.decode(codec.encode(full))).isEqualTo(full);
            assertThat(codec.decode(codec.encode(empty))).isEqualTo(empty);
            io.imr.wire.proto.PullResult emptyWire = ToProto.frame(empty).getPullResult();
            assertThat(emptyWire.getRecipient()).isEmpty();
            assertThat(emptyWire.getOriginsCount()).isZero();
        }

        @Test
        void aMessageWhoseClientIdIsNotOutboxDashCounterCannotBeEncoded() {
            Message odd = Message.of("alice", "no-counter-x", "bob", 1, 1, 0, new byte[0], 0);
            Message zero = Message.of("alice", "A-01", "bob", 1, 1, 0, new byte[0], 0);
            Message fine = Message.of("alice", "A-1", "bob", 1, 1, 0, new byte[0], 0);
            Message then = Message.of("alice", "A-x", "bob", 2, 1, 0, new byte[0], 0);

            assertThatThrownBy(() -> codec.encode(new Deliver(List.of(odd), 1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("client id must be <outbox id>-<counter>");
            assertThatThrownBy(() -> codec.encode(new Deliver(List.of(zero), 1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> codec.encode(new Deliver(List.of(fine, then), 2)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("client id must be <outbox id>-<counter>");
        }

        @Test
        void theRecordsRefuseMessagesOfTwoEpochsInOneBatch() {
            Message a = Message.of("alice", "A-1", "bob", 1, 1, 0, new byte[0], 0);
            Message b = Message.of("alice", "A-2", "bob", 2, 2, 0, new byte[0], 0);

            assertThatThrownBy(() -> new Deliver(List.of(a, b), 2)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("deliver.messages must all be of one epoch, got epoch 2 after 1");
            assertThatThrownBy(() -> new PullResult(1, List.of(a), 2, 2)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("pull-result.messages are of epoch 1, not the pull-result's epoch 2");
        }
    }

    @Nested
    class StrictDecoding {

        @Test
        void anOriginIndexOutsideTheTableIsRejected() {
            assertThat(rejection(framed(deliver().addMessages(message().setOrigin(1)))))
                    .hasMessage("deliver.messages[0].origin 1 is not an index of the 1 origins");
            assertThat(rejection(framed(deliver().addMessages(message().setOrigin(-1)))))
                    .hasMessage("deliver.messages[0].origin 4294967295 is not an index of the 1 origins");
        }

        @Test
        void anOriginNoMessageUsesIsRejected() {
            io.imr.wire.proto.Deliver.Builder d = deliver().addMessages(message())
                    .addOrigins(Origin.newBuilder().setSender("carol").setOutboxId("c"));

            assertThat(rejection(framed(d))).hasMessage("deliver.origins[1] is used by no message");
        }

        @Test
        void anOriginListedTwiceIsRejected() {
            io.imr.wire.proto.Deliver.Builder d = deliver().addMessages(message())
                    .addOrigins(Origin.newBuilder().setSender("alice").setOutboxId("c"))
                    .addMessages(message().setOrigin(1));

            assertThat(rejection(framed(d))).hasMessage("deliver.origins[1] repeats sender alice with outbox c");
        }

        @Test
        void anOriginWithABadNameOrAnUnknownFieldIsRejected() {
            io.imr.wire.proto.Deliver.Builder dash = deliver().setOrigins(0,
                    Origin.newBuilder().setSender("alice").setOutboxId("c-1")).addMessages(message());
            io.imr.wire.proto.Deliver.Builder noSender = deliver().setOrigins(0,
                    Origin.newBuilder().setOutboxId("c")).addMessages(message());
            io.imr.wire.proto.Deliver.Builder unknown = deliver().setOrigins(0,
                    Origin.newBuilder().setSender("alice").setOutboxId("c").setUnknownFields(unknownField(9)))
                    .addMessages(message());

            assertThat(rejection(framed(dash))).hasMessageStartingWith("deliver.origins[0]: outbox id must be 1 to 64");
            assertThat(rejection(framed(noSender))).hasMessageStartingWith("deliver.origins[0]: sender must be");
            assertThat(rejection(framed(unknown))).hasMessageStartingWith("deliver.origins[0] holds unknown field"
                    + " number 9");
        }

        @Test
        void tooManyOriginsAreRejectedBeforeAnyIsRead() {
            io.imr.wire.proto.Deliver.Builder d = deliver().addMessages(message());
            for (int i = 0; i < Frame.MAX_BATCH; i++) {
                d.addOrigins(Origin.newBuilder().setSender("u" + i).setOutboxId("o"));
            }

            assertThat(rejection(framed(d))).hasMessage("deliver.origins must hold at most 4096 items, got 4097");
        }

        @Test
        void aSeqBeyondTheRangeIsRejected() {
            assertThat(rejection(framed(deliver().setBaseSeq(Long.MAX_VALUE - 1).setMaxSeq(Long.MAX_VALUE)
                    .addMessages(message()).addMessages(message().setCounterSkip(0)))))
                    .hasMessage("deliver.messages[1].seqSkip 0 takes the seq beyond 9223372036854775807");
            assertThat(rejection(framed(deliver().addMessages(message().setSeqSkip(-1)))))
                    .hasMessage("deliver.messages[0].seqSkip 18446744073709551615 is out of range"
                            + " (at most 9223372036854775807)");
            assertThat(rejection(framed(deliver().setBaseSeq(-1).addMessages(message()))))
                    .hasMessageStartingWith("deliver.baseSeq 18446744073709551615 is out of range");
        }

        @Test
        void aSeqAboveMaxSeqIsRejected() {
            assertThat(rejection(framed(deliver().setMaxSeq(7).addMessages(message()).addMessages(message()))))
                    .hasMessage("deliver.messages holds seq 8 above maxSeq 7");
        }

        @Test
        void aCounterBelowOneOrBeyondTheRangeIsRejected() {
            assertThat(rejection(framed(deliver().addMessages(message().setCounterSkip(-1)))))
                    .hasMessage("deliver.messages[0].counterSkip -1 makes the counter 0; counters are 1 or more");
            assertThat(rejection(framed(deliver().addMessages(message().setCounterSkip(Long.MIN_VALUE)))))
                    .hasMessageStartingWith("deliver.messages[0].counterSkip -9223372036854775808 makes the counter");
            assertThat(rejection(framed(deliver().addMessages(message().setCounterSkip(Long.MAX_VALUE - 1))
                    .addMessages(message().setCounterSkip(0)))))
                    .hasMessage("deliver.messages[1].counterSkip 0 takes the counter beyond 9223372036854775807");
        }

        @Test
        void aServerTimeOutOfRangeIsRejected() {
            assertThat(rejection(framed(deliver().addMessages(message().setTimeDelta(-1)))))
                    .hasMessage("deliver.messages[0].timeDelta -1 takes the server time out of 0 to"
                            + " 9223372036854775807");
            assertThat(rejection(framed(deliver().addMessages(message())
                    .addMessages(message().setTimeDelta(Long.MAX_VALUE)))))
                    .hasMessageStartingWith("deliver.messages[1].timeDelta 9223372036854775807 takes the server time");
        }

        @Test
        void aDeliverOfEpochZeroIsRejected() {
            assertThat(rejection(framed(deliver().setEpoch(0).addMessages(message()))))
                    .hasMessage("deliver.epoch must be 1 or more, got 0");
        }

        @Test
        void anEmptyPullResultMayNotCarryARecipientBaseSeqOrOrigins() {
            io.imr.wire.proto.PullResult.Builder p = io.imr.wire.proto.PullResult.newBuilder().setFromSeq(1)
                    .setMaxSeq(3).setEpoch(1);
            for (io.imr.wire.proto.PullResult.Builder spoiled : List.of(p.clone().setRecipient("bob"),
                    p.clone().setBaseSeq(2), p.clone().addOrigins(Origin.newBuilder().setSender("a").setOutboxId("b")))) {
                assertThat(rejection(io.imr.wire.proto.Frame.newBuilder().setPullResult(spoiled).build()))
                        .hasMessage("pull-result holds no messages, so its recipient, baseSeq and origins must be empty");
            }
        }

        @Test
        void aSendWhoseFirstItemNamesNoRecipientIsRejected() {
            assertThat(rejection(framed(io.imr.wire.proto.Send.newBuilder().setOutboxId("c").addItems(sendItem(1)))))
                    .hasMessage("send.items[0].to is empty, but the first item must name its recipient");
        }

        @Test
        void aSendItemWithoutRecipientGoesToThePreviousItemsRecipient() {
            Send send = (Send) codec.decode(seal(framed(io.imr.wire.proto.Send.newBuilder().setOutboxId("c")
                    .addItems(sendItem(1).setTo("bob")).addItems(sendItem(2)).addItems(sendItem(5).setTo("carol"))
                    .addItems(sendItem(6))).toByteArray()));

            assertThat(send.items()).extracting(Send.Item::to).containsExactly("bob", "bob", "carol", "carol");
            assertThat(send.clientId(2)).isEqualTo("c-5");
        }

        @Test
        void aSendWhoseCountersDoNotIncreaseIsRejected() {
            assertThat(rejection(framed(io.imr.wire.proto.Send.newBuilder().setOutboxId("c")
                    .addItems(sendItem(2).setTo("bob")).addItems(sendItem(2)))))
                    .hasMessage("send.items must be in strictly increasing counter, got 2 after 2");
            assertThat(rejection(framed(io.imr.wire.proto.Send.newBuilder().setOutboxId("c")
                    .addItems(sendItem(0).setTo("bob")))))
                    .hasMessage("send.items[].counter must be 1 or more, got 0");
            assertThat(rejection(framed(io.imr.wire.proto.Send.newBuilder().setOutboxId("c")
                    .addItems(sendItem(-1).setTo("bob")))))
                    .hasMessageStartingWith("send.items[0].counter 18446744073709551615 is out of range");
        }

        @Test
        void aSendWithoutItemsOrWithTooManyIsRejected() {
            io.imr.wire.proto.Send.Builder many = io.imr.wire.proto.Send.newBuilder().setOutboxId("c");
            for (int i = 1; i <= Frame.MAX_BATCH + 1; i++) {
                many.addItems(sendItem(i).setTo("bob"));
            }

            assertThat(rejection(framed(io.imr.wire.proto.Send.newBuilder().setOutboxId("c"))))
                    .hasMessage("send.items must hold at least one item");
            assertThat(rejection(framed(many))).hasMessage("send.items must hold at most 4096 items, got 4097");
        }

        @Test
        void aSendItemWithAnUnknownFieldIsRejected() {
            SendItem.Builder item = sendItem(1).setTo("bob").setUnknownFields(unknownField(7));

            assertThat(rejection(framed(io.imr.wire.proto.Send.newBuilder().setOutboxId("c").addItems(item))))
                    .hasMessageStartingWith("send.items[0] holds unknown field number 7");
        }

        @Test
        void sendAckRunsOutOfRangeAreRejected() {
            SendAckRun.Builder run = SendAckRun.newBuilder().setFirstCounter(1).setCount(1).setFirstSeq(1)
                    .setEpoch(1);

            assertThat(rejection(sendAck(run.clone().setCount(0)))).hasMessage("send-ack.runs[].count must be 1 or"
                    + " more, got 0");
            assertThat(rejection(sendAck(run.clone().setEpoch(0)))).hasMessage("send-ack.runs[].epoch must be 1 or"
                    + " more, got 0");
            assertThat(rejection(sendAck(run.clone().setFirstCounter(Long.MAX_VALUE).setCount(2))))
                    .hasMessage("send-ack.runs[] counters 9223372036854775807 + 2 go beyond 9223372036854775807");
            assertThat(rejection(sendAck(run.clone().setFirstSeq(Long.MAX_VALUE - 1).setCount(3))))
                    .hasMessage("send-ack.runs[] seqs 9223372036854775806 + 3 go beyond 9223372036854775807");
            assertThat(rejection(sendAck(run.clone().setFirstSeq(-5))))
                    .hasMessageStartingWith("send-ack.runs[0].firstSeq 18446744073709551611 is out of range");
            assertThat(rejection(io.imr.wire.proto.Frame.newBuilder().setSendAck(
                    io.imr.wire.proto.SendAck.newBuilder().setOutboxId("c")).build()))
                    .hasMessage("send-ack.runs must hold at least one run");
            assertThat(rejection(io.imr.wire.proto.Frame.newBuilder().setSendAck(
                    io.imr.wire.proto.SendAck.newBuilder().setOutboxId("c-1").addRuns(run)).build()))
                    .hasMessageStartingWith("send-ack: outbox id must be");
        }

        private io.imr.wire.proto.Frame sendAck(SendAckRun.Builder run) {
            return io.imr.wire.proto.Frame.newBuilder().setSendAck(io.imr.wire.proto.SendAck.newBuilder()
                    .setOutboxId("c").addRuns(run)).build();
        }

        @Test
        void ackRangesOutOfOrderOverlappingOrBackwardsAreRejected() {
            assertThat(rejection(ack(1, range(5, 9), range(9, 12))))
                    .hasMessage("ack.ranges must be in increasing seq without overlap, got 9..12 after one ending at 9");
            assertThat(rejection(ack(1, range(5, 9), range(1, 2))))
                    .hasMessage("ack.ranges must be in increasing seq without overlap, got 1..2 after one ending at 9");
            assertThat(rejection(ack(1, range(5, 4)))).hasMessage("ack.ranges[].last must be at least first (5), got 4");
            assertThat(rejection(ack(1, range(0, 4)))).hasMessage("ack.ranges[].first must be 1 or more, got 0");
            assertThat(rejection(ack(0, range(1, 4)))).hasMessage("ack.epoch must be 1 or more, got 0");
            assertThat(rejection(ack(1))).hasMessage("ack.ranges must hold at least one range");
            assertThat(codec.decode(seal(ack(2, range(1, 1), range(3, 7)).toByteArray())))
                    .isEqualTo(new Ack(2, List.of(new Ack.Range(1, 1), new Ack.Range(3, 7))));
        }

        @Test
        void tooManyAckRangesAreRejected() {
            SeqRange.Builder[] ranges = new SeqRange.Builder[Frame.MAX_RANGES + 1];
            for (int i = 0; i < ranges.length; i++) {
                ranges[i] = range(2L * i + 1, 2L * i + 1);
            }

            assertThat(rejection(ack(1, ranges))).hasMessage("ack.ranges must hold at most 4096 items, got 4097");
        }

        private SeqRange.Builder range(long first, long last) {
            return SeqRange.newBuilder().setFirst(first).setLast(last);
        }

        private io.imr.wire.proto.Frame ack(long epoch, SeqRange.Builder... ranges) {
            io.imr.wire.proto.Ack.Builder a = io.imr.wire.proto.Ack.newBuilder().setEpoch(epoch);
            for (SeqRange.Builder r : ranges) {
                a.addRanges(r);
            }
            return io.imr.wire.proto.Frame.newBuilder().setAck(a).build();
        }

        private static UnknownFieldSet unknownField(int number) {
            return UnknownFieldSet.newBuilder()
                    .addField(number, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                    .build();
        }
    }

    /**
     * What the frames cost beyond their payloads. A message of a 256-byte payload in a Deliver costs its
     * entry's tag and length (1 + 2), the payload's tag and length (1 + 2) and its checksum (1 + 4): 11
     * bytes, and nothing for seq, origin, counter and time while it continues the message before from
     * the same outbox in the same millisecond. The frame's own part (length prefix, envelope, recipient,
     * epoch, max seq, base seq, the origin) is under 100 bytes, a tenth of a byte each over 1,000
     * messages: so below 12 bytes a message. A Send item costs its tag and length (3), its counter
     * (1 + 2 up to 16,383), payload tag and length (3) and checksum (5): 14, so below 15.
     */
    @Nested
    class Sizes {

        private long controlBytes(Frame frame, List<Message> messages) {
            long payloads = 0;
            for (Message m : messages) {
                payloads += m.payload().length;
            }
            return codec.encodeWithLength(frame).length - payloads;
        }

        @Test
        void aDeliverOf1000MessagesOfOneSenderCostsLessThan12ControlBytesAMessage() {
            List<Message> messages = new ArrayList<>();
            for (int i = 1; i <= 1000; i++) {
                messages.add(message256("alice", "Q7hK2xP9", 200_000 + i, 1_000_000 + i, T0));
            }

            long control = controlBytes(new Deliver(messages, 1_001_000), messages);

            assertThat(control / 1000.0).isLessThan(12);
        }

        @Test
        void aDeliverWhoseTimesMoveAndWhoseSendersInterleaveStaysBelow15ControlBytesAMessage() {
            List<Message> messages = new ArrayList<>();
            for (int i = 1; i <= 1000; i++) {
                String sender = i % 2 == 0 ? "alice" : "carol";
                messages.add(message256(sender, "Q7hK2xP9", 200_000 + i / 2, 1_000_000 + i, T0 + i / 10));
            }

            long control = controlBytes(new Deliver(messages, 1_001_000), messages);

            // Each message now names its origin (2) and one in ten moves the time (2): 13.2 and the frame's part.
            assertThat(control / 1000.0).isLessThan(15);
        }

        @Test
        void aSendOf1000MessagesToOneRecipientCostsLessThan15ControlBytesAMessage() {
            List<Send.Item> items = new ArrayList<>();
            long payloads = 0;
            for (int i = 1; i <= 1000; i++) {
                byte[] payload = new byte[256];
                items.add(new Send.Item(i, "bob", payload, Checksums.crc32c(payload)));
                payloads += payload.length;
            }

            long control = codec.encodeWithLength(new Send("Q7hK2xP9", items)).length - payloads;

            assertThat(control / 1000.0).isLessThan(15);
        }

        @Test
        void aSendAckOfOneRunAndAnAckOfOneRangeConfirmAnyNumberOfMessagesInAFewBytes() {
            SendAck sendAck = new SendAck("Q7hK2xP9", List.of(new SendAck.Run(200_001, 1000, 1_000_001, 1)));
            Ack ack = Ack.of(1, 1_000_001, 1_001_000);

            assertThat(codec.encodeWithLength(sendAck).length).isLessThan(40);
            assertThat(codec.encodeWithLength(ack).length).isLessThan(25);
        }
    }
}
