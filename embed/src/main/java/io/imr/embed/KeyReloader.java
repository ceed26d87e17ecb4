package io.imr.embed;

import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.KeyRing;
import io.imr.engine.auth.SecretFile;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * Reads the key file again when it changed ({@code imr keys rotate} replaced it), so that a server takes a new key
 * and a retirement without a restart. Looks every {@code imr.server.key-reload} at the file's modification time and
 * size, off the event loops; a file that cannot be read or parsed keeps the keys in use and is logged (the line at
 * fault, never a secret).
 */
final class KeyReloader {

    private static final Logger LOG = Logger.getLogger(KeyReloader.class.getName());

    private final Vertx vertx;
    private final Path file;
    private final HmacTokens tokens;
    private long timer = -1;
    private Object seen;

    KeyReloader(Vertx vertx, Path file, HmacTokens tokens) {
        this.vertx = vertx;
        this.file = file;
        this.tokens = tokens;
        this.seen = stamp();
    }

    void start(Duration every) {
        timer = vertx.setPeriodic(every.toMillis(), id -> vertx.executeBlocking(() -> {
            check();
            return null;
        }, false));
    }

    void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** Reloads the file if it changed since it was last read; off the event loops. */
    synchronized void check() {
        Object now = stamp();
        if (Objects.equals(now, seen)) {
            return;
        }
        try {
            KeyRing next = SecretFile.read(file);
            tokens.reload(next);
            seen = now;
            LOG.info("reloaded the key file " + file + ": " + describe(next));
        } catch (IOException | RuntimeException e) {
            seen = now; // said once per change, not every look
            LOG.warning("the key file " + file + " changed but could not be read, the keys in use stay: "
                    + e.getMessage());
        }
    }

    private Object stamp() {
        try {
            FileTime t = Files.getLastModifiedTime(file);
            return t.toMillis() + ":" + Files.size(file);
        } catch (IOException e) {
            return "missing";
        }
    }

    /** Key ids and retirements, no secret. */
    static String describe(KeyRing ring) {
        StringBuilder b = new StringBuilder();
        for (KeyRing.Key k : ring.keys()) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(k.id());
            if (k.retired()) {
                b.append(" (retired ").append(java.time.Instant.ofEpochMilli(k.retiredAt())).append(')');
            }
        }
        return b.toString();
    }
}
