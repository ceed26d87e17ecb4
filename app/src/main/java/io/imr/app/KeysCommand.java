package io.imr.app;

import io.imr.engine.auth.KeyRing;
import io.imr.engine.auth.SecretFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code imr keys}: the signing keys of a key file (ids and retirements, never a secret), and rotation. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Lists or rotates the signing keys of a server's key file (ids only; secrets are never printed).",
        subcommands = {KeysCommand.List.class, KeysCommand.Rotate.class})
final class KeysCommand implements Runnable {

    @Override
    public void run() {
        throw new Imr.UsageError("say what to do: imr keys list or imr keys rotate");
    }

    static KeyRing read(Path file) {
        if (!Files.exists(file)) {
            throw new Imr.UsageError("key file " + file + " does not exist; start the server once to make it");
        }
        try {
            return SecretFile.read(file);
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    static void print(KeyRing ring) {
        String newest = ring.newest().id();
        for (KeyRing.Key k : ring.keys()) {
            System.out.println(k.id() + (k.retired() ? " retired " + Instant.ofEpochMilli(k.retiredAt())
                    : k.id().equals(newest) ? " signs new tokens" : " active"));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Prints each key's id and whether it is"
            + " retired, oldest first.")
    static final class List implements Callable<Integer> {
        @Option(names = "--secret-file", required = true, paramLabel = "FILE", description = "the server's key file")
        Path file;

        @Override
        public Integer call() {
            print(read(file));
            return Imr.OK;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true, description = {
        "Adds a new random key, which signs tokens from now on, and retires every other key now. A running server",
        "reads the file again within imr.server.key-reload and accepts the retired keys' tokens for",
        "imr.server.key-grace more (default 7d): give devices new tokens within that time."})
    static final class Rotate implements Callable<Integer> {
        @Option(names = "--secret-file", required = true, paramLabel = "FILE", description = "the server's key file")
        Path file;

        @Override
        public Integer call() {
            read(file); // a clear error for a missing or broken file before anything is written
            try {
                print(SecretFile.rotate(file, System.currentTimeMillis()));
            } catch (IOException e) {
                throw new IllegalStateException("could not rotate the key file " + file + ": " + e.getMessage(), e);
            }
            return Imr.OK;
        }
    }
}
