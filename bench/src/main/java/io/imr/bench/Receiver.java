package io.imr.bench;

/**
 * A receiving device, connected and receiving from the moment it was opened. It hands each message to its
 * {@link Delivered} only after the transaction that stored the message in its local database committed, and
 * confirms a message to its broker only after that commit.
 */
public interface Receiver extends AutoCloseable {

    /** Called after the commit that stored a message, in the order the device stored them. */
    @FunctionalInterface
    interface Delivered {
        void committed(byte[] payload);
    }

    /** The bytes this client's connection carried so far. */
    WireCount wire();

    /** Store commits so far. */
    long commits();

    /** Store syncs ({@code fsync}/{@code fdatasync}) so far. */
    long syncs();

    /** How long this device's store syncs took so far; {@link SyncTimes#NONE} when they are not timed. */
    default SyncTimes syncTimes() {
        return SyncTimes.NONE;
    }

    @Override
    void close() throws Exception;
}
