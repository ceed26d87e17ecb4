package io.imr.store.mapdb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one commit changes in the main file, and nothing more: each page the commit changed,
 * compared with its committed content and cut down to the runs of bytes that differ. Runs
 * separated by at most {@link #JOIN_GAP} equal bytes are joined, and so are runs that meet across
 * a page boundary, since each run costs a 12-byte header in the journal and its own write.
 *
 * <p>Why: a commit rewrites a few 8-byte words of MapDB's head and of its index pages, and a
 * new record or B-tree node; journaling and writing only the changed runs makes a single-message
 * commit a record of a few hundred bytes instead of the 4 KiB pages it touched.
 */
final class ChangedRuns {

    /** Runs at most this many equal bytes apart are journaled as one. */
    static final int JOIN_GAP = 16;

    private ChangedRuns() {
    }

    /**
     * Adds to {@code runs} the runs in which {@code after} differs from {@code before}, both the
     * content of the file at {@code start}, of the same length. Call in file order, then
     * {@link #joined} the result.
     */
    static void diff(long start, byte[] before, byte[] after, List<RedoJournal.Write> runs) {
        if (before.length != after.length) {
            throw new IllegalArgumentException("before has " + before.length + " bytes, after " + after.length);
        }
        int length = after.length;
        if (isZeros(before)) {
            // A page new to the file (appended records, mostly): no byte-by-byte comparison, only
            // the zeros at its end are left out.
            int end = length;
            while (end > 0 && after[end - 1] == 0) {
                end--;
            }
            if (end > 0) {
                int first = Arrays.mismatch(after, 0, end, before, 0, end);
                add(runs, start + first, Arrays.copyOfRange(after, first, end));
            }
            return;
        }
        int at = 0;
        while (at < length) {
            int m = Arrays.mismatch(after, at, length, before, at, length);
            if (m < 0) {
                break;
            }
            int runStart = at + m;
            int lastDiff = runEnd(before, after, runStart);
            add(runs, start + runStart, Arrays.copyOfRange(after, runStart, lastDiff + 1));
            at = lastDiff + 1;
        }
    }

    /**
     * The last byte that differs in the run that starts at {@code runStart} (a byte that differs): the
     * run goes on while differing bytes are at most {@link #JOIN_GAP} apart. Compared a word (8 bytes)
     * at a time, the pages a commit rewrites whole being the common case; a word that differs counts as
     * differing up to its end, so a run may join across up to 7 more equal bytes, which is harmless
     * (they are journaled as they are); its end is then cut back to its last differing byte.
     */
    private static int runEnd(byte[] before, byte[] after, int runStart) {
        int length = after.length;
        int lastDiff = Math.min(length - 1, runStart | 7);
        int i = (runStart | 7) + 1;
        while (i + 8 <= length) {
            if ((long) LONGS.get(after, i) != (long) LONGS.get(before, i)) {
                lastDiff = i + 7;
            } else if (i - lastDiff > JOIN_GAP) {
                break;
            }
            i += 8;
        }
        if (i + 8 > length) {
            for (; i < length; i++) {
                if (after[i] != before[i]) {
                    lastDiff = i;
                } else if (i - lastDiff > JOIN_GAP) {
                    break;
                }
            }
        }
        while (after[lastDiff] == before[lastDiff]) {
            lastDiff--;
        }
        return lastDiff;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private static final byte[] ZEROS = new byte[PageCache.PAGE];

    private static boolean isZeros(byte[] page) {
        return page.length == ZEROS.length && Arrays.mismatch(page, ZEROS) < 0;
    }

    private static void add(List<RedoJournal.Write> runs, long offset, byte[] data) {
        runs.add(new RedoJournal.Write(offset, data));
    }

    /** The runs (in file order, none overlapping) with those that meet end to start made one. */
    static List<RedoJournal.Write> joined(List<RedoJournal.Write> runs) {
        List<RedoJournal.Write> out = new ArrayList<>(runs.size());
        int i = 0;
        while (i < runs.size()) {
            RedoJournal.Write first = runs.get(i);
            long end = first.offset() + first.data().length;
            int j = i + 1;
            while (j < runs.size() && runs.get(j).offset() == end) {
                end += runs.get(j).data().length;
                j++;
            }
            if (j == i + 1) {
                out.add(first);
            } else {
                byte[] data = new byte[(int) (end - first.offset())];
                for (int k = i; k < j; k++) {
                    RedoJournal.Write w = runs.get(k);
                    System.arraycopy(w.data(), 0, data, (int) (w.offset() - first.offset()), w.data().length);
                }
                out.add(new RedoJournal.Write(first.offset(), data));
            }
            i = j;
        }
        return out;
    }
}
