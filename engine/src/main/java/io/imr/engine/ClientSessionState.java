package io.imr.engine;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a {@link ClientSession} is. The session changes it in one method only, which refuses any
 * move this table does not list (as Resilience4j's circuit-breaker state machine does).
 */
enum ClientSessionState {
    /** Not started. */
    NEW,
    /** A connection attempt is pending: no channel yet. */
    CONNECTING,
    /** The channel is open and the hello sent: waiting for the welcome. */
    HELLO_SENT,
    /** Welcomed: the half is being swapped or the store rebased; the server's frames are held. */
    SETTLING,
    /** The session is up: frames go to the half, sends are pumped. */
    UP,
    /** Between attempts: the reconnect timer runs. */
    WAITING,
    /** Stopped for good. */
    STOPPED;

    private Set<ClientSessionState> next;

    static {
        NEW.next = EnumSet.of(CONNECTING, STOPPED);
        CONNECTING.next = EnumSet.of(HELLO_SENT, WAITING, STOPPED);
        HELLO_SENT.next = EnumSet.of(SETTLING, WAITING, STOPPED);
        SETTLING.next = EnumSet.of(UP, WAITING, STOPPED);
        UP.next = EnumSet.of(WAITING, STOPPED);
        WAITING.next = EnumSet.of(CONNECTING, STOPPED);
        STOPPED.next = EnumSet.noneOf(ClientSessionState.class);
    }

    boolean mayMoveTo(ClientSessionState s) {
        return next.contains(s);
    }
}
