package io.imr.engine.auth;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The server's signing keys, oldest first, as its key file holds them: one per line,
 * {@code ID HEX-SECRET} or {@code ID HEX-SECRET retired INSTANT}; {@code #} starts a comment. Tokens name
 * the key that signed them; {@code imr token} signs with the {@linkplain #newest() newest key not retired};
 * the server accepts a retired key's tokens for a grace period after it was retired, then refuses them.
 * A file of one bare hex line (the format before key ids) is one key with id {@code 0}.
 *
 * <p>Immutable. {@link #toString()} never shows a secret.
 */
public final class KeyRing {

    /** The least secret length accepted, in bytes. */
    public static final int MIN_SECRET_BYTES = 16;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,32}");

    /**
     * One key.
     *
     * @param id        names the key in tokens
     * @param retiredAt when it was retired (wall-clock ms), or {@link Long#MAX_VALUE} while it signs
     */
    public record Key(String id, byte[] secret, long retiredAt) {
        public Key {
            if (id == null || !ID.matcher(id).matches()) {
                throw new IllegalArgumentException("a key id is 1 to 32 letters, digits, '.', '_' or '-', got '"
                        + id + "'");
            }
            if (secret == null || secret.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("key " + id + " is " + (secret == null ? 0 : secret.length)
                        + " bytes; a key is at least " + MIN_SECRET_BYTES + " bytes");
            }
            secret = secret.clone();
        }

        public boolean retired() {
            return retiredAt != Long.MAX_VALUE;
        }

        @Override
        public byte[] secret() {
            return secret.clone();
        }

        @Override
        public String toString() {
            return "key " + id + (retired() ? " (retired " + Instant.ofEpochMilli(retiredAt) + ")" : "");
        }
    }

    private final Map<String, Key> keys;

    /**
     * @throws IllegalArgumentException when there is no key, or two keys share an id
     */
    public KeyRing(List<Key> keys) {
        Map<String, Key> byId = new LinkedHashMap<>();
        for (Key k : keys) {
            if (byId.put(k.id(), k) != null) {
                throw new IllegalArgumentException("two keys have id " + k.id());
            }
        }
        if (byId.isEmpty()) {
            throw new IllegalArgumentException("no signing key");
        }
        this.keys = Collections.unmodifiableMap(byId);
    }

    /** One key with id {@code 0}: a secret given as bytes. */
    public static KeyRing of(byte[] secret) {
        return new KeyRing(List.of(new Key("0", secret, Long.MAX_VALUE)));
    }

    /** The keys, oldest first. */
    public List<Key> keys() {
        return List.copyOf(keys.values());
    }

    /** The key of this id, or null. */
    public Key find(String id) {
        return keys.get(id);
    }

    /**
     * The key tokens are signed with: the last one not retired.
     *
     * @throws IllegalStateException when every key is retired
     */
    public Key newest() {
        List<Key> all = keys();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (!all.get(i).retired()) {
                return all.get(i);
            }
        }
        throw new IllegalStateException("every signing key is retired; add one with imr keys rotate");
    }

    /**
     * A new key, newest, with every key that was not retired retired now.
     *
     * @param id the new key's id; must not be taken
     */
    public KeyRing rotated(String id, byte[] secret, long nowMillis) {
        List<Key> next = new ArrayList<>();
        for (Key k : keys.values()) {
            next.add(k.retired() ? k : new Key(k.id(), k.secret, nowMillis));
        }
        next.add(new Key(id, secret, Long.MAX_VALUE));
        return new KeyRing(next);
    }

    /** A key id not taken yet: {@code k} and the next number. */
    public String nextId() {
        int n = keys.size() + 1;
        while (keys.containsKey("k" + n)) {
            n++;
        }
        return "k" + n;
    }

    /**
     * Reads a key file's text.
     *
     * @param source names the file in errors
     * @throws IllegalArgumentException with the line at fault (never its secret)
     */
    public static KeyRing parse(String text, String source) {
        List<Key> keys = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            String body = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (body.isEmpty()) {
                continue;
            }
            String where = source + " line " + (i + 1);
            String[] f = body.split("\\s+");
            if (f.length == 1 && keys.isEmpty()) {
                keys.add(new Key("0", hex(f[0], where), Long.MAX_VALUE)); // the format before key ids
                continue;
            }
            if (f.length != 2 && !(f.length == 4 && f[2].equals("retired"))) {
                throw new IllegalArgumentException(where + ": expected 'ID HEX-SECRET' or 'ID HEX-SECRET retired"
                        + " INSTANT' (" + f.length + " fields)");
            }
            long retired = Long.MAX_VALUE;
            if (f.length == 4) {
                try {
                    retired = Instant.parse(f[3]).toEpochMilli();
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException(where + ": '" + f[3] + "' is not an instant like"
                            + " 2026-12-01T10:00:00Z");
                }
            }
            try {
                keys.add(new Key(f[0], hex(f[1], where), retired));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage());
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no key");
        }
        try {
            return new KeyRing(keys);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage());
        }
    }

    private static byte[] hex(String text, String where) {
        try {
            return HexFormat.of().parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": the secret is not hex");
        }
    }

    /** The key file's text for this ring. */
    public String format() {
        StringBuilder b = new StringBuilder();
        b.append("# imr signing keys, oldest first: ID HEX-SECRET [retired INSTANT]. imr token signs with the newest\n");
        b.append("# key not retired; the server accepts a retired key's tokens for imr.server.key-grace after INSTANT.\n");
        for (Key k : keys.values()) {
            b.append(k.id()).append(' ').append(HexFormat.of().formatHex(k.secret));
            if (k.retired()) {
                b.append(" retired ").append(Instant.ofEpochMilli(k.retiredAt()));
            }
            b.append('\n');
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return keys.values().toString();
    }
}
