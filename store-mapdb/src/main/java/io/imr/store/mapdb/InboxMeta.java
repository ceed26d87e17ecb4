package io.imr.store.mapdb;

import io.imr.api.store.InboxState;

/**
 * The meta record of one user's inbox on the server, written in the same transaction as the
 * messages it counts. Numbering always continues at {@code maxSeq + 1}; the epoch is never changed
 * (nothing a device says changes a user's sequence, G10).
 *
 * <p>Format, version 1: {@code u8 version, varint epoch, varint maxSeq, varint firstSeq}.
 */
record InboxMeta(long epoch, long maxSeq, long firstSeq) {

    static final int VERSION = 1;

    /** A user nobody wrote to yet. */
    static final InboxMeta EMPTY = new InboxMeta(1, 0, 0);

    InboxMeta appended(long seq) {
        return new InboxMeta(epoch, seq, firstSeq == 0 ? seq : firstSeq);
    }

    InboxState toState(String user) {
        return new InboxState(user, epoch, maxSeq, firstSeq);
    }

    byte[] encode() {
        return new Bytes.Writer(16).u8(VERSION).varLong(epoch).varLong(maxSeq).varLong(firstSeq).toByteArray();
    }

    /** @throws io.imr.api.store.StoreException.CorruptException if the record is damaged */
    static InboxMeta decode(byte[] record) {
        Bytes.Reader r = new Bytes.Reader(record, "inbox meta");
        r.version(VERSION);
        InboxMeta m = new InboxMeta(r.varLong(), r.varLong(), r.varLong());
        r.expectEnd();
        return m;
    }
}
