package io.imr.engine;

import io.imr.api.store.ClientState;

/**
 * The device store's committed state as the client engine last saw it, under one rule: a state
 * a commit returned replaces the one held unless it is older in the device's own numbering (a lower
 * epoch; or the same epoch and a lower cursor; or the same epoch and cursor and a lower hand-over
 * mark). So whichever order commits of the outbox, the messages and the hand-over return in, what
 * the engine hands over from never moves back. (The server position may move back, by a rebase
 * the server asked for, G10; a rebase leaves the own numbering as it is, so its state is taken.)
 *
 * <p>Owns: that one value. May not: commit, or decide what a state means.
 */
final class Committed {

    private ClientState state;

    Committed(ClientState initial) {
        this.state = initial;
    }

    ClientState get() {
        return state;
    }

    /**
     * Takes a state a commit returned, under the rule above.
     *
     * @return whether it replaced the one held
     */
    boolean take(ClientState returned) {
        if (state != null && isOlder(returned, state)) {
            return false;
        }
        state = returned;
        return true;
    }

    static boolean isOlder(ClientState a, ClientState b) {
        if (a.epoch() != b.epoch()) {
            return a.epoch() < b.epoch();
        }
        if (a.cursor() != b.cursor()) {
            return a.cursor() < b.cursor();
        }
        return a.handedOver() < b.handedOver();
    }
}
