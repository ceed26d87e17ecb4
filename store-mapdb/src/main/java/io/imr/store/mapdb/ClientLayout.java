package io.imr.store.mapdb;

import io.imr.api.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.Serializer;

/**
 * The maps of a device's store in one MapDB database, all with explicit serializers and our own
 * record encoding:
 * <ul>
 *   <li>{@code client.meta}: one record, {@link ClientMeta}, rewritten by every commit;</li>
 *   <li>{@code client.messages}: first seq of a batch &rarr; {@link MessageBatchCodec} record,
 *       one per commit group (split when large), values outside the B-tree nodes;</li>
 *   <li>{@code client.outbox}: first counter &rarr; {@link OutboxCodec} batch, values outside the
 *       nodes; {@code client.outbox.marks}: first counter &rarr; removal bitmap;</li>
 *   <li>{@code client.runs}: per (sender, outbox id), runs of the counters of the messages held
 *       ({@link NumberedKeys#key} of the first counter &rarr; the last counter, format 3), so that a
 *       message the server sends again after its store went back is recognised by its id,
 *       {@code sender/<outbox id>-<counter>} (G2, G10). A sender's messages to this user mostly
 *       have consecutive counters, so a commit group writes one entry per outbox instead of one
 *       per message. Measured with {@code ClientStoreBenchmark} (256 per commit, 8 senders in turn),
 *       format 2 and 3 in the same run on a loaded 2-core machine where commits waited for their
 *       fsyncs (compare the ratios): 2,200 &rarr; 14,000 msg/s with consecutive counters; with a
 *       gap after every counter (one run per message, the worst case) 2,300 &rarr; 2,000, within
 *       the noise.</li>
 * </ul>
 *
 * <p>Why values outside the nodes: by default a BTreeMap stores values inside its leaf nodes, so
 * every put rewrites a node together with its neighbours' values, hundreds of kilobytes for
 * batch records. Outside, a put writes the new value as its own record plus a small node.
 */
final class ClientLayout {

    private static final String META_KEY = "client";

    final BTreeMap<String, byte[]> meta;
    final BTreeMap<Long, byte[]> messages;
    final BTreeMap<Long, byte[]> outbox;
    final BTreeMap<Long, byte[]> outboxMarks;
    final BTreeMap<byte[], Long> runs;

    ClientLayout(DB db) {
        meta = db.treeMap("client.meta", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
        messages = db.treeMap("client.messages", Serializer.LONG, Serializer.BYTE_ARRAY).valuesOutsideNodesEnable()
                .createOrOpen();
        outbox = db.treeMap("client.outbox", Serializer.LONG, Serializer.BYTE_ARRAY).valuesOutsideNodesEnable()
                .createOrOpen();
        outboxMarks = db.treeMap("client.outbox.marks", Serializer.LONG, Serializer.BYTE_ARRAY).createOrOpen();
        runs = db.treeMap("client.runs", Serializer.BYTE_ARRAY, Serializer.LONG).createOrOpen();
    }

    /** The committed meta, or null in a database that is not (yet) a client store. */
    ClientMeta readMeta() {
        byte[] record = meta.get(META_KEY);
        return record == null ? null : ClientMeta.decode(record);
    }

    void writeMeta(ClientMeta m) {
        meta.put(META_KEY, m.encode());
    }

    /**
     * The committed run of an outbox (given by its prefix) that starts at or below a counter, as
     * {first, last}, or null.
     */
    long[] runAtOrBelow(byte[] prefix, long counter) {
        Map.Entry<byte[], Long> e = runs.floorEntry(NumberedKeys.key(prefix, counter));
        if (e == null || !NumberedKeys.belongs(e.getKey(), prefix)) {
            return null;
        }
        long first = NumberedKeys.numberOf(e.getKey());
        long last = e.getValue();
        if (last < first) {
            throw new io.imr.api.store.StoreException.CorruptException("damaged counter run of the client store: "
                    + first + ".." + last + "; the store's files were changed outside imr", null);
        }
        return new long[] {first, last};
    }

    /** Appends messages that follow the stored ones, as few batch records as their size allows. */
    void appendMessages(List<Message> batch) {
        for (List<Message> run : MessageBatchCodec.split(batch)) {
            messages.put(run.get(0).seq(), MessageBatchCodec.encode(run));
        }
    }

    /** Up to {@code limit} messages from {@code fromSeq} on: a floor lookup for the batch that holds it, then onwards. */
    List<Message> read(long fromSeq, int limit) {
        List<Message> out = new ArrayList<>(Math.min(limit, 1024));
        if (limit <= 0) {
            return out;
        }
        Long floor = messages.floorKey(fromSeq);
        long start = floor != null ? floor : fromSeq;
        for (Map.Entry<Long, byte[]> e : messages.tailMap(start, true).entrySet()) {
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
}
