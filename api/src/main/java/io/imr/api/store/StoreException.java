package io.imr.api.store;

import io.imr.api.ImrException;

/**
 * A store operation failed. Each store method's Javadoc says what is true after it throws; as a
 * rule, a failed commit stored nothing of itself.
 */
public class StoreException extends ImrException {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The commit broke a rule of the store (a hole, a wrong user, a reused counter); nothing was stored. */
    public static class RejectedException extends StoreException {
        public RejectedException(String message) {
            super(message);
        }
    }

    /** The store is closed; nothing was done. */
    public static class ClosedException extends StoreException {
        public ClosedException(String message) {
            super(message);
        }
    }

    /** Another process (or another open store in this one) holds the store. */
    public static class LockedException extends StoreException {
        public LockedException(String message) {
            super(message);
        }
    }

    /** The store's files are damaged or were written by something else. */
    public static class CorruptException extends StoreException {
        public CorruptException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
