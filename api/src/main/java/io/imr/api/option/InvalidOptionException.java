package io.imr.api.option;

import io.imr.api.ImrException;

/** An option has a value that is not allowed; the message names the option, what is allowed and the value. */
public class InvalidOptionException extends ImrException {
    public InvalidOptionException(String message) {
        super(message);
    }
}
