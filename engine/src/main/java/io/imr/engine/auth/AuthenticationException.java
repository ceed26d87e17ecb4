package io.imr.engine.auth;

import io.imr.api.ImrException;

/**
 * A token was refused. The message says why, without revealing anything secret (never the token, never
 * a key), and is safe to send to the peer; {@link #reason()} names the kind, for the refusal meter.
 */
public final class AuthenticationException extends ImrException {

    /** Why a token was refused; its {@link #tag()} is the {@code reason} tag of {@code imr.auth.refused}. */
    public enum Reason {
        /** Not a token of this format: missing, too long, not base64url, unknown version or fields. */
        MALFORMED("malformed"),
        /** Signed with a key this server does not have, or not with the key it names. */
        BAD_SIGNATURE("bad-signature"),
        /** Names a key id the server's key file does not hold. */
        UNKNOWN_KEY("unknown-key"),
        /** Signed with a key retired longer ago than its grace period. */
        RETIRED_KEY("retired-key"),
        /** Past its expiry. */
        EXPIRED("expired"),
        /** Valid, but for another user or device than the hello names. */
        WRONG_PRINCIPAL("wrong-principal"),
        /** Minted before its device was revoked (or deleted). */
        REVOKED("revoked");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    private final Reason reason;

    public AuthenticationException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
