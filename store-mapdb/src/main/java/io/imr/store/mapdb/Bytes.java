package io.imr.store.mapdb;

import io.imr.api.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Our record encoding, used for every value we put into MapDB: unsigned LEB128 varints for
 * counts and seqs (small numbers take one or two bytes), big-endian fixed ints for checksums and
 * times, UTF-8 strings and byte arrays with a varint length in front. Each record type writes a
 * format version byte first, so a later version can read what an earlier one wrote.
 *
 * <p>We encode ourselves instead of letting MapDB serialize objects: MapDB's default serializer
 * is Java serialization based and fails on recent JDKs (mapdb#990), and our own format is
 * smaller, versioned and independent of class names.
 */
final class Bytes {

    private Bytes() {
    }

    /** A growable output buffer. Not thread-safe. */
    static final class Writer {
        private byte[] buf;
        private int len;

        Writer(int initialCapacity) {
            buf = new byte[Math.max(16, initialCapacity)];
        }

        Writer u8(int v) {
            ensure(1);
            buf[len++] = (byte) v;
            return this;
        }

        /** {@code n} zero bytes. */
        Writer zeros(int n) {
            ensure(n);
            java.util.Arrays.fill(buf, len, len + n, (byte) 0);
            len += n;
            return this;
        }

        Writer i32(int v) {
            ensure(4);
            buf[len++] = (byte) (v >>> 24);
            buf[len++] = (byte) (v >>> 16);
            buf[len++] = (byte) (v >>> 8);
            buf[len++] = (byte) v;
            return this;
        }

        Writer i64(long v) {
            i32((int) (v >>> 32));
            return i32((int) v);
        }

        /** An unsigned varint; negative values take ten bytes but round-trip. */
        Writer varLong(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[len++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[len++] = (byte) v;
            return this;
        }

        /** A string as UTF-8; ASCII (every name imr stores) is written as it is, without an intermediate array. */
        Writer string(String s) {
            int n = s.length();
            for (int i = 0; i < n; i++) {
                if (s.charAt(i) >= 0x80) {
                    return bytes(s.getBytes(StandardCharsets.UTF_8));
                }
            }
            varLong(n);
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[len++] = (byte) s.charAt(i);
            }
            return this;
        }

        Writer bytes(byte[] b) {
            varLong(b.length);
            return raw(b, 0, b.length);
        }

        Writer raw(byte[] b, int off, int n) {
            ensure(n);
            System.arraycopy(b, off, buf, len, n);
            len += n;
            return this;
        }

        int size() {
            return len;
        }

        /** What was written; the writer's own array when it is exactly full (do not write after this). */
        byte[] toByteArray() {
            return len == buf.length ? buf : Arrays.copyOf(buf, len);
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }
    }

    /**
     * Reads what a {@link Writer} wrote. Every read checks bounds: a damaged record fails with
     * {@link StoreException.CorruptException} naming what was being read, never with an
     * IndexOutOfBoundsException or a huge allocation.
     */
    static final class Reader {
        private final byte[] buf;
        private final String what;
        private int pos;

        Reader(byte[] buf, String what) {
            this.buf = buf;
            this.what = what;
        }

        int u8() {
            need(1);
            return buf[pos++] & 0xFF;
        }

        int i32() {
            need(4);
            int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8)
                    | (buf[pos + 3] & 0xFF);
            pos += 4;
            return v;
        }

        long i64() {
            long hi = i32() & 0xFFFFFFFFL;
            return (hi << 32) | (i32() & 0xFFFFFFFFL);
        }

        long varLong() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw corrupt("a varint longer than 10 bytes");
        }

        /** A varint that must lie in {@code [0, max]}, such as a length or a count. */
        int varInt(int max) {
            long v = varLong();
            if (v < 0 || v > max) {
                throw corrupt("a length or count of " + v + " (at most " + max + " allowed)");
            }
            return (int) v;
        }

        String string() {
            int n = length();
            String s = new String(buf, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        byte[] bytes() {
            int n = length();
            byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
            pos += n;
            return b;
        }

        /** A length prefix, which must not reach beyond the record. */
        private int length() {
            long n = varLong();
            if (n < 0 || n > remaining()) {
                throw corrupt("a length of " + n + " with " + remaining() + " bytes left");
            }
            return (int) n;
        }

        /** Reads the version byte and fails unless it is one this code can read. */
        void version(int expected) {
            int v = u8();
            if (v != expected) {
                throw corrupt("format version " + v + " (this build reads version " + expected + ")");
            }
        }

        int remaining() {
            return buf.length - pos;
        }

        void expectEnd() {
            if (pos != buf.length) {
                throw corrupt((buf.length - pos) + " unexpected bytes at the end");
            }
        }

        /** The rest must be zero bytes (padding). */
        void expectZeros() {
            for (int i = pos; i < buf.length; i++) {
                if (buf[i] != 0) {
                    throw corrupt("a non-zero byte in the padding at " + i + " of " + buf.length);
                }
            }
            pos = buf.length;
        }

        StoreException.CorruptException corrupt(String problem) {
            return new StoreException.CorruptException("damaged " + what + " record: " + problem
                    + "; the store's files were changed outside imr or by a newer version", null);
        }

        private void need(int n) {
            if (pos + n > buf.length) {
                throw corrupt("it ends early (wanted " + n + " more bytes at " + pos + " of " + buf.length + ")");
            }
        }
    }
}
