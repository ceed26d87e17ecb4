package io.imr.engine.auth;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;

/**
 * The server's key file: its {@link KeyRing}, one key per line. A server given a file that does not exist
 * creates it with one new random key, readable by its owner only, before it accepts connections.
 * {@link #rotate} adds a key and retires the others.
 */
public final class SecretFile {

    private static final int NEW_KEY_BYTES = 32;

    private SecretFile() {
    }

    /**
     * Reads the keys, creating the file with one new random key if it does not exist.
     *
     * @throws IOException when the file cannot be read or created, or holds no valid key
     */
    public static KeyRing readOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            KeyRing ring = new KeyRing(List.of(new KeyRing.Key("k1", random(), Long.MAX_VALUE)));
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                createOwnerOnly(file);
            } catch (FileAlreadyExistsException e) {
                return read(file); // another process made it first: use theirs
            }
            Files.writeString(file, ring.format());
            return ring;
        }
        return read(file);
    }

    /**
     * Reads an existing key file.
     *
     * @throws IOException when the file is missing or holds no valid key (the message names the line, never a
     *                     secret)
     */
    public static KeyRing read(Path file) throws IOException {
        String text = Files.readString(file);
        try {
            return KeyRing.parse(text, "key file " + file);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
    }

    /**
     * Adds a new random key, which signs from now on, and retires every key that was not retired (their
     * tokens are accepted for the server's key grace from now, then refused). Replaces the file atomically.
     *
     * @return the keys now in the file
     */
    public static KeyRing rotate(Path file, long nowMillis) throws IOException {
        KeyRing ring = read(file);
        KeyRing next = ring.rotated(ring.nextId(), random(), nowMillis);
        Path tmp = file.resolveSibling(file.getFileName() + ".new");
        Files.deleteIfExists(tmp);
        createOwnerOnly(tmp);
        Files.writeString(tmp, next.format());
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return next;
    }

    private static void createOwnerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
    }

    private static byte[] random() {
        byte[] secret = new byte[NEW_KEY_BYTES];
        new SecureRandom().nextBytes(secret);
        return secret;
    }
}
