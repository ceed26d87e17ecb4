package io.imr.engine.auth;

/**
 * What a token proved: who the session acts for, and when the token was minted (revocation refuses the
 * tokens of a device minted before it was revoked).
 *
 * @param principal      the user and device
 * @param issuedAtMillis when the token was minted, wall-clock ms; {@link Long#MIN_VALUE} when an authenticator
 *                       cannot tell (such tokens of a revoked device stay refused)
 */
public record Authenticated(Principal principal, long issuedAtMillis) {
    public Authenticated {
        if (principal == null) {
            throw new IllegalArgumentException("principal is null");
        }
    }
}
