package io.imr.bench;

/**
 * A sending client, connected. Used from one thread.
 */
public interface Sender extends AutoCloseable {

    /**
     * Sends one message to {@code toUser}; {@code onConfirmed} runs (on any thread) once the broker has
     * confirmed it by its own rules (imr: the send-ack after the server's durable commit; MQTT: PUBACK;
     * JetStream: the publish ack). May block while the client's window of unconfirmed messages is full: that
     * is the back-pressure a saturating sender runs into.
     */
    void send(String toUser, byte[] payload, Runnable onConfirmed) throws Exception;

    /** The bytes this client's connection carried so far. */
    WireCount wire();

    /** Store syncs ({@code fsync}/{@code fdatasync}) this client caused so far; 0 when it keeps no store. */
    long syncs();

    /** How long this client's store syncs took so far; {@link SyncTimes#NONE} when they are not timed. */
    default SyncTimes syncTimes() {
        return SyncTimes.NONE;
    }

    @Override
    void close() throws Exception;
}
