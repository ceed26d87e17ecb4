package io.imr.api;

import java.util.zip.CRC32C;

/**
 * The end-to-end payload checksum (G4): a CRC32C that the sender computes over the payload and
 * that the receiver checks, across the server. CRC32C is hardware accelerated on current CPUs
 * and catches every burst error up to 32 bits; the frame CRC covers the bytes in between.
 */
public final class Checksums {

    private Checksums() {
    }

    /** The CRC32C of the whole array. */
    public static int crc32c(byte[] bytes) {
        return crc32c(bytes, 0, bytes.length);
    }

    /** The CRC32C of {@code length} bytes from {@code offset}. */
    public static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
