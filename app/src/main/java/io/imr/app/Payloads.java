package io.imr.app;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * The payload of message {@code k} of an {@code imr send} run: the same bytes every time, so a
 * rerun after a crash can still give the sha256 of a message confirmed only then.
 */
final class Payloads {

    private Payloads() {
    }

    static byte[] payload(long k, int size) {
        byte[] bytes = new byte[size];
        byte[] head = ("imr message " + k + " ").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, bytes, 0, Math.min(head.length, size));
        SplittableRandom random = new SplittableRandom(k * 0x9E3779B97F4A7C15L);
        for (int i = head.length; i < size; i++) {
            bytes[i] = (byte) ('a' + random.nextInt(26));
        }
        return bytes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
