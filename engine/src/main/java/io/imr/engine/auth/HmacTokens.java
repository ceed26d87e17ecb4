package io.imr.engine.auth;

import io.imr.api.Names;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tokens signed with HMAC-SHA256 under the server's secret:
 * {@code base64url("imr1|user|device|expiryEpochSeconds") + "." + base64url(hmac)}.
 * Anyone holding the secret can mint tokens (the {@code imr token} command does); the server
 * checks the signature in constant time, then the expiry.
 */
public final class HmacTokens implements Authenticator {

    /** The least secret length accepted, in bytes. */
    public static final int MIN_SECRET_BYTES = 16;

    private static final String VERSION = "imr1";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    /**
     * @throws IllegalArgumentException when the secret is shorter than {@link #MIN_SECRET_BYTES}
     */
    public HmacTokens(byte[] secret) {
        if (secret == null || secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the token secret must be at least " + MIN_SECRET_BYTES + " bytes");
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
    }

    /**
     * Mints a token.
     *
     * @param nowMillis wall-clock time the ttl counts from
     */
    public String mint(Principal principal, Duration ttl, long nowMillis) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("token ttl must be positive, got " + ttl);
        }
        long expiry = Math.addExact(nowMillis / 1000, ttl.toSeconds());
        String payload = VERSION + "|" + principal.user() + "|" + principal.device() + "|" + expiry;
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        return B64.encodeToString(bytes) + "." + B64.encodeToString(sign(bytes));
    }

    @Override
    public Principal authenticate(String token, long nowMillis) {
        if (token == null || token.length() > 1024) {
            throw new AuthenticationException("token missing or too long");
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            throw new AuthenticationException("token malformed: expected two parts separated by one dot");
        }
        byte[] payload;
        byte[] signature;
        try {
            payload = B64D.decode(token.substring(0, dot));
            signature = B64D.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException("token malformed: not base64url");
        }
        if (!MessageDigest.isEqual(sign(payload), signature)) {
            throw new AuthenticationException("token signature invalid: not made with this server's secret");
        }
        String[] parts = new String(payload, StandardCharsets.UTF_8).split("\\|", -1);
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            throw new AuthenticationException("token malformed: unknown token version");
        }
        long expiry;
        try {
            expiry = Long.parseLong(parts[3]);
        } catch (NumberFormatException e) {
            throw new AuthenticationException("token malformed: bad expiry");
        }
        if (nowMillis / 1000 >= expiry) {
            throw new AuthenticationException("token expired; mint a new one with imr token");
        }
        try {
            return new Principal(Names.principal("user", parts[1]), Names.principal("device", parts[2]));
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException("token malformed: " + e.getMessage());
        }
    }

    private byte[] sign(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }
}
