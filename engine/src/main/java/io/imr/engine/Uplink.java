package io.imr.engine;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;

/**
 * What the client's outbox and strategy driver may do with the connection, and no more: the
 * {@link ClientSession} implements it and owns everything else about connections.
 */
interface Uplink {

    /** Whether a session is up: welcomed and settled, so frames may be sent. */
    boolean ready();

    /** Sends a frame if a session is up; otherwise drops it (the senders repair loss: resends, retransmits). */
    void send(Frame frame);

    /**
     * Gives up the current connection or connection attempt, whatever state it is in, and
     * reconnects after the backoff. Does nothing when there is none.
     *
     * @param error  the error frame to tell the server, or null
     * @param reason for logs and the half's Disconnected event
     */
    void drop(ErrorFrame error, String reason);
}
