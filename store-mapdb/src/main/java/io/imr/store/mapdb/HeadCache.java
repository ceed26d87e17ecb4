package io.imr.store.mapdb;

/**
 * A copy of the first {@link #BYTES} bytes of the main database file: the region MapDB 3.1's
 * {@code StoreWAL} rewrites on every commit (its head, 32,864 bytes) and reads often. With it,
 * comparing a commit's head with the file's ({@link ChangedRuns}) and reading the head cost no
 * system call. This class owns only the copy; the {@link JournaledVolume} keeps it equal to the
 * file by passing on every write into the region. Thread-safe.
 */
final class HeadCache {

    static final int BYTES = 64 * 1024;

    private final byte[] bytes = new byte[BYTES];
    /** How many bytes from the start the copy holds: the file's size, at most {@link #BYTES}. */
    private int valid;

    /** Whether the copy holds all of {@code [offset, offset + length)}. */
    synchronized boolean holds(long offset, int length) {
        return offset >= 0 && offset + length <= valid;
    }

    /**
     * Copies the part of {@code [offset, offset + length)} that the copy holds into {@code out}.
     *
     * @return how many bytes were copied, from {@code offset} on (0 if it holds none of them)
     */
    synchronized int read(long offset, byte[] out, int outPos, int length) {
        if (offset < 0 || offset >= valid) {
            return 0;
        }
        int n = (int) Math.min(length, valid - offset);
        System.arraycopy(bytes, (int) offset, out, outPos, n);
        return n;
    }

    /** The file got {@code data[from, from + length)} at {@code offset}; {@code fileSize} is its size now. */
    synchronized void written(long offset, byte[] data, int from, int length, long fileSize) {
        if (offset < BYTES) {
            int n = (int) Math.min(length, BYTES - offset);
            System.arraycopy(data, from, bytes, (int) offset, n);
        }
        valid = (int) Math.min(BYTES, Math.max(valid, fileSize));
    }

    /** The file was cut to {@code fileSize} bytes. */
    synchronized void truncated(long fileSize) {
        int newValid = (int) Math.min(BYTES, fileSize);
        if (newValid < valid) {
            java.util.Arrays.fill(bytes, newValid, valid, (byte) 0);
        }
        valid = newValid;
    }
}
