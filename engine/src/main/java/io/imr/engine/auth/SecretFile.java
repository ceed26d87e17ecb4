package io.imr.engine.auth;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The server's token secret in a file: 32 random bytes as hex. A server given a file that does
 * not exist creates it, readable by its owner only, before it accepts connections.
 */
public final class SecretFile {

    private SecretFile() {
    }

    /**
     * Reads the secret, creating the file with a new random secret if it does not exist.
     *
     * @throws IOException when the file cannot be read or created, or holds no valid secret
     */
    public static byte[] readOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            } catch (FileAlreadyExistsException e) {
                return read(file); // another process made it first: use theirs
            }
            Files.writeString(file, HexFormat.of().formatHex(secret) + "\n", StandardOpenOption.TRUNCATE_EXISTING);
            return secret;
        }
        return read(file);
    }

    /**
     * Reads an existing secret.
     *
     * @throws IOException when the file is missing or holds no valid secret
     */
    public static byte[] read(Path file) throws IOException {
        String text = Files.readString(file).trim();
        byte[] secret;
        try {
            secret = HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new IOException("secret file " + file + " does not hold a hex secret");
        }
        if (secret.length < HmacTokens.MIN_SECRET_BYTES) {
            throw new IOException("secret file " + file + " holds " + secret.length + " bytes; at least "
                    + HmacTokens.MIN_SECRET_BYTES + " are needed");
        }
        return secret;
    }
}
