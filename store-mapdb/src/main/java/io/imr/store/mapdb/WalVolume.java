package io.imr.store.mapdb;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import org.mapdb.DataIO;
import org.mapdb.DataInput2;
import org.mapdb.volume.Volume;

/**
 * A memory volume for MapDB's write-ahead log whose 1 MiB slices are recycled.
 *
 * <p>MapDB's {@code StoreWAL} starts a new write-ahead log volume for every commit and fills it
 * with slices of 1 MiB (its records may not cross a slice). With MapDB's own {@code ByteArrayVol},
 * a commit of one message allocated and zeroed 2 MiB: 87% of everything a store allocated and most
 * of a small commit's CPU (about 1.4 ms a commit, {@code CommitCostProbe}). This volume takes its
 * slices from a {@link Slices} pool shared by the file's log volumes and, when MapDB closes it,
 * zeroes only the bytes that were written and gives the slices back, so a slice from the pool is
 * always all zeros, as a fresh one would be.
 *
 * <p>Owns: its slices while it is open and how far each was written. Used by the store's writer
 * thread only, as MapDB's log is.
 */
final class WalVolume extends Volume {

    /** Slices of 1 MiB, as MapDB's log expects ({@code CC.PAGE_SHIFT}). */
    static final int SLICE_SHIFT = 20;
    private static final int SLICE_SIZE = 1 << SLICE_SHIFT;
    private static final int MASK = SLICE_SIZE - 1;

    /** Zeroed slices for the log volumes of one file; keeps at most {@code max} of them. */
    static final class Slices {
        private final ArrayDeque<byte[]> free = new ArrayDeque<>();
        private final int max;

        Slices(int max) {
            this.max = max;
        }

        synchronized byte[] take() {
            byte[] s = free.poll();
            return s != null ? s : new byte[SLICE_SIZE];
        }

        /** Takes back a slice that is all zeros. */
        synchronized void give(byte[] slice) {
            if (free.size() < max) {
                free.push(slice);
            }
        }

        synchronized int size() {
            return free.size();
        }
    }

    private final Slices pool;
    private byte[][] slices = new byte[0][];
    /** For each slice, one past the last byte written to it (what must be zeroed before it goes back). */
    private int[] written = new int[0];

    WalVolume(Slices pool) {
        this.pool = pool;
    }

    @Override
    public void ensureAvailable(long offset) {
        int needed = (int) ((offset + MASK) >>> SLICE_SHIFT);
        if (needed <= slices.length) {
            return;
        }
        int old = slices.length;
        slices = Arrays.copyOf(slices, needed);
        written = Arrays.copyOf(written, needed);
        for (int i = old; i < needed; i++) {
            slices[i] = pool.take();
        }
    }

    @Override
    public void truncate(long size) {
        int keep = (int) ((size + MASK) >>> SLICE_SHIFT);
        if (keep >= slices.length) {
            return;
        }
        for (int i = keep; i < slices.length; i++) {
            recycle(i);
        }
        slices = Arrays.copyOf(slices, keep);
        written = Arrays.copyOf(written, keep);
    }

    private byte[] slice(long offset, int length) {
        int i = (int) (offset >>> SLICE_SHIFT);
        int end = (int) (offset & MASK) + length;
        if (end > written[i]) {
            written[i] = end;
        }
        return slices[i];
    }

    @Override
    public void putLong(long offset, long value) {
        DataIO.putLong(slice(offset, 8), (int) (offset & MASK), value);
    }

    @Override
    public void putInt(long offset, int value) {
        DataIO.putInt(slice(offset, 4), (int) (offset & MASK), value);
    }

    @Override
    public void putByte(long offset, byte value) {
        slice(offset, 1)[(int) (offset & MASK)] = value;
    }

    @Override
    public void putData(long offset, byte[] src, int srcPos, int srcSize) {
        System.arraycopy(src, srcPos, slice(offset, srcSize), (int) (offset & MASK), srcSize);
    }

    @Override
    public void putData(long offset, ByteBuffer buf) {
        int n = buf.remaining();
        buf.get(slice(offset, n), (int) (offset & MASK), n);
    }

    /** A write that may cross a slice (MapDB's log writes long records this way). */
    @Override
    public void putDataOverlap(long offset, byte[] src, int srcPos, int srcSize) {
        long at = offset;
        int from = srcPos;
        int left = srcSize;
        while (left > 0) {
            int pos = (int) (at & MASK);
            int n = Math.min(left, SLICE_SIZE - pos);
            System.arraycopy(src, from, slice(at, n), pos, n);
            at += n;
            from += n;
            left -= n;
        }
    }

    /** A read that may cross a slice: copied when it does. */
    @Override
    public DataInput2 getDataInputOverlap(long offset, int size) {
        int pos = (int) (offset & MASK);
        if (pos + size <= SLICE_SIZE) {
            return getDataInput(offset, size);
        }
        byte[] copy = new byte[size];
        getDataOverlap(offset, copy, 0, size);
        return new DataInput2.ByteArray(copy, 0);
    }

    private void getDataOverlap(long offset, byte[] out, int outPos, int size) {
        long at = offset;
        int to = outPos;
        int left = size;
        while (left > 0) {
            int pos = (int) (at & MASK);
            int n = Math.min(left, SLICE_SIZE - pos);
            System.arraycopy(slices[(int) (at >>> SLICE_SHIFT)], pos, out, to, n);
            at += n;
            to += n;
            left -= n;
        }
    }

    @Override
    public void copyTo(long inputOffset, Volume target, long targetOffset, long size) {
        long at = inputOffset;
        long into = targetOffset;
        long left = size;
        while (left > 0) {
            int pos = (int) (at & MASK);
            int n = (int) Math.min(left, SLICE_SIZE - pos);
            target.putData(into, slices[(int) (at >>> SLICE_SHIFT)], pos, n);
            at += n;
            into += n;
            left -= n;
        }
    }

    @Override
    public void clear(long startOffset, long endOffset) {
        long at = startOffset;
        while (at < endOffset) {
            int pos = (int) (at & MASK);
            int n = (int) Math.min(endOffset - at, SLICE_SIZE - pos);
            Arrays.fill(slice(at, n), pos, pos + n, (byte) 0);
            at += n;
        }
    }

    @Override
    public long getLong(long offset) {
        return DataIO.getLong(slices[(int) (offset >>> SLICE_SHIFT)], (int) (offset & MASK));
    }

    @Override
    public int getInt(long offset) {
        return DataIO.getInt(slices[(int) (offset >>> SLICE_SHIFT)], (int) (offset & MASK));
    }

    @Override
    public byte getByte(long offset) {
        return slices[(int) (offset >>> SLICE_SHIFT)][(int) (offset & MASK)];
    }

    @Override
    public DataInput2 getDataInput(long offset, int size) {
        return new DataInput2.ByteArray(slices[(int) (offset >>> SLICE_SHIFT)], (int) (offset & MASK));
    }

    @Override
    public void getData(long offset, byte[] bytes, int bytesPos, int length) {
        getDataOverlap(offset, bytes, bytesPos, length);
    }

    /** Zeroes what was written and gives every slice back to the pool. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (int i = 0; i < slices.length; i++) {
            recycle(i);
        }
        slices = new byte[0][];
        written = new int[0];
    }

    private void recycle(int i) {
        byte[] s = slices[i];
        if (s != null) {
            Arrays.fill(s, 0, written[i], (byte) 0);
            pool.give(s);
            slices[i] = null;
            written[i] = 0;
        }
    }

    @Override
    public void sync() {
        // Memory only: nothing to make durable (the redo journal is what makes a commit durable).
    }

    @Override
    public int sliceSize() {
        return SLICE_SIZE;
    }

    @Override
    public boolean isSliced() {
        return true;
    }

    @Override
    public long length() {
        return (long) slices.length << SLICE_SHIFT;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public File getFile() {
        return null;
    }

    @Override
    public boolean getFileLocked() {
        return false;
    }
}
