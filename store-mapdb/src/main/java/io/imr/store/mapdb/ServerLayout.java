package io.imr.store.mapdb;

import io.imr.api.Message;
import io.imr.api.store.DeviceState;
import io.imr.api.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.Serializer;
import org.mapdb.serializer.SerializerArrayTuple;

/**
 * The maps of the server's store in one MapDB database, all with explicit serializers:
 * <ul>
 *   <li>{@code server.format}: one record holding the format version;</li>
 *   <li>{@code server.inbox}: (user, first seq) &rarr; {@link MessageBatchCodec} record, one per
 *       user per commit group (split when large), values outside the nodes;</li>
 *   <li>{@code server.inbox.meta}: user &rarr; {@link InboxMeta};</li>
 *   <li>{@code server.dedup}: "sender/clientId" &rarr; (recipient, seq), one small entry per
 *       message, values inside the nodes. It is most of the server's commit work: on plain MapDB
 *       a commit of 256 messages as one record ran at 165,000 messages/s, with a dedup entry per
 *       message at 29,000 ({@code LayoutBenchmark}). What keeps it affordable: a sender's
 *       consecutive client ids ("outboxId-counter") share their prefix, so a group's entries of
 *       one sender fall into the same few leaves, and a leaf written several times in a
 *       transaction reaches the file once; {@code STRING_DELTA} keys store that prefix once per
 *       node (the fastest of {@code STRING}, {@code STRING_DELTA} and a (sender, clientId)
 *       tuple: 24,000 / 29,000 / 21,000); and the writer looks up and inserts in one descent
 *       ({@code putIfAbsent}), which took the store from 36,000 to 63,000 messages/s at 1024 per
 *       commit;</li>
 *   <li>{@code server.devices}: "user/device" &rarr; device state.</li>
 * </ul>
 */
final class ServerLayout {

    static final int FORMAT_VERSION = 1;
    private static final String FORMAT_KEY = "format";

    final BTreeMap<String, byte[]> format;
    final BTreeMap<Object[], byte[]> inbox;
    final BTreeMap<String, byte[]> inboxMeta;
    final BTreeMap<String, byte[]> dedup;
    final BTreeMap<String, byte[]> devices;

    @SuppressWarnings("unchecked")
    ServerLayout(DB db) {
        format = db.treeMap("server.format", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
        inbox = db.treeMap("server.inbox", new SerializerArrayTuple(Serializer.STRING, Serializer.LONG),
                Serializer.BYTE_ARRAY).valuesOutsideNodesEnable().createOrOpen();
        inboxMeta = db.treeMap("server.inbox.meta", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
        dedup = db.treeMap("server.dedup", Serializer.STRING_DELTA, Serializer.BYTE_ARRAY).createOrOpen();
        devices = db.treeMap("server.devices", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
    }

    void writeFormat() {
        format.put(FORMAT_KEY, new byte[] {FORMAT_VERSION});
    }

    /** @throws StoreException.CorruptException unless the database is a server store of our format */
    void checkFormat() {
        byte[] v = format.get(FORMAT_KEY);
        if (v == null || v.length != 1 || v[0] != FORMAT_VERSION) {
            throw new StoreException.CorruptException("not a server store of format " + FORMAT_VERSION
                    + " (format record " + (v == null ? "missing" : "says " + (v.length == 1 ? v[0] : "?")) + ")", null);
        }
    }

    /** The committed meta of a user's inbox, or null if nobody wrote to the user. */
    InboxMeta readMeta(String user) {
        byte[] record = inboxMeta.get(user);
        return record == null ? null : InboxMeta.decode(record);
    }

    void appendMessages(String user, List<Message> batch) {
        for (List<Message> run : MessageBatchCodec.split(batch)) {
            inbox.put(new Object[] {user, run.get(0).seq()}, MessageBatchCodec.encode(run));
        }
    }

    /** Up to {@code limit} messages of a user from {@code fromSeq} on. */
    List<Message> read(String user, long fromSeq, int limit) {
        List<Message> out = new ArrayList<>(Math.min(limit, 1024));
        if (limit <= 0) {
            return out;
        }
        Object[] from = {user, fromSeq};
        Object[] floor = inbox.floorKey(from);
        Object[] start = floor != null && user.equals(floor[0]) ? floor : from;
        Object[] end = {user, Long.MAX_VALUE};
        for (Map.Entry<Object[], byte[]> e : inbox.subMap(start, true, end, true).entrySet()) {
            for (Message m : MessageBatchCodec.decode(e.getValue())) {
                if (m.seq() >= fromSeq) {
                    out.add(m);
                    if (out.size() == limit) {
                        return out;
                    }
                }
            }
        }
        return out;
    }

    /** The committed message at a user's seq, or null. */
    Message message(String user, long seq) {
        Map.Entry<Object[], byte[]> e = inbox.floorEntry(new Object[] {user, seq});
        if (e == null || !user.equals(e.getKey()[0])) {
            return null;
        }
        for (Message m : MessageBatchCodec.decode(e.getValue())) {
            if (m.seq() == seq) {
                return m;
            }
        }
        return null;
    }

    /** The committed message stored under a dedup key, or null. */
    Message messageByKey(String key) {
        byte[] record = dedup.get(key);
        return record == null ? null : messageAt(key, ServerCodecs.decodeRef(record));
    }

    /**
     * The message a dedup entry points to.
     *
     * @throws StoreException.CorruptException if it is not stored
     */
    Message messageAt(String key, ServerCodecs.DedupRef ref) {
        Message m = message(ref.recipient(), ref.seq());
        if (m == null) {
            throw new StoreException.CorruptException("dedup entry " + key + " points to " + ref.recipient() + " seq "
                    + ref.seq() + ", which is not stored", null);
        }
        return m;
    }

    DeviceState device(String user, String device) {
        byte[] record = devices.get(ServerCodecs.deviceKey(user, device));
        return record == null ? null : ServerCodecs.decodeDevice(user, device, record);
    }
}
