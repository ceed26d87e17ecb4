package io.imr.store.mapdb;

import io.imr.api.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a batch of messages into one record. Both stores keep messages as batches, one record
 * per commit group (split when large), because MapDB's cost is per record, not per byte: one
 * record of 256 messages costs about what one record of one message costs.
 *
 * <p>Format, version 1: {@code u8 version, varint count}, then per message {@code varint seq,
 * varint epoch, varint serverTimeMillis, string sender, string clientId, string recipient,
 * i32 payloadChecksum, bytes payload}. The message id is not stored: it is sender/clientId.
 */
final class MessageBatchCodec {

    static final int VERSION = 1;

    /**
     * The size above which a batch is split into several records. Reads decode whole records, so
     * this bounds the memory of a read of a few messages (G7); it is large enough that a commit
     * group of typical messages stays one record.
     */
    static final int RECORD_SPLIT_BYTES = 256 * 1024;

    private MessageBatchCodec() {
    }

    static byte[] encode(List<Message> messages) {
        // The exact size, so that the record is written into its final array once, without a copy.
        return write(new Bytes.Writer((int) size(messages)), messages).toByteArray();
    }

    /**
     * A record that starts with a number of the store's (a varint) before the batch: the server's inbox
     * records carry the ordinal of the generation that stored them this way, so that one put stores both.
     */
    static byte[] encode(long header, List<Message> messages) {
        Bytes.Writer w = new Bytes.Writer((int) (varLongSize(header) + size(messages)));
        w.varLong(header);
        return write(w, messages).toByteArray();
    }

    /**
     * As {@link #encode(long, List)}, with zero bytes after the batch up to the next size class (classes an
     * eighth apart, from 64 bytes on): MapDB's direct store reuses the space of a removed record only for a
     * record of the same size class of 16 bytes, so records of a few sizes let trimmed space be reused instead of
     * the file growing (retention). At most an eighth more bytes.
     */
    static byte[] encodePadded(long header, List<Message> messages) {
        long exact = varLongSize(header) + size(messages);
        int padded = (int) sizeClass(exact);
        Bytes.Writer w = new Bytes.Writer(padded);
        w.varLong(header);
        write(w, messages);
        // The class once, the zeros at once: computing the class for each byte of padding took a third of the
        // server's CPU at full load (up to 32 KiB of padding, ~70 steps each).
        return w.zeros(padded - w.size()).toByteArray();
    }

    /** The size class a record of this many bytes is padded to: 64 bytes, then steps of an eighth, 16-byte aligned. */
    static long sizeClass(long bytes) {
        long c = 64;
        while (c < bytes) {
            c = (c + c / 8 + 15) & ~15L;
        }
        return c;
    }

    /** Decodes a record made by {@link #encodePadded}: the padding must be zeros. */
    static List<Message> decodePadded(byte[] record) {
        Bytes.Reader r = new Bytes.Reader(record, "message batch");
        r.varLong();
        List<Message> out = readBatch(r, record.length);
        r.expectZeros();
        return out;
    }

    /** The number in front of a record made by {@link #encode(long, List)}. */
    static long header(byte[] record) {
        return new Bytes.Reader(record, "message batch").varLong();
    }

    /**
     * Decodes a record.
     *
     * @throws io.imr.api.store.StoreException.CorruptException if the record is damaged or holds a
     *         message that breaks the message model's rules
     */
    static List<Message> decode(byte[] record) {
        return read(new Bytes.Reader(record, "message batch"), record.length);
    }

    /** Decodes a record made by {@link #encode(long, List)}, as {@link #decode(byte[])} does. */
    static List<Message> decodeAfterHeader(byte[] record) {
        Bytes.Reader r = new Bytes.Reader(record, "message batch");
        r.varLong();
        return read(r, record.length);
    }

    private static long size(List<Message> messages) {
        long size = 1 + varLongSize(messages.size());
        for (Message m : messages) {
            size += exactSize(m);
        }
        return size;
    }

    private static Bytes.Writer write(Bytes.Writer w, List<Message> messages) {
        w.u8(VERSION).varLong(messages.size());
        for (Message m : messages) {
            w.varLong(m.seq()).varLong(m.epoch()).varLong(m.serverTimeMillis()).string(m.sender())
                    .string(m.clientId()).string(m.recipient()).i32(m.payloadChecksum()).bytes(m.payload());
        }
        return w;
    }

    private static List<Message> read(Bytes.Reader r, int recordLength) {
        List<Message> out = readBatch(r, recordLength);
        r.expectEnd();
        return out;
    }

    private static List<Message> readBatch(Bytes.Reader r, int recordLength) {
        r.version(VERSION);
        int count = r.varInt(recordLength);
        List<Message> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long seq = r.varLong();
            long epoch = r.varLong();
            long time = r.varLong();
            String sender = r.string();
            String clientId = r.string();
            String recipient = r.string();
            int checksum = r.i32();
            byte[] payload = r.bytes();
            try {
                out.add(Message.of(sender, clientId, recipient, seq, epoch, time, payload, checksum));
            } catch (IllegalArgumentException e) {
                throw r.corrupt("a message that breaks the model (" + e.getMessage() + ")");
            }
        }
        return out;
    }

    /**
     * Cuts a list of messages into runs of at most {@link #RECORD_SPLIT_BYTES} (a single larger
     * message gets a run of its own).
     */
    static List<List<Message>> split(List<Message> messages) {
        List<List<Message>> runs = new ArrayList<>();
        int start = 0;
        long bytes = 0;
        for (int i = 0; i < messages.size(); i++) {
            long size = estimatedSize(messages.get(i));
            if (i > start && bytes + size > RECORD_SPLIT_BYTES) {
                runs.add(messages.subList(start, i));
                start = i;
                bytes = 0;
            }
            bytes += size;
        }
        if (start < messages.size()) {
            runs.add(messages.subList(start, messages.size()));
        }
        return runs;
    }

    /** The bytes a message takes in a record (names are ASCII, checked by {@link Message}: one byte a character). */
    private static long exactSize(Message m) {
        return varLongSize(m.seq()) + varLongSize(m.epoch()) + varLongSize(m.serverTimeMillis())
                + stringSize(m.sender()) + stringSize(m.clientId()) + stringSize(m.recipient()) + 4
                + varLongSize(m.payload().length) + m.payload().length;
    }

    private static int stringSize(String ascii) {
        return varLongSize(ascii.length()) + ascii.length();
    }

    /** The bytes {@link Bytes.Writer#varLong} writes for {@code v}. */
    static int varLongSize(long v) {
        return v == 0 ? 1 : (64 - Long.numberOfLeadingZeros(v) + 6) / 7;
    }

    static long estimatedSize(Message m) {
        return m.payload().length + m.sender().length() + m.clientId().length() + m.recipient().length() + 40L;
    }
}
