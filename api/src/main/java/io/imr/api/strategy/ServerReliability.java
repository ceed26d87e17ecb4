package io.imr.api.strategy;

/**
 * The server half of a strategy: a sans-I/O state machine for one device of one user, alive
 * while the engine holds state for that device. It decides what to push, what to resend and
 * when, and what the device's confirmations mean. It does not assign seqs, deduplicate sends or
 * store anything: that is the engine's, the same for every strategy, so a server can restart with
 * another strategy over the same data. It starts from what the store keeps of the device
 * ({@link Event.Started}: the persisted watermark), not from nothing.
 *
 * <ul>
 *   <li><b>receive</b>: the device's frames (acks, pulls) and messages newly committed to the
 *       user's inbox ({@link Event.MessagesAppended}), which it may push within its window, or
 *       announce with a {@link io.imr.api.frame.Notify}.</li>
 *   <li><b>persist</b>: when the driver is ready, put at most one
 *       {@link Action.PersistWatermark} if the device's confirmed watermark advanced.</li>
 *   <li><b>confirm</b>: the watermark's commit returned; what was confirmed may be forgotten.</li>
 *   <li><b>recover</b>: start, connection (redeliver from the confirmed watermark, paced by a
 *       window), disconnection, retransmit timers, the answers of {@link Action.ReadInbox}, failed
 *       commits.</li>
 * </ul>
 *
 * <p>Memory stays bounded (G7) whatever the device does: the window of unconfirmed messages,
 * retransmit state and pending reads all have configured limits; a device that falls further
 * behind is told the max seq and pulls.
 */
public interface ServerReliability extends ReliabilityHalf<ServerEvent, ServerActions> {

    /** receive: a frame from the device, or messages appended to its user's inbox. */
    void receive(ServerEvent.Receive event, ServerActions out);

    /** persist: the driver can start a commit; put at most one {@link Action.PersistWatermark}. */
    void persist(Event.ReadyToPersist event, ServerActions out);

    /** confirm: the commit of a {@link Action.PersistWatermark} returned. */
    void confirm(Event.CommitDone event, ServerActions out);

    /** recover: start, connection, disconnection, a timer, a read's answer, or a failed commit. */
    void recover(ServerEvent.Recover event, ServerActions out);

    /** How many messages were sent to the device and not yet confirmed (the {@code imr.unconfirmed} gauge). */
    int unconfirmed();

    @Override
    default int held() {
        return unconfirmed();
    }

    /** Routes any event to its verb; drivers call this. */
    @Override
    default void on(ServerEvent event, ServerActions out) {
        if (event instanceof ServerEvent.Receive e) {
            receive(e, out);
        } else if (event instanceof Event.ReadyToPersist e) {
            persist(e, out);
        } else if (event instanceof Event.CommitDone e) {
            confirm(e, out);
        } else {
            recover((ServerEvent.Recover) event, out);
        }
    }

    /** A server half whose four verbs all go to {@code half.on}: for decorators written once for both sides. */
    static ServerReliability of(ReliabilityHalf<ServerEvent, ServerActions> half) {
        return new ServerReliability() {
            @Override
            public void on(ServerEvent event, ServerActions out) {
                half.on(event, out);
            }

            @Override
            public void receive(ServerEvent.Receive event, ServerActions out) {
                half.on(event, out);
            }

            @Override
            public void persist(Event.ReadyToPersist event, ServerActions out) {
                half.on(event, out);
            }

            @Override
            public void confirm(Event.CommitDone event, ServerActions out) {
                half.on(event, out);
            }

            @Override
            public void recover(ServerEvent.Recover event, ServerActions out) {
                half.on(event, out);
            }

            @Override
            public int unconfirmed() {
                return half.held();
            }

            @Override
            public String toString() {
                return half.toString();
            }
        };
    }
}
