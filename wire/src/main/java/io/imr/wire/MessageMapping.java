package io.imr.wire;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import io.imr.api.Message;
import io.imr.api.frame.ErrorFrame;

/**
 * Maps between the api's {@link Message} and its Protocol Buffers form. This is the hot path
 * of delivery (every message of every Deliver and PullResult passes here), so it copies
 * nothing it does not have to: encoding wraps the payload array without a copy (a Message owns
 * its payload and nobody changes it), decoding copies the payload once, into the array the new
 * Message owns.
 */
public final class MessageMapping {

    /** The field number of {@code messages} in both Deliver (1) and PullResult (2) has a one-byte tag. */
    private static final int BATCH_TAG_BYTES = 1;

    private MessageMapping() {
    }

    /**
     * The Protocol Buffers form of a message. The result shares the message's payload array, so
     * it is only as immutable as the message is.
     */
    public static io.imr.wire.proto.Message toProto(Message m) {
        return io.imr.wire.proto.Message.newBuilder()
                .setId(m.id())
                .setSender(m.sender())
                .setClientId(m.clientId())
                .setRecipient(m.recipient())
                .setSeq(m.seq())
                .setEpoch(m.epoch())
                .setServerTimeMillis(m.serverTimeMillis())
                .setPayload(UnsafeByteOperations.unsafeWrap(m.payload()))
                .setPayloadChecksum(m.payloadChecksum())
                .build();
    }

    /**
     * The message a decoded Protocol Buffers message stands for, with every field validated.
     * The payload checksum is carried, not verified: verifying it is the receiving device's job
     * (G4), and a mismatch makes that one message lost, not the whole frame bad.
     *
     * @param where where the message sits, for error messages ({@code "deliver.messages[3]"})
     * @throws ProtocolException (BAD_FRAME) naming the field, if the message holds unknown
     *                           fields, lacks its payload checksum, holds a value out of range, or
     *                           breaks a rule of {@link Message}; nothing is returned then
     */
    public static Message fromProto(io.imr.wire.proto.Message p, String where) {
        Strict.noUnknownFields(p, where);
        if (!p.hasPayloadChecksum()) {
            throw new ProtocolException(ErrorFrame.Code.BAD_FRAME, where + ".payloadChecksum is missing");
        }
        long seq = Strict.u64(p.getSeq(), where, "seq");
        long epoch = Strict.u64(p.getEpoch(), where, "epoch");
        long serverTime = Strict.u64(p.getServerTimeMillis(), where, "serverTimeMillis");
        try {
            return new Message(p.getId(), p.getSender(), p.getClientId(), p.getRecipient(), seq, epoch, serverTime,
                    p.getPayload().toByteArray(), p.getPayloadChecksum());
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorFrame.Code.BAD_FRAME, where + ": " + e.getMessage(), e);
        }
    }

    /**
     * How many bytes this message adds to the body of a Deliver or PullResult: its field tag,
     * its length and its encoding. With {@link FrameCodec#BATCH_FRAME_OVERHEAD} for the rest of
     * the frame, a sender can fill a batch up to the frame limit without encoding it first.
     */
    public static int sizeInBatch(Message m) {
        int size = toProto(m).getSerializedSize();
        return BATCH_TAG_BYTES + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }
}
