package io.imr.embed;

import io.imr.api.ImrException;

/** A setting has a value that is not allowed; the message is one line saying what is allowed. */
public final class ConfigException extends ImrException {
    public ConfigException(String message) {
        super(message);
    }
}
