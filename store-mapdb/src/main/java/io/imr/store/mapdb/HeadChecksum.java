package io.imr.store.mapdb;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * MapDB's header checksum of the main file, kept up to date by the {@link JournaledVolume} as
 * commits change the head, so that MapDB does not have to compute it.
 *
 * <p>MapDB 3.1 stores at offset 20 of the file the sum (as 32-bit ints, wrapping) of a seed and
 * of every big-endian int of its head from offset 24 to {@link #END}, and checks it when the file
 * is opened; bit 0 of the store header (the int at 16) says the checksum is on. Its stores re-add
 * all 8,210 of those ints on every commit, a fifth of a small commit's CPU. We open MapDB with the
 * header checksum off, so it writes bit 0 and the checksum as 0 and expects to read them so, and
 * the volume shows them to it that way ({@link #presentToMapDb}); we keep the sum ourselves by
 * adding what each commit changes, and the file holds bit 0 set and the real checksum
 * ({@link #storeInFile}). The file stays exactly what MapDB writes with the checksum on, so any
 * MapDB 3.1, and any earlier imr, opens it, and this one opens theirs.
 */
final class HeadChecksum {

    /** Where the store header starts: an int whose bit 0 says the header checksum is on. */
    static final int STORE_HEADER = 16;
    /** Where the checksum is stored. */
    static final int AT = 20;
    /** Where the store header and the checksum end. */
    static final int STORE_HEADER_END = 24;
    /** The first byte summed. */
    static final int FROM = 24;
    /** The end of MapDB's head ({@code StoreDirectJava.HEAD_END}): 8 bytes for each of 4,096 free-space slots, 96 more. */
    static final int END = 32_864;
    /** MapDB's {@code StoreDirectJava.HEAD_CHECKSUM_SEED}. */
    static final int SEED = 1142099053;

    private int sum;

    private HeadChecksum() {
    }

    /** The checksum of a file whose head is all zeros (a new file, before its first commit). */
    static HeadChecksum ofZeros() {
        return new HeadChecksum();
    }

    /** The checksum of a head read whole: {@code head} holds at least the file's first {@link #END} bytes. */
    static HeadChecksum of(byte[] head) {
        HeadChecksum c = new HeadChecksum();
        c.sum = sumInts(head, 0, FROM, END);
        return c;
    }

    /** A copy, to change while a commit is not yet durable. */
    HeadChecksum copy() {
        HeadChecksum c = new HeadChecksum();
        c.sum = sum;
        return c;
    }

    /** The value MapDB expects at {@link #AT}. */
    int value() {
        return SEED + sum;
    }

    /**
     * A page of the file changed from {@code before} to {@code after}; adds the difference its
     * ints in the summed range make. Pages entirely outside the range change nothing.
     */
    void pageChanged(long page, byte[] before, byte[] after) {
        long start = page << PageCache.PAGE_SHIFT;
        if (start >= END) {
            return;
        }
        int from = (int) (Math.max(FROM, start) - start);
        int to = (int) (Math.min(END, start + PageCache.PAGE) - start);
        sum += difference(before, after, from, to);
    }

    /**
     * What the ints of {@code after} at {@code [from, to)} add to the sum beyond those of {@code before}:
     * compared 8 bytes at a time, only the words that changed are added (a commit changes a few words of
     * a head page, mostly two pages a commit): 0.3 µs a page where summing the page twice took 3.7 µs, a few
     * percent of a one-message commit's writer time. {@code from} and
     * {@code to} are multiples of 8, as {@link #FROM}, {@link #END} and the page size are.
     */
    static int difference(byte[] before, byte[] after, int from, int to) {
        int d = 0;
        for (int o = from; o < to; o += 8) {
            long a = (long) BIG_ENDIAN_LONGS.get(after, o);
            long b = (long) BIG_ENDIAN_LONGS.get(before, o);
            if (a != b) {
                d += (int) (a >>> 32) - (int) (b >>> 32) + (int) a - (int) b;
            }
        }
        return d;
    }

    private static final VarHandle BIG_ENDIAN_LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.BIG_ENDIAN);

    /** The sum of the big-endian ints at file offsets {@code [from, to)} of bytes that start at file offset {@code base}. */
    private static int sumInts(byte[] bytes, int base, int from, int to) {
        int s = 0;
        for (int o = from - base; o < to - base; o += 4) {
            s += getInt(bytes, o);
        }
        return s;
    }

    /** Sets, in the file's first page, the store header's checksum bit and the checksum. */
    static void storeInFile(byte[] firstPage, HeadChecksum checksum) {
        firstPage[STORE_HEADER + 3] |= 1;
        putInt(firstPage, AT, checksum.value());
    }

    /**
     * Shows {@code out[outPos, outPos + length)}, the file's bytes from {@code offset}, as MapDB
     * with its header checksum off expects them: bit 0 of the store header clear, the checksum 0.
     */
    static void presentToMapDb(long offset, byte[] out, int outPos, int length) {
        for (long at = Math.max(offset, STORE_HEADER); at < Math.min(offset + length, STORE_HEADER_END); at++) {
            int i = (int) (outPos + at - offset);
            if (at == STORE_HEADER + 3) {
                out[i] &= (byte) ~1;
            } else if (at >= AT) {
                out[i] = 0;
            }
        }
    }

    static int getInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
