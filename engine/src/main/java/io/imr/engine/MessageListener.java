package io.imr.engine;

import io.imr.api.Message;

/**
 * The application's receiver. Called on the client's own dispatcher thread (never an event
 * loop, never the engine's thread), in seq order, only after the commit that stored the message
 * returned, and at least once per message: after a crash, committed messages whose hand-over
 * was not yet recorded are handed over again, each with its stable {@link Message#id()}, so an
 * idempotent listener sees every message exactly once.
 */
@FunctionalInterface
public interface MessageListener {

    /**
     * A committed message. If this throws, the call is retried twice (after 100 ms and 1 s);
     * if it still throws, the failure is logged and the message counts as handed over: the
     * message stays in the store either way.
     */
    void onMessage(Message message) throws Exception;

    /**
     * Seqs {@code from..to} of the server's sequence expired before this device got them: the server trimmed them
     * (retention) while the device was away longer than the server's {@code retire-after}, or a limit of age or
     * count removed them. The store recorded the range ({@link io.imr.api.store.ClientState#expired()}) in the
     * commit that moved the device past it; this call comes after every message committed before that, once
     * (a crash before it is not made up for: the store keeps the range). If it throws, the failure is logged.
     * Does nothing by default.
     */
    default void expired(long from, long to) throws Exception {
    }
}
