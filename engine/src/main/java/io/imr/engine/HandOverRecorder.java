package io.imr.engine;

import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientStore;
import io.imr.engine.internal.StoreCommits;
import java.util.logging.Logger;

/**
 * Records in the device store how far the listener got ({@code handedOver}), so that a restart
 * replays only what the listener did not see: one commit at a time, each for the furthest seq
 * reported while the previous one ran.
 *
 * <p>Owns: the target and whether its commit runs. May not: hand messages over (the
 * {@link io.imr.engine.internal.Dispatcher} does) or touch the connection.
 */
final class HandOverRecorder {

    private static final Logger LOG = Logger.getLogger(HandOverRecorder.class.getName());

    private final ClientStore store;
    private final EngineRuntime runtime;
    private final Committed committed;
    private long target = -1;
    private boolean running;
    private boolean stopped;

    HandOverRecorder(ClientStore store, EngineRuntime runtime, Committed committed) {
        this.store = store;
        this.runtime = runtime;
        this.committed = committed;
    }

    /** The listener has had every message up to {@code seq}. On the engine's context. */
    void handedOver(long seq) {
        target = Math.max(target, seq);
        if (!running && !stopped) {
            record();
        }
    }

    /** Records nothing more (commits already handed to the store still complete). */
    void stop() {
        stopped = true;
    }

    private void record() {
        long seq = target;
        if (seq <= committed.get().handedOver() || stopped) {
            running = false;
            return;
        }
        running = true;
        StoreCommits.submit(runtime, () -> store.commit(ClientCommit.handedOver(seq)), (state, error) -> {
            if (error != null) {
                // Not recorded: a restart hands these over again (at least once to the listener, by design).
                LOG.fine("recording the hand-over up to " + seq + " failed: " + error);
                running = false;
                return;
            }
            committed.take(state);
            record();
        });
    }
}
