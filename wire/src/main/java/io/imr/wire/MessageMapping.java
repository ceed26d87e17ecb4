package io.imr.wire;

import com.google.protobuf.UnsafeByteOperations;
import io.imr.api.ClientIds;
import io.imr.api.Message;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.wire.proto.DeliveredMessage;
import io.imr.wire.proto.Origin;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps between a batch of the api's {@link Message}s (of a Deliver or a PullResult) and its compact
 * Protocol Buffers form: the recipient and epoch once, a table of origins ({@code sender}, outbox id)
 * once each, and per message the deltas of seq, counter and server time from the message before,
 * besides payload and checksum. The receiver derives each message's client id
 * ({@link ClientIds#of}) and id ({@link Message#of}).
 *
 * <p>This is the hot path of delivery (every message of every Deliver and PullResult passes here), so
 * it copies nothing it does not have to: encoding wraps each payload array without a copy (a Message
 * owns its payload and nobody changes it) and reads the outbox id and counter out of the client id
 * without allocating while consecutive messages share their origin; decoding copies each payload
 * once, into the array the new Message owns.
 */
public final class MessageMapping {

    /**
     * A batch in its wire form, to be set on a Deliver's or PullResult's builder.
     *
     * @param recipient the recipient of every message, or empty for no messages
     * @param epoch     the epoch of every message, or 0 for no messages
     * @param baseSeq   the seq before the first message's, or 0 for no messages
     * @param origins   the origins, each once, in order of first use
     * @param messages  the messages
     */
    public record Batch(String recipient, long epoch, long baseSeq, List<Origin> origins,
                        List<DeliveredMessage> messages) {
    }

    /**
     * Bytes a message costs in a batch at most besides its payload and names: the entry's tag and length
     * (4), seq skip (11), origin index (3), counter skip (11), time delta (11), payload tag and length (4),
     * checksum (5), and the tags and lengths of an origin entry it may add (6).
     */
    private static final int MAX_FIXED_BYTES = 55;

    private MessageMapping() {
    }

    /**
     * An upper bound of the bytes a message adds to the body of a Deliver or PullResult, origin entry
     * included (names are ASCII, so their length is their size). With
     * {@link FrameCodec#BATCH_FRAME_OVERHEAD} for the rest of the frame, a sender can fill a batch up to
     * the frame limit without encoding it first.
     */
    public static long maxSizeInBatch(Message m) {
        return (long) m.payload().length + m.sender().length() + m.clientId().length() + MAX_FIXED_BYTES;
    }

    /**
     * The wire form of a batch of messages, all to one recipient, of one epoch, in increasing seq (as
     * the api's Deliver and PullResult hold them). The result shares the messages' payload arrays.
     *
     * @throws IllegalArgumentException if a client id is not {@code <outbox id>-<counter>}
     *                                  ({@link ClientIds}): its message cannot be carried in version 3
     */
    public static Batch toProto(List<Message> messages) {
        int n = messages.size();
        if (n == 0) {
            return new Batch("", 0, 0, List.of(), List.of());
        }
        Message first = messages.get(0);
        List<Origin> origins = new ArrayList<>(1);
        // Origins by sender, then by outbox id; looked up only when a message's origin is not the one before's.
        Map<String, Map<String, Integer>> index = new HashMap<>();
        List<long[]> lastCounters = new ArrayList<>(1);
        List<DeliveredMessage> out = new ArrayList<>(n);
        DeliveredMessage.Builder b = DeliveredMessage.newBuilder();
        String currentSender = null;
        String currentOutbox = null;
        int currentOrigin = -1;
        long previousSeq = first.seq() - 1;
        long previousTime = 0;
        for (int i = 0; i < n; i++) {
            Message m = messages.get(i);
            String clientId = m.clientId();
            int dash = clientId.indexOf('-');
            boolean sameOrigin = currentOrigin >= 0 && m.sender().equals(currentSender)
                    && dash == currentOutbox.length() && clientId.regionMatches(0, currentOutbox, 0, dash);
            long counter;
            if (sameOrigin) {
                counter = counterAfter(clientId, dash);
            } else {
                String outbox = ClientIds.outboxOf(clientId);
                counter = ClientIds.counterOf(clientId);
                Map<String, Integer> bySender = index.computeIfAbsent(m.sender(), k -> new HashMap<>(2));
                Integer known = bySender.get(outbox);
                if (known == null) {
                    known = origins.size();
                    bySender.put(outbox, known);
                    origins.add(Origin.newBuilder().setSender(m.sender()).setOutboxId(outbox).build());
                    lastCounters.add(new long[1]);
                }
                currentOrigin = known;
                currentSender = m.sender();
                currentOutbox = outbox;
            }
            long[] lastCounter = lastCounters.get(currentOrigin);
            b.clear()
                    .setSeqSkip(m.seq() - previousSeq - 1)
                    .setOrigin(currentOrigin)
                    .setCounterSkip(counter - lastCounter[0] - 1)
                    .setTimeDelta(m.serverTimeMillis() - previousTime)
                    .setPayload(UnsafeByteOperations.unsafeWrap(m.payload()))
                    .setPayloadChecksum(m.payloadChecksum());
            out.add(b.build());
            lastCounter[0] = counter;
            previousSeq = m.seq();
            previousTime = m.serverTimeMillis();
        }
        return new Batch(first.recipient(), first.epoch(), first.seq() - 1, origins, out);
    }

    /**
     * The counter after the dash of a client id whose outbox id is known to be valid.
     *
     * @throws IllegalArgumentException if it is not 1 to 2<sup>63</sup>-1 in decimal without leading zeros
     */
    private static long counterAfter(String clientId, int dash) {
        int from = dash + 1;
        int digits = clientId.length() - from;
        if (digits < 1 || digits > 19 || clientId.charAt(from) == '0') {
            return ClientIds.counterOf(clientId); // throws, naming the rule
        }
        long v = 0;
        for (int i = from; i < clientId.length(); i++) {
            char c = clientId.charAt(i);
            if (c < '0' || c > '9') {
                return ClientIds.counterOf(clientId);
            }
            int d = c - '0';
            if (v > (Long.MAX_VALUE - d) / 10) {
                return ClientIds.counterOf(clientId);
            }
            v = v * 10 + d;
        }
        return v;
    }

    /**
     * The messages a batch's wire form stands for, each field derived and validated. The payload
     * checksums are carried, not verified: verifying them is the receiving device's job (G4), and a
     * mismatch makes that one message lost, not the whole frame bad.
     *
     * @param where the batch's place, for error messages ({@code "deliver"})
     * @throws ProtocolException (BAD_FRAME) naming the field: for unknown fields, a missing payload
     *                           checksum, an origin index outside the table, an origin not used or
     *                           listed twice, a seq, counter or time out of range, more than
     *                           {@link Frame#MAX_BATCH} messages or origins, or a rule of {@link Message}
     *                           broken; nothing is returned then
     */
    public static List<Message> fromProto(String recipient, long epochField, long baseSeqField, List<Origin> origins,
                                          List<DeliveredMessage> protos, String where) {
        if (protos.size() > Frame.MAX_BATCH) {
            throw bad(where + ".messages must hold at most " + Frame.MAX_BATCH + " items, got " + protos.size());
        }
        if (origins.size() > Frame.MAX_BATCH) {
            throw bad(where + ".origins must hold at most " + Frame.MAX_BATCH + " items, got " + origins.size());
        }
        long baseSeq = Strict.u64(baseSeqField, where, "baseSeq");
        long epoch = Strict.u64(epochField, where, "epoch");
        if (protos.isEmpty()) {
            if (!recipient.isEmpty() || baseSeq != 0 || !origins.isEmpty()) {
                throw bad(where + " holds no messages, so its recipient, baseSeq and origins must be empty");
            }
            return List.of();
        }
        if (epoch < 1) {
            throw bad(where + ".epoch must be 1 or more, got " + epoch);
        }
        int originCount = origins.size();
        String[] senders = new String[originCount];
        String[] outboxes = new String[originCount];
        Map<String, Map<String, Boolean>> seen = new HashMap<>();
        for (int i = 0; i < originCount; i++) {
            Origin o = origins.get(i);
            String at = where + ".origins[" + i + "]";
            Strict.noUnknownFields(o, at);
            try {
                senders[i] = io.imr.api.Names.principal("sender", o.getSender());
                outboxes[i] = ClientIds.outboxId(o.getOutboxId());
            } catch (IllegalArgumentException e) {
                throw new ProtocolException(ErrorFrame.Code.BAD_FRAME, at + ": " + e.getMessage(), e);
            }
            if (seen.computeIfAbsent(senders[i], k -> new HashMap<>(2)).put(outboxes[i], Boolean.TRUE) != null) {
                throw bad(at + " repeats sender " + senders[i] + " with outbox " + outboxes[i]);
            }
        }
        // Built once per origin: each message's client id and id are these plus its counter (the origin's
        // names were checked above, a counter of 1 or more below).
        String[] clientIdPrefix = new String[originCount];
        String[] idPrefix = new String[originCount];
        for (int i = 0; i < originCount; i++) {
            clientIdPrefix[i] = outboxes[i] + "-";
            idPrefix[i] = senders[i] + "/";
        }
        long[] lastCounter = new long[originCount];
        boolean[] used = new boolean[originCount];
        List<Message> messages = new ArrayList<>(protos.size());
        long previousSeq = baseSeq;
        long previousTime = 0;
        for (int i = 0, n = protos.size(); i < n; i++) {
            DeliveredMessage p = protos.get(i);
            // The message's place is named only when something is wrong: it costs a string per message.
            if (!p.getUnknownFields().isEmpty()) {
                Strict.noUnknownFields(p, at(where, i));
            }
            if (!p.hasPayloadChecksum()) {
                throw bad(at(where, i) + ".payloadChecksum is missing");
            }
            long skip = p.getSeqSkip();
            if (skip < 0) {
                Strict.u64(skip, at(where, i), "seqSkip");
            }
            if (skip > Long.MAX_VALUE - 1 - previousSeq) {
                throw bad(at(where, i) + ".seqSkip " + skip + " takes the seq beyond " + Long.MAX_VALUE);
            }
            long seq = previousSeq + 1 + skip;
            int origin = p.getOrigin();
            if (origin < 0 || origin >= originCount) {
                throw bad(at(where, i) + ".origin " + Integer.toUnsignedString(origin) + " is not an index of the "
                        + originCount + " origins");
            }
            long counter;
            try {
                // last + skip first: last is 0 to 2^63-1, so only a skip that is too large overflows.
                counter = Math.addExact(Math.addExact(lastCounter[origin], p.getCounterSkip()), 1);
            } catch (ArithmeticException e) {
                throw bad(at(where, i) + ".counterSkip " + p.getCounterSkip() + " takes the counter beyond "
                        + Long.MAX_VALUE);
            }
            if (counter < 1) {
                throw bad(at(where, i) + ".counterSkip " + p.getCounterSkip() + " makes the counter " + counter
                        + "; counters are 1 or more");
            }
            long time;
            try {
                time = Math.addExact(previousTime, p.getTimeDelta());
            } catch (ArithmeticException e) {
                time = -1;
            }
            if (time < 0) {
                throw bad(at(where, i) + ".timeDelta " + p.getTimeDelta() + " takes the server time out of 0 to "
                        + Long.MAX_VALUE);
            }
            String clientId = clientIdPrefix[origin] + counter;
            try {
                // As Message.of(sender, ClientIds.of(outbox, counter), ...), without checking the origin's names
                // again for each message (the constructor checks every field once).
                messages.add(new Message(idPrefix[origin] + clientId, senders[origin], clientId, recipient, seq, epoch,
                        time, p.getPayload().toByteArray(), p.getPayloadChecksum()));
            } catch (IllegalArgumentException e) {
                throw new ProtocolException(ErrorFrame.Code.BAD_FRAME, at(where, i) + ": " + e.getMessage(), e);
            }
            used[origin] = true;
            lastCounter[origin] = counter;
            previousSeq = seq;
            previousTime = time;
        }
        for (int i = 0; i < originCount; i++) {
            if (!used[i]) {
                throw bad(where + ".origins[" + i + "] is used by no message");
            }
        }
        return messages;
    }

    private static String at(String where, int i) {
        return where + ".messages[" + i + "]";
    }

    private static ProtocolException bad(String message) {
        return new ProtocolException(ErrorFrame.Code.BAD_FRAME, message);
    }
}
