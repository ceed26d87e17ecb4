package io.imr.app;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends one JSON line per confirmed send, written before the send leaves the outbox, so every
 * confirmed message has a complete line even across crashes. A line a kill cut short is left
 * alone, and the next line starts on a line of its own.
 */
final class Manifest implements AutoCloseable {

    private final OutputStream out;

    Manifest(Path file) throws IOException {
        boolean needsNewline = false;
        if (Files.exists(file) && Files.size(file) > 0) {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                f.seek(f.length() - 1);
                needsNewline = f.read() != '\n';
            }
        }
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (needsNewline) {
            out.write('\n');
        }
    }

    synchronized void confirmed(String clientId, long seq, String sha256) {
        String line = new Json().put("clientId", clientId).put("seq", seq).put("sha256", sha256) + "\n";
        try {
            out.write(line.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the manifest", e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
