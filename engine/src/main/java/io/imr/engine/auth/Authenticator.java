package io.imr.engine.auth;

/** Turns a hello's token into the principal a session acts for. */
public interface Authenticator {

    /**
     * @param nowMillis wall-clock time, for expiry
     * @return who the token is for
     * @throws AuthenticationException when the token is malformed, forged or expired; its
     *                                 message is safe to send to the peer
     */
    Principal authenticate(String token, long nowMillis);
}
