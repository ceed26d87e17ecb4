package io.imr.engine.auth;

import io.imr.api.ImrException;

/** A token was refused. The message says why, without revealing anything secret. */
public final class AuthenticationException extends ImrException {
    public AuthenticationException(String message) {
        super(message);
    }
}
