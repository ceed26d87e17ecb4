package io.imr.store.mapdb;

import io.imr.api.store.OutboxEntry;
import io.imr.api.store.StoreException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outbox of a device's store, laid out for MapDB's per-record cost: entries are stored as
 * batches, one record per commit group that enqueued them (split when large), and a confirmed
 * entry is not deleted but marked in a small bitmap record of its batch; a batch whose entries
 * are all confirmed is deleted with its marks. Enqueueing n entries thus writes one record, and
 * confirming n entries writes one small record per batch they fall in, where one record per entry
 * would write n. Measured on plain MapDB, enqueueing 256 entries and confirming the previous 256
 * per commit: 162,000 entries/s this way, 18,500 with a record per entry ({@code LayoutBenchmark}).
 *
 * <p>This index keeps the counters and marks of every batch in memory (8 bytes and a bit per
 * waiting entry, never payloads), rebuilt from disk when the store opens and after every failed
 * commit. The writer changes it while it applies a group, holding the store's write lock, so
 * readers never see a change before its commit; a failed commit reloads it.
 */
final class OutboxIndex {

    private static final class Batch {
        final long[] counters;
        final BitSet removed;
        int live;
        /** The entries of a batch enqueued in the running group, until {@link #flush} writes them. */
        List<OutboxEntry> unsaved;
        boolean touched;

        Batch(long[] counters, BitSet removed) {
            this.counters = counters;
            this.removed = removed;
            this.live = counters.length - removed.cardinality();
        }

        long first() {
            return counters[0];
        }
    }

    private final TreeMap<Long, Batch> batches = new TreeMap<>();
    private final List<Batch> touched = new ArrayList<>();
    private int live;

    /** Rebuilds the index from the committed records. */
    void load(ClientLayout layout) {
        batches.clear();
        touched.clear();
        live = 0;
        for (Map.Entry<Long, byte[]> e : layout.outbox.entrySet()) {
            List<OutboxEntry> entries = OutboxCodec.decode(e.getValue());
            long[] counters = entries.stream().mapToLong(OutboxEntry::counter).toArray();
            byte[] marks = layout.outboxMarks.get(e.getKey());
            Batch b = new Batch(counters, marks == null ? new BitSet() : OutboxCodec.decodeMarks(marks));
            batches.put(b.first(), b);
            live += b.live;
        }
    }

    /** How many entries wait for confirmation. */
    int live() {
        return live;
    }

    /** Adds entries whose counters are above every counter in the index, in increasing order. */
    void add(List<OutboxEntry> entries) {
        int start = 0;
        long bytes = 0;
        for (int i = 0; i <= entries.size(); i++) {
            boolean end = i == entries.size();
            long size = end ? 0 : OutboxCodec.estimatedSize(entries.get(i));
            if (end || (i > start && bytes + size > MessageBatchCodec.RECORD_SPLIT_BYTES)) {
                if (i > start) {
                    List<OutboxEntry> run = List.copyOf(entries.subList(start, i));
                    Batch b = new Batch(run.stream().mapToLong(OutboxEntry::counter).toArray(), new BitSet());
                    b.unsaved = run;
                    batches.put(b.first(), b);
                    touch(b);
                    live += b.live;
                }
                start = i;
                bytes = 0;
            }
            bytes += size;
        }
    }

    /** Marks entries confirmed; counters not waiting are ignored. */
    void remove(List<Long> counters) {
        for (long c : counters) {
            Map.Entry<Long, Batch> e = batches.floorEntry(c);
            if (e == null) {
                continue;
            }
            Batch b = e.getValue();
            int i = Arrays.binarySearch(b.counters, c);
            if (i < 0 || b.removed.get(i)) {
                continue;
            }
            b.removed.set(i);
            b.live--;
            live--;
            touch(b);
        }
    }

    /** Writes the batches the running group changed into the transaction. */
    void flush(ClientLayout layout) {
        for (Batch b : touched) {
            if (b.live == 0) {
                if (b.unsaved == null) {
                    layout.outbox.remove(b.first());
                    layout.outboxMarks.remove(b.first());
                }
                batches.remove(b.first());
            } else {
                if (b.unsaved != null) {
                    layout.outbox.put(b.first(), OutboxCodec.encode(b.unsaved));
                }
                if (!b.removed.isEmpty()) {
                    layout.outboxMarks.put(b.first(), OutboxCodec.encodeMarks(b.removed));
                }
            }
            b.unsaved = null;
            b.touched = false;
        }
        touched.clear();
    }

    /** The waiting entries, by counter, read from the committed records. */
    List<OutboxEntry> read(ClientLayout layout) {
        List<OutboxEntry> out = new ArrayList<>(live);
        for (Batch b : batches.values()) {
            if (b.live == 0) {
                continue;
            }
            byte[] record = layout.outbox.get(b.first());
            if (record == null) {
                throw new StoreException.CorruptException("the outbox batch starting at counter " + b.first()
                        + " is missing from the store", null);
            }
            List<OutboxEntry> entries = OutboxCodec.decode(record);
            for (int i = 0; i < entries.size(); i++) {
                if (!b.removed.get(i)) {
                    out.add(entries.get(i));
                }
            }
        }
        return out;
    }

    private void touch(Batch b) {
        if (!b.touched) {
            b.touched = true;
            touched.add(b);
        }
    }
}
