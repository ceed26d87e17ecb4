package io.imr.api;

/**
 * The root of imr's own exceptions. Each subclass says what went wrong and, in its message,
 * what to do about it.
 */
public class ImrException extends RuntimeException {

    public ImrException(String message) {
        super(message);
    }

    public ImrException(String message, Throwable cause) {
        super(message, cause);
    }
}
