package io.imr.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --token T | --token-file F}, exactly one. */
final class TokenSource {

    @Option(names = "--token", paramLabel = "T", description = "the device's token (from imr token)")
    String token;

    @Option(names = "--token-file", paramLabel = "F", description = "a file holding the device's token")
    Path file;

    String read() {
        if (token != null) {
            return token.trim();
        }
        try {
            String t = Files.readString(file).trim();
            if (t.isEmpty()) {
                throw new Imr.UsageError("token file " + file + " is empty");
            }
            return t;
        } catch (IOException e) {
            throw new Imr.UsageError("token file " + file + " cannot be read: " + e.getMessage());
        }
    }

    /** Picocli's exclusive group holding this. */
    static final class Group {
        @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        TokenSource source;
    }
}
