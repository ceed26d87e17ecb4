package io.imr.store.mapdb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The binary keys of both stores' sorted maps that hold numbered entries per name: {@code name,
 * 0x00, [name, 0x00, ...] number as 8 bytes big-endian}. The counter runs both stores keep per
 * (sender, outbox id) (format 3 of each) and the server's inbox records and their generations per
 * (user, first seq) (server format 4) use them. MapDB's {@code BYTE_ARRAY} serializers compare
 * unsigned, lexicographically, and neither names nor outbox ids contain a 0 byte, so the entries of
 * one prefix sort together, by number, and a floor lookup finds the entry that may cover a number.
 * A node of such keys decodes as byte arrays, where a node of (String, Long) tuple keys decoded a
 * string per key: with binary inbox keys {@code ServerStoreBenchmark} (256 per commit) went from
 * 123,000 to 164,000 messages a second in one session, and MapDB's puts from 46% to 39% of the writer.
 */
final class NumberedKeys {

    private NumberedKeys() {
    }

    /** The prefix the keys of these names share: each name in ASCII, then a 0 byte. */
    static byte[] prefix(String... names) {
        int length = 0;
        for (String n : names) {
            length += n.length() + 1;
        }
        byte[] p = new byte[length];
        int at = 0;
        for (String n : names) {
            byte[] b = n.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(b, 0, p, at, b.length);
            at += b.length + 1;
        }
        return p;
    }

    /** The key of a number under a prefix. */
    static byte[] key(byte[] prefix, long number) {
        byte[] k = Arrays.copyOf(prefix, prefix.length + 8);
        for (int i = 0; i < 8; i++) {
            k[prefix.length + i] = (byte) (number >>> (56 - 8 * i));
        }
        return k;
    }

    /** Whether a key is under a prefix. */
    static boolean belongs(byte[] key, byte[] prefix) {
        return key.length == prefix.length + 8 && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** The number of a key. */
    static long numberOf(byte[] key) {
        long v = 0;
        for (int i = key.length - 8; i < key.length; i++) {
            v = (v << 8) | (key[i] & 0xFF);
        }
        return v;
    }
}
