package io.imr.store.mapdb;

import io.imr.api.store.ClientState;
import io.imr.api.store.ExpiredRange;
import java.util.ArrayList;
import java.util.List;
import io.imr.api.store.StoreException;

/**
 * The meta record of a device's store, written in the same transaction as the messages it
 * describes, so that messages and cursors are never committed one without the other.
 *
 * <p>Format, version 4: {@code u8 version, string user, string device, string outboxId, varint
 * epoch, varint cursor, string idAtCursor, varint firstSeq, varint count, varint handedOver,
 * varint lastCounter, string serverStore, varint serverEpoch, varint serverSeq, string serverId,
 * varint incarnation, varint n, n × (varint epoch, varint from, varint to)}: the last part the expired
 * ranges (retention). Version 3 was laid out as version 4 without the expired ranges; it is not read
 * either (a device of version 3 could not tell an expired range from a hole). Version 1 (without the server position and the count of openings) is not
 * read: its cursor was the server's seq, which version 2 keeps apart from the device's own numbering.
 *
 * @see ClientState for the meaning of each field
 */
record ClientMeta(String user, String device, String outboxId, long epoch, long cursor, String idAtCursor,
                  long firstSeq, long count, long handedOver, long lastCounter, ClientState.ServerPosition server,
                  long incarnation, List<ExpiredRange> expired) {

    static final int VERSION = 4;

    /** The meta of a new, empty store. */
    static ClientMeta created(String user, String device, String outboxId) {
        return new ClientMeta(user, device, outboxId, 0, 0, "", 0, 0, 0, 0, ClientState.ServerPosition.NONE, 0,
                List.of());
    }

    ClientState toState(int outboxSize) {
        return new ClientState(user, device, outboxId, epoch, cursor, idAtCursor, firstSeq, count, handedOver,
                lastCounter, outboxSize, server, incarnation, expired);
    }

    byte[] encode() {
        Bytes.Writer w = new Bytes.Writer(128).u8(VERSION).string(user).string(device).string(outboxId).varLong(epoch)
                .varLong(cursor).string(idAtCursor).varLong(firstSeq).varLong(count).varLong(handedOver)
                .varLong(lastCounter).string(server.store()).varLong(server.epoch()).varLong(server.seq())
                .string(server.id()).varLong(incarnation);
        w.varLong(expired.size());
        for (ExpiredRange r : expired) {
            w.varLong(r.epoch()).varLong(r.from()).varLong(r.to());
        }
        return w.toByteArray();
    }

    /**
     * @throws StoreException                  for the meta of an older format, which is never read
     * @throws StoreException.CorruptException if the record is damaged
     */
    static ClientMeta decode(byte[] record) {
        if (record.length > 0 && record[0] >= 1 && record[0] < VERSION) {
            throw new StoreException("this is a client store of format " + record[0] + ", written by an older imr;"
                    + " this imr reads format " + VERSION + " only (it records the ranges the server no longer held when"
                    + " the device came back) and does not convert it: use a new data folder for this device (the server sends it"
                    + " everything again), or run the older imr on this one");
        }
        Bytes.Reader r = new Bytes.Reader(record, "client meta");
        r.version(VERSION);
        String user = r.string();
        String device = r.string();
        String outboxId = r.string();
        long epoch = r.varLong();
        long cursor = r.varLong();
        String idAtCursor = r.string();
        long firstSeq = r.varLong();
        long count = r.varLong();
        long handedOver = r.varLong();
        long lastCounter = r.varLong();
        String serverStore = r.string();
        long serverEpoch = r.varLong();
        long serverSeq = r.varLong();
        String serverId = r.string();
        long incarnation = r.varLong();
        int n = r.varInt(ExpiredRange.MAX_KEPT);
        List<ExpiredRange> expired = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long e = r.varLong();
            long from = r.varLong();
            long to = r.varLong();
            try {
                expired.add(new ExpiredRange(e, from, to));
            } catch (IllegalArgumentException x) {
                throw new StoreException.CorruptException("client meta holds an impossible expired range: "
                        + x.getMessage(), x);
            }
        }
        r.expectEnd();
        ClientState.ServerPosition server;
        try {
            server = new ClientState.ServerPosition(serverStore, serverEpoch, serverSeq, serverId);
        } catch (IllegalArgumentException e) {
            throw new StoreException.CorruptException("client meta holds an impossible server position: "
                    + e.getMessage(), e);
        }
        return new ClientMeta(user, device, outboxId, epoch, cursor, idAtCursor, firstSeq, count, handedOver,
                lastCounter, server, incarnation, expired);
    }

    ClientMeta withServer(ClientState.ServerPosition position) {
        return new ClientMeta(user, device, outboxId, epoch, cursor, idAtCursor, firstSeq, count, handedOver,
                lastCounter, position, incarnation, expired);
    }

    ClientMeta appended(long msgEpoch, long first, long last, String lastId, int n) {
        return new ClientMeta(user, device, outboxId, msgEpoch, last, lastId, firstSeq == 0 ? first : firstSeq,
                count + n, handedOver, lastCounter, server, incarnation, expired);
    }

    ClientMeta withHandedOver(long seq) {
        return new ClientMeta(user, device, outboxId, epoch, cursor, idAtCursor, firstSeq, count, seq, lastCounter,
                server, incarnation, expired);
    }

    ClientMeta withLastCounter(long counter) {
        return new ClientMeta(user, device, outboxId, epoch, cursor, idAtCursor, firstSeq, count, handedOver, counter,
                server, incarnation, expired);
    }

    ClientMeta withExpired(ExpiredRange range) {
        return new ClientMeta(user, device, outboxId, epoch, cursor, idAtCursor, firstSeq, count, handedOver,
                lastCounter, server, incarnation, ExpiredRange.recorded(expired, range));
    }

    ClientMeta opened() {
        return new ClientMeta(user, device, outboxId, epoch, cursor, idAtCursor, firstSeq, count, handedOver,
                lastCounter, server, incarnation + 1, expired);
    }
}
