package io.imr.store.mapdb;

import io.imr.api.store.OutboxEntry;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Encodes the outbox's records: a batch of entries (one record per commit group that enqueued
 * them), and the removal marks of a batch (a bit per entry, set once the server confirmed it).
 *
 * <p>Batch, version 1: {@code u8 version, varint count}, then per entry {@code varint counter,
 * string to, i32 payloadChecksum, varint createdAtMillis, bytes payload}. Marks, version 1:
 * {@code u8 version, bytes bitmap} (little-endian, as {@link BitSet#toByteArray()}).
 */
final class OutboxCodec {

    static final int VERSION = 1;

    private OutboxCodec() {
    }

    static byte[] encode(List<OutboxEntry> entries) {
        int estimate = 8;
        for (OutboxEntry e : entries) {
            estimate += estimatedSize(e);
        }
        Bytes.Writer w = new Bytes.Writer(estimate).u8(VERSION).varLong(entries.size());
        for (OutboxEntry e : entries) {
            w.varLong(e.counter()).string(e.to()).i32(e.payloadChecksum()).varLong(e.createdAtMillis()).bytes(e.payload());
        }
        return w.toByteArray();
    }

    /** @throws io.imr.api.store.StoreException.CorruptException if the record is damaged */
    static List<OutboxEntry> decode(byte[] record) {
        Bytes.Reader r = new Bytes.Reader(record, "outbox batch");
        r.version(VERSION);
        int count = r.varInt(record.length);
        List<OutboxEntry> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long counter = r.varLong();
            String to = r.string();
            int checksum = r.i32();
            long created = r.varLong();
            byte[] payload = r.bytes();
            try {
                out.add(new OutboxEntry(counter, to, payload, checksum, created));
            } catch (IllegalArgumentException e) {
                throw r.corrupt("an entry that breaks the model (" + e.getMessage() + ")");
            }
        }
        r.expectEnd();
        return out;
    }

    static byte[] encodeMarks(BitSet removed) {
        return new Bytes.Writer(16).u8(VERSION).bytes(removed.toByteArray()).toByteArray();
    }

    /** @throws io.imr.api.store.StoreException.CorruptException if the record is damaged */
    static BitSet decodeMarks(byte[] record) {
        Bytes.Reader r = new Bytes.Reader(record, "outbox marks");
        r.version(VERSION);
        BitSet removed = BitSet.valueOf(r.bytes());
        r.expectEnd();
        return removed;
    }

    static long estimatedSize(OutboxEntry e) {
        return e.payload().length + e.to().length() + 32L;
    }
}
