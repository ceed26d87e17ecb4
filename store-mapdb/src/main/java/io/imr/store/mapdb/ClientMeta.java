package io.imr.store.mapdb;

import io.imr.api.store.ClientState;

/**
 * The meta record of a device's store, written in the same transaction as the messages it
 * describes, so that messages and cursor are never committed one without the other.
 *
 * <p>Format, version 1: {@code u8 version, string user, string device, string outboxId, varint
 * epoch, varint cursor, string idAtCursor, varint firstSeq, varint count, varint handedOver,
 * varint lastCounter}.
 *
 * @see ClientState for the meaning of each field
 */
record ClientMeta(String user, String device, String outboxId, long epoch, long cursor, String idAtCursor,
                  long firstSeq, long count, long handedOver, long lastCounter) {

    static final int VERSION = 1;

    /** The meta of a new, empty store. */
    static ClientMeta created(String user, String device, String outboxId) {
        return new ClientMeta(user, device, outboxId, 0, 0, "", 0, 0, 0, 0);
    }

    ClientState toState(int outboxSize) {
        return new ClientState(user, device, outboxId, epoch, cursor, idAtCursor, firstSeq, count, handedOver,
                lastCounter, outboxSize);
    }

    byte[] encode() {
        return new Bytes.Writer(96).u8(VERSION).string(user).string(device).string(outboxId).varLong(epoch)
                .varLong(cursor).string(idAtCursor).varLong(firstSeq).varLong(count).varLong(handedOver)
                .varLong(lastCounter).toByteArray();
    }

    /** @throws io.imr.api.store.StoreException.CorruptException if the record is damaged */
    static ClientMeta decode(byte[] record) {
        Bytes.Reader r = new Bytes.Reader(record, "client meta");
        r.version(VERSION);
        ClientMeta meta = new ClientMeta(r.string(), r.string(), r.string(), r.varLong(), r.varLong(), r.string(),
                r.varLong(), r.varLong(), r.varLong(), r.varLong());
        r.expectEnd();
        return meta;
    }

    ClientMeta rebased(long newEpoch, long newCursor, String newIdAtCursor) {
        return new ClientMeta(user, device, outboxId, newEpoch, newCursor, newIdAtCursor, firstSeq, count, handedOver,
                lastCounter);
    }

    ClientMeta appended(long msgEpoch, long first, long last, String lastId, int n) {
        return new ClientMeta(user, device, outboxId, msgEpoch, last, lastId, firstSeq == 0 ? first : firstSeq,
                count + n, handedOver, lastCounter);
    }

    ClientMeta withHandedOver(long seq) {
        return new ClientMeta(user, device, outboxId, epoch, cursor, idAtCursor, firstSeq, count, seq, lastCounter);
    }

    ClientMeta withLastCounter(long counter) {
        return new ClientMeta(user, device, outboxId, epoch, cursor, idAtCursor, firstSeq, count, handedOver, counter);
    }
}
