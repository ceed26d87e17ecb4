package io.imr.engine.auth;

/** Turns a hello's token into the principal a session acts for. */
public interface Authenticator {

    /**
     * @param nowMillis wall-clock time, for expiry and key retirement
     * @return who the token is for, and when it was minted
     * @throws AuthenticationException when the token is malformed, forged, expired or signed with a retired key;
     *                                 its message is safe to send to the peer and to log (it never holds the
     *                                 token or a key)
     */
    Authenticated authenticate(String token, long nowMillis);
}
