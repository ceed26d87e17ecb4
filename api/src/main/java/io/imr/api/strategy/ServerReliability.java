package io.imr.api.strategy;

/**
 * The server half of a strategy: a sans-I/O state machine for one device of one user, alive
 * while the engine holds state for that device. It decides what to push, what to resend and
 * when, and what the device's confirmations mean. It does not assign seqs, deduplicate sends or
 * store anything: that is the engine's, the same for every strategy, so a server can restart with
 * another strategy over the same data.
 *
 * <ul>
 *   <li><b>receive</b>: the device's frames (acks, pulls) and messages newly committed to the
 *       user's inbox ({@link Event.MessagesAppended}), which it may push within its window, or
 *       announce with a {@link io.imr.api.frame.Notify}.</li>
 *   <li><b>persist</b>: when the driver is ready, put at most one
 *       {@link Action.PersistWatermark} if the device's confirmed watermark advanced.</li>
 *   <li><b>confirm</b>: the watermark's commit returned; what was confirmed may be forgotten.</li>
 *   <li><b>recover</b>: connection (redeliver from the confirmed watermark, paced by a window),
 *       disconnection, retransmit timers, the answers of {@link Action.ReadInbox}, failed
 *       commits.</li>
 * </ul>
 *
 * <p>Memory stays bounded (G7) whatever the device does: the window of unconfirmed messages,
 * retransmit state and pending reads all have configured limits; a device that falls further
 * behind is told the max seq and pulls.
 */
public interface ServerReliability {

    /** receive: a frame from the device, or messages appended to its user's inbox. */
    void receive(Event.Receive event, Actions out);

    /** persist: the driver can start a commit; put at most one {@link Action.PersistWatermark}. */
    void persist(Event.ReadyToPersist event, Actions out);

    /** confirm: the commit of a {@link Action.PersistWatermark} returned. */
    void confirm(Event.CommitDone event, Actions out);

    /** recover: connection, disconnection, a timer, a read's answer, or a failed commit. */
    void recover(Event.Recover event, Actions out);

    /** How many messages were sent to the device and not yet confirmed (the {@code imr.unconfirmed} gauge). */
    int unconfirmed();

    /** Routes any event to its verb; drivers call this. */
    default void on(Event event, Actions out) {
        if (event instanceof Event.Receive r) {
            receive(r, out);
        } else if (event instanceof Event.ReadyToPersist p) {
            persist(p, out);
        } else if (event instanceof Event.CommitDone c) {
            confirm(c, out);
        } else if (event instanceof Event.Recover r) {
            recover(r, out);
        } else {
            throw new IllegalArgumentException("no verb takes " + event);
        }
    }
}
