package io.imr.engine;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;

/**
 * One established connection as an engine sees it: a transport (Vert.x TCP or WebSocket, or the
 * simulator's network) implements it. Both methods may be called from any thread and must not
 * block; frames are sent in the order of the calls.
 */
public interface FrameChannel {

    /** Queues a frame for sending. Does nothing once the channel is closed. */
    void send(Frame frame);

    /**
     * Sends this error frame, if any, then closes the connection. Afterwards the transport
     * reports the close to the engine like any other close. Closing twice does nothing.
     *
     * @param error the reason to tell the peer, or null to close without one
     */
    void close(ErrorFrame error);

    /** A short description for logs: the transport and the peer's address. */
    String describe();

    /**
     * The peer's network address (an IP address, no port), for per-address limits; empty when the transport cannot
     * tell (the default). Behind a proxy it is the proxy's.
     */
    default String peerHost() {
        return "";
    }

    /**
     * Asks the transport to stop reading from the peer (back-pressure: the engine has too much of
     * this connection's work queued). Calls nest: reading goes on once every {@code pauseReading}
     * has had its {@link #resumeReading}, so independent reasons to pause can each pair their own
     * calls. A transport may still deliver the few frames it had read already. Any thread, never
     * blocks. The default does nothing (a channel that cannot pause, such as the simulator's).
     */
    default void pauseReading() {
    }

    /** Undoes one {@link #pauseReading}. Any thread, never blocks. */
    default void resumeReading() {
    }
}
