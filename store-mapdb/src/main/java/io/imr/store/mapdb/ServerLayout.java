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
 *   <li>{@code server.devices}: "user/device" &rarr; device state;</li>
 *   <li>{@code server.generations}: generation id &rarr; its ordinal, from 1: one entry each time the
 *       store was opened (G10);</li>
 *   <li>{@code server.inbox.generation}: (user, first seq) of each batch record &rarr; the ordinal of
 *       the generation that stored it, written with it (format 2).</li>
 * </ul>
 */
final class ServerLayout {

    /** 2: the generations of the store and the generation of each batch record (G10). */
    static final int FORMAT_VERSION = 2;
    private static final String FORMAT_KEY = "format";

    final BTreeMap<String, byte[]> format;
    final BTreeMap<Object[], byte[]> inbox;
    final BTreeMap<String, byte[]> inboxMeta;
    final BTreeMap<String, byte[]> dedup;
    final BTreeMap<String, byte[]> devices;
    final BTreeMap<String, Long> generations;
    final BTreeMap<Object[], Long> inboxGeneration;

    @SuppressWarnings("unchecked")
    ServerLayout(DB db) {
        format = db.treeMap("server.format", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
        inbox = db.treeMap("server.inbox", new SerializerArrayTuple(Serializer.STRING, Serializer.LONG),
                Serializer.BYTE_ARRAY).valuesOutsideNodesEnable().createOrOpen();
        inboxMeta = db.treeMap("server.inbox.meta", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
        dedup = db.treeMap("server.dedup", Serializer.STRING_DELTA, Serializer.BYTE_ARRAY).createOrOpen();
        devices = db.treeMap("server.devices", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
        generations = db.treeMap("server.generations", Serializer.STRING, Serializer.LONG).createOrOpen();
        inboxGeneration = db.treeMap("server.inbox.generation",
                new SerializerArrayTuple(Serializer.STRING, Serializer.LONG), Serializer.LONG).createOrOpen();
    }

    void writeFormat() {
        format.put(FORMAT_KEY, new byte[] {FORMAT_VERSION});
    }

    /**
     * @throws StoreException                  for a server store of an older format (it is never read)
     * @throws StoreException.CorruptException unless the database is a server store of our format
     */
    void checkFormat() {
        byte[] v = format.get(FORMAT_KEY);
        if (v != null && v.length == 1 && v[0] >= 1 && v[0] < FORMAT_VERSION) {
            throw new StoreException("this is a server store of format " + v[0] + ", written by an older imr; this imr"
                    + " reads format " + FORMAT_VERSION + " only (it records the store's generations, G10) and does not"
                    + " convert it: start this server on a new data folder, or run the older imr on this one");
        }
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

    /** Appends messages stored by the generation of this ordinal. */
    void appendMessages(String user, List<Message> batch, long generation) {
        for (List<Message> run : MessageBatchCodec.split(batch)) {
            Object[] key = {user, run.get(0).seq()};
            inbox.put(key, MessageBatchCodec.encode(run));
            inboxGeneration.put(key, generation);
        }
    }

    /** The ordinal of the generation that stored a user's seq (its batch record's), 0 if none. */
    long storedBy(String user, long seq) {
        Map.Entry<Object[], Long> e = inboxGeneration.floorEntry(new Object[] {user, seq});
        return e == null || !user.equals(e.getKey()[0]) ? 0 : e.getValue();
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
