package io.imr.engine.auth;

import io.imr.api.Names;
import io.imr.engine.auth.AuthenticationException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tokens signed with HMAC-SHA256 under one of the server's keys ({@link KeyRing}):
 * {@code base64url("imr2|keyId|user|device|issuedAtMillis|expiryEpochSeconds") + "." + base64url(hmac)}.
 * Anyone holding a key can mint tokens (the {@code imr token} command does, with the newest key); the
 * server finds the key the token names, checks the signature in constant time, then that the key is not
 * retired longer than the grace period, then the expiry.
 *
 * <p>The keys can be replaced while the server runs ({@link #reload}); nothing here logs, and no message
 * holds a token or a key.
 */
public final class HmacTokens implements Authenticator {

    /** The least secret length accepted, in bytes. */
    public static final int MIN_SECRET_BYTES = KeyRing.MIN_SECRET_BYTES;
    /** How long a retired key's tokens are still accepted unless told otherwise. */
    public static final Duration DEFAULT_GRACE = Duration.ofDays(7);
    /** Tokens longer than this are refused unread. */
    public static final int MAX_TOKEN_CHARS = 1024;

    private static final String VERSION = "imr2";
    private static final String ADMIN_VERSION = "imr2-admin";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private volatile KeyRing keys;
    private final long graceMillis;

    /**
     * One key, id {@code 0}, never retired.
     *
     * @throws IllegalArgumentException when the secret is shorter than {@link #MIN_SECRET_BYTES}
     */
    public HmacTokens(byte[] secret) {
        this(KeyRing.of(secret), DEFAULT_GRACE);
    }

    public HmacTokens(KeyRing keys) {
        this(keys, DEFAULT_GRACE);
    }

    /**
     * @param grace how long after its retirement a key's tokens are still accepted
     */
    public HmacTokens(KeyRing keys, Duration grace) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("the key grace must not be negative, got " + grace);
        }
        this.keys = keys;
        this.graceMillis = grace.toMillis();
    }

    /** Uses these keys from now on (the key file changed). */
    public void reload(KeyRing next) {
        this.keys = next;
    }

    /** The keys in use. */
    public KeyRing keys() {
        return keys;
    }

    /**
     * Mints a token, signed with the newest key not retired.
     *
     * @param nowMillis wall-clock time: the token's issue time, and what the ttl counts from
     * @throws IllegalStateException when every key is retired
     */
    public String mint(Principal principal, Duration ttl, long nowMillis) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("token ttl must be positive, got " + ttl);
        }
        KeyRing.Key key = keys.newest();
        long expiry = Math.addExact(Math.floorDiv(nowMillis, 1000), ttl.toSeconds());
        String payload = VERSION + "|" + key.id() + "|" + principal.user() + "|" + principal.device() + "|"
                + nowMillis + "|" + expiry;
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        return B64.encodeToString(bytes) + "." + B64.encodeToString(sign(key, bytes));
    }

    /**
     * Mints an administrator's token, signed with the newest key: it grants the server's admin endpoint
     * (revoking and deleting), never a device session, and no device token grants the endpoint.
     */
    public String mintAdmin(Duration ttl, long nowMillis) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("token ttl must be positive, got " + ttl);
        }
        KeyRing.Key key = keys.newest();
        long expiry = Math.addExact(Math.floorDiv(nowMillis, 1000), ttl.toSeconds());
        byte[] bytes = (ADMIN_VERSION + "|" + key.id() + "|" + nowMillis + "|" + expiry)
                .getBytes(StandardCharsets.UTF_8);
        return B64.encodeToString(bytes) + "." + B64.encodeToString(sign(key, bytes));
    }

    /**
     * Checks an administrator's token ({@link #mintAdmin}) as {@link #authenticate} checks a device's.
     *
     * @throws AuthenticationException when it is not a valid admin token now
     */
    public void checkAdmin(String token, long nowMillis) {
        verified(token, nowMillis, ADMIN_VERSION, 4);
    }

    @Override
    public Authenticated authenticate(String token, long nowMillis) {
        String[] parts = verified(token, nowMillis, VERSION, 6);
        try {
            return new Authenticated(new Principal(Names.principal("user", parts[2]),
                    Names.principal("device", parts[3])), Long.parseLong(parts[4]));
        } catch (IllegalArgumentException e) {
            throw refused(Reason.MALFORMED, "token malformed: " + e.getMessage());
        }
    }

    /** The fields of a token of {@code version} with {@code fields} fields, ending with issue and expiry times. */
    private String[] verified(String token, long nowMillis, String version, int fields) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
            throw refused(Reason.MALFORMED, "token missing or longer than " + MAX_TOKEN_CHARS + " characters");
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            throw refused(Reason.MALFORMED, "token malformed: expected two parts separated by one dot");
        }
        byte[] payload;
        byte[] signature;
        try {
            payload = B64D.decode(token.substring(0, dot));
            signature = B64D.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw refused(Reason.MALFORMED, "token malformed: not base64url");
        }
        String[] parts = new String(payload, StandardCharsets.UTF_8).split("\\|", -1);
        if (!version.equals(parts[0])) {
            throw refused(Reason.MALFORMED, version.equals(VERSION) && parts[0].equals(ADMIN_VERSION)
                    ? "token malformed: an administrator's token does not open a device session"
                    : version.equals(ADMIN_VERSION) ? "not an administrator's token (mint one with imr admin)"
                    : "token malformed: not a token of version " + VERSION
                    + " (tokens made before key ids are no longer accepted; mint a new one with imr token)");
        }
        if (parts.length != fields) {
            throw refused(Reason.MALFORMED, "token malformed: " + parts.length + " fields, expected " + fields);
        }
        KeyRing.Key key = keys.find(parts[1]);
        if (key == null) {
            // The id is a short name, not a secret; say it so that an operator can tell which file lacks it.
            throw refused(Reason.UNKNOWN_KEY, "token signed with key '" + printable(parts[1])
                    + "', which this server does not have");
        }
        if (!MessageDigest.isEqual(sign(key, payload), signature)) {
            throw refused(Reason.BAD_SIGNATURE, "token signature invalid: not made with this server's key "
                    + key.id());
        }
        if (key.retired() && nowMillis - key.retiredAt() >= graceMillis) {
            throw refused(Reason.RETIRED_KEY, "token signed with key " + key.id()
                    + ", retired longer ago than the key grace; mint a new one with imr token");
        }
        long expiry;
        try {
            Long.parseLong(parts[fields - 2]);
            expiry = Long.parseLong(parts[fields - 1]);
        } catch (NumberFormatException e) {
            throw refused(Reason.MALFORMED, "token malformed: bad issue or expiry time");
        }
        if (Math.floorDiv(nowMillis, 1000) >= expiry) {
            throw refused(Reason.EXPIRED, "token expired; mint a new one with imr token");
        }
        return parts;
    }

    private static String printable(String id) {
        return id.length() <= 32 && id.chars().allMatch(c -> c > 32 && c < 127) ? id : "(unprintable)";
    }

    private static AuthenticationException refused(Reason reason, String message) {
        return new AuthenticationException(reason, message);
    }

    private static byte[] sign(KeyRing.Key key, byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.secret(), "HmacSHA256"));
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }
}
