package io.imr.store.mapdb;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The binary keys of the counter runs both stores keep per (sender, outbox id) (format 3 of the
 * server store, 3 of the device store): {@code sender, 0x00, outbox id, 0x00, counter as 8 bytes
 * big-endian}. MapDB's {@code BYTE_ARRAY} serializers compare unsigned, lexicographically, and
 * neither names nor outbox ids contain a 0 byte, so the runs of one outbox sort together, by their
 * first counter, and a floor lookup finds the run that may contain a counter.
 */
final class OutboxKeys {

    private OutboxKeys() {
    }

    /** The prefix the keys of one outbox's runs share. */
    static byte[] prefix(String sender, String outboxId) {
        byte[] s = sender.getBytes(StandardCharsets.US_ASCII);
        byte[] o = outboxId.getBytes(StandardCharsets.US_ASCII);
        byte[] p = new byte[s.length + o.length + 2];
        System.arraycopy(s, 0, p, 0, s.length);
        System.arraycopy(o, 0, p, s.length + 1, o.length);
        return p;
    }

    /** The key of the run of an outbox (given by its prefix) that starts at a counter. */
    static byte[] runKey(byte[] prefix, long counter) {
        byte[] k = Arrays.copyOf(prefix, prefix.length + 8);
        for (int i = 0; i < 8; i++) {
            k[prefix.length + i] = (byte) (counter >>> (56 - 8 * i));
        }
        return k;
    }

    /** Whether a key is one of the outbox's (given by its prefix). */
    static boolean belongs(byte[] key, byte[] prefix) {
        return key.length == prefix.length + 8 && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** The counter a run key starts at. */
    static long counterOf(byte[] key) {
        long v = 0;
        for (int i = key.length - 8; i < key.length; i++) {
            v = (v << 8) | (key[i] & 0xFF);
        }
        return v;
    }
}
