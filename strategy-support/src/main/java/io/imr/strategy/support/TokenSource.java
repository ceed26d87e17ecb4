package io.imr.strategy.support;

/**
 * Hands out the tokens that tie a driver's answer ({@code CommitDone}, {@code CommitFailed},
 * {@code InboxRead}) to the action that asked for it. Tokens start at 1 and only grow, so a token
 * is never reused within one strategy instance and an answer to an action that was forgotten (after a
 * reconnect, a fallback) can never be mistaken for the answer to a newer one. {@code 0} is never
 * handed out, so callers may use it for "none".
 */
public final class TokenSource {

    private long last;

    /** The next token: 1, 2, 3, ... */
    public long next() {
        return ++last;
    }

    /** The last token handed out, 0 before the first. */
    public long last() {
        return last;
    }
}
