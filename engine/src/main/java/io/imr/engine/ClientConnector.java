package io.imr.engine;

/**
 * Opens connections to the server for a client engine. The engine decides when (it owns
 * reconnect backoff); the transport only connects.
 */
public interface ClientConnector {

    /**
     * Starts one connection attempt. Exactly one of the callbacks follows, from any thread:
     * {@link Attempt#connected} with the channel (after which frames and the close go to the
     * handler it returns), or {@link Attempt#failed}.
     */
    void connect(Attempt attempt);

    /** A short description of where it connects, for logs and errors. */
    String describe();

    /** The outcome of one connection attempt. */
    interface Attempt {
        /**
         * The connection is open.
         *
         * @return the handler for its frames and its close
         */
        ConnectionHandler connected(FrameChannel channel);

        /** The connection could not be opened. */
        void failed(Throwable cause);
    }
}
