package io.imr.engine;

import io.imr.api.frame.Frame;

/**
 * What a transport reports about one connection. Calls for one connection come one at a time,
 * in order, from any thread; implementations hand them to their engine's context.
 */
public interface ConnectionHandler {

    /** A frame arrived, decoded and validated. */
    void onFrame(Frame frame);

    /**
     * The connection is gone (closed by either side, reset, or failed to decode a frame, in
     * which case the transport already sent the peer an error frame). Called exactly once.
     *
     * @param reason a short description for logs
     */
    void onClosed(String reason);
}
