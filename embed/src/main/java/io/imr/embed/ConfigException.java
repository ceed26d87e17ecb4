package io.imr.embed;

import io.imr.api.option.InvalidOptionException;

/**
 * A setting is missing or has a value that is not allowed; the message is one line saying what is allowed. An
 * {@link InvalidOptionException}, so that one catch covers a bad setting read from a configuration and a bad
 * option given to a builder.
 */
public final class ConfigException extends InvalidOptionException {
    public ConfigException(String message) {
        super(message);
    }
}
