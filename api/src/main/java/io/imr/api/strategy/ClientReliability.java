package io.imr.api.strategy;

/**
 * The client half of a strategy: a sans-I/O state machine for one device. It never touches a
 * socket, file, thread, clock or random generator: the driver (the engine in production, the
 * simulator in tests) hands it events and carries out the actions it puts into {@code out}.
 * One thread at a time drives an instance.
 *
 * <p>The four verbs, and the rules every implementation keeps (the compatibility kit checks
 * each, by name):
 * <ul>
 *   <li><b>receive</b>: verify each message's payload checksum (a corrupt one is dropped and
 *       counted, G4), drop what is already committed or pending (G2), and check for holes; a
 *       message past a hole is kept in a bounded buffer or dropped, never persisted before the
 *       hole is filled (G3).</li>
 *   <li><b>persist</b>: when the driver is ready for a commit, put at most one
 *       {@link Action.Persist} with everything accepted so far that follows the cursor without a
 *       hole. Everything that arrives while that commit runs goes into the next one (group
 *       commit).</li>
 *   <li><b>confirm</b>: once a commit returned, say what to tell the server, if anything. Never
 *       confirm a message before its commit returned (G5).</li>
 *   <li><b>recover</b>: on start, (re)connection, disconnection, a timer or a failed commit, say
 *       what to do: pull, telling the server the <em>committed</em> cursor, never a position that
 *       only sits in memory (a pull's committed cursor is an implicit confirmation of everything up
 *       to it); after a failed commit fall back to the last committed cursor.</li>
 * </ul>
 *
 * <p>If a method throws, the driver treats the instance as broken: it closes the session and
 * starts a new instance from the store's committed state. Nothing committed is lost by that.
 */
public interface ClientReliability extends ReliabilityHalf<ClientEvent, ClientActions> {

    /** receive: a frame arrived from the server. */
    void receive(Event.FrameArrived event, ClientActions out);

    /** persist: the driver can start a commit; put at most one {@link Action.Persist}. */
    void persist(Event.ReadyToPersist event, ClientActions out);

    /** confirm: the commit of a {@link Action.Persist} returned. */
    void confirm(Event.CommitDone event, ClientActions out);

    /** recover: start, (re)connection, disconnection, a timer, or a failed commit. */
    void recover(ClientEvent.Recover event, ClientActions out);

    /**
     * How many messages the instance holds in memory that are not yet committed (accepted,
     * persisting, or waiting past a hole): a gauge for G7, bounded by configuration.
     */
    int buffered();

    @Override
    default int held() {
        return buffered();
    }

    /** Routes any event to its verb; drivers call this. */
    @Override
    default void on(ClientEvent event, ClientActions out) {
        if (event instanceof Event.FrameArrived e) {
            receive(e, out);
        } else if (event instanceof Event.ReadyToPersist e) {
            persist(e, out);
        } else if (event instanceof Event.CommitDone e) {
            confirm(e, out);
        } else {
            recover((ClientEvent.Recover) event, out);
        }
    }

    /** A client half whose four verbs all go to {@code half.on}: for decorators written once for both sides. */
    static ClientReliability of(ReliabilityHalf<ClientEvent, ClientActions> half) {
        return new ClientReliability() {
            @Override
            public void on(ClientEvent event, ClientActions out) {
                half.on(event, out);
            }

            @Override
            public void receive(Event.FrameArrived event, ClientActions out) {
                half.on(event, out);
            }

            @Override
            public void persist(Event.ReadyToPersist event, ClientActions out) {
                half.on(event, out);
            }

            @Override
            public void confirm(Event.CommitDone event, ClientActions out) {
                half.on(event, out);
            }

            @Override
            public void recover(ClientEvent.Recover event, ClientActions out) {
                half.on(event, out);
            }

            @Override
            public int buffered() {
                return half.held();
            }

            @Override
            public String toString() {
                return half.toString();
            }
        };
    }
}
