package io.imr.store.mapdb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one commit changes in the main file, and nothing more: the commit's writes merged (a later
 * write over an earlier one, as the file would end up), compared with what the file holds now, and
 * cut down to the runs of bytes that differ. Runs separated by at most {@link #JOIN_GAP} equal
 * bytes are joined, since each run costs a 12-byte header in the journal and its own write.
 *
 * <p>Why: MapDB 3.1's {@code StoreWAL} rewrites its whole head region (32,864 bytes) on every
 * commit, though only a few 8-byte words of it change; journaling and writing only the changed
 * runs makes a single-message commit a record of a few hundred bytes instead of 35 KB.
 */
final class ChangedRuns {

    /** Runs at most this many equal bytes apart are journaled as one. */
    static final int JOIN_GAP = 16;

    /** What the main file holds now, the commit not applied. */
    interface Committed {
        /**
         * Copies the file's bytes at {@code offset} into {@code out}.
         *
         * @return how many bytes the file has there (fewer than {@code out.length} at its end);
         *         those beyond count as changed
         */
        int read(long offset, byte[] out);
    }

    private ChangedRuns() {
    }

    /**
     * The runs the writes change, in file order, none overlapping.
     *
     * @param writes the commit's writes in the order they were made
     */
    static List<RedoJournal.Write> of(List<RedoJournal.Write> writes, Committed committed) {
        List<RedoJournal.Write> runs = new ArrayList<>();
        for (Map.Entry<Long, byte[]> extent : merge(writes).entrySet()) {
            diff(extent.getKey(), extent.getValue(), committed, runs);
        }
        return runs;
    }

    /** The writes as disjoint extents (start offset to final bytes), later writes over earlier ones. */
    static TreeMap<Long, byte[]> merge(List<RedoJournal.Write> writes) {
        TreeMap<Long, byte[]> extents = new TreeMap<>();
        for (RedoJournal.Write w : writes) {
            byte[] data = w.data();
            if (data.length == 0) {
                continue;
            }
            long start = w.offset();
            long end = start + data.length;
            Map.Entry<Long, byte[]> floor = extents.floorEntry(start);
            if (floor != null && floor.getKey() + floor.getValue().length >= end) {
                // Within one extent (MapDB's index words inside its head, say): write it in place.
                System.arraycopy(data, 0, floor.getValue(), (int) (start - floor.getKey()), data.length);
                continue;
            }
            long from = start;
            long to = end;
            List<Map.Entry<Long, byte[]>> overlapped = new ArrayList<>();
            boolean floorOverlaps = floor != null && floor.getKey() + floor.getValue().length > start;
            if (floorOverlaps) {
                overlapped.add(floor);
                from = floor.getKey();
                to = Math.max(to, floor.getKey() + floor.getValue().length);
            }
            for (Map.Entry<Long, byte[]> e : extents.subMap(start, true, end, false).entrySet()) {
                if (floorOverlaps && e.getKey().longValue() == floor.getKey().longValue()) {
                    continue;
                }
                overlapped.add(Map.entry(e.getKey(), e.getValue())); // a copy: removing entries reuses nodes
                to = Math.max(to, e.getKey() + e.getValue().length);
            }
            if (to - from > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("a commit's writes overlap into an extent of " + (to - from)
                        + " bytes, more than one array holds");
            }
            byte[] merged = new byte[(int) (to - from)];
            for (Map.Entry<Long, byte[]> e : overlapped) {
                System.arraycopy(e.getValue(), 0, merged, (int) (e.getKey() - from), e.getValue().length);
                extents.remove(e.getKey());
            }
            System.arraycopy(data, 0, merged, (int) (start - from), data.length);
            extents.put(from, merged);
        }
        return extents;
    }

    /** Adds the runs in which {@code data} at {@code start} differs from the file. */
    private static void diff(long start, byte[] data, Committed committed, List<RedoJournal.Write> runs) {
        byte[] old = new byte[data.length];
        int present = Math.max(0, Math.min(data.length, committed.read(start, old)));
        int at = 0;
        while (at < data.length) {
            int runStart;
            if (at < present) {
                int m = Arrays.mismatch(data, at, present, old, at, present);
                runStart = m < 0 ? present : at + m;
            } else {
                runStart = at;
            }
            if (runStart >= data.length) {
                break;
            }
            int lastDiff = runStart;
            for (int i = runStart + 1; i < data.length; i++) {
                if (i >= present || data[i] != old[i]) {
                    lastDiff = i;
                } else if (i - lastDiff > JOIN_GAP) {
                    break;
                }
            }
            runs.add(new RedoJournal.Write(start + runStart, Arrays.copyOfRange(data, runStart, lastDiff + 1)));
            at = lastDiff + 1;
        }
    }
}
