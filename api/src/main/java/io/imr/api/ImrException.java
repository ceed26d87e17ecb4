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

    /**
     * For failures a peer causes at will, many a second ({@code writableStackTrace} false): where in imr it was seen
     * says nothing the message does not, and filling a stack trace in for each costs more than finding the fault.
     */
    protected ImrException(String message, Throwable cause, boolean writableStackTrace) {
        super(message, cause, true, writableStackTrace);
    }
}
