package io.imr.store.mapdb;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * The syncs one store made: every {@link FileChannel#force} on its files and its directory goes
 * through {@link #force}, which counts it. One per store instance, shared by every file it opens
 * (including those of a reopen after a failed commit); see {@link SyncingStore} for what is counted.
 * It also times each sync for the observers {@link SyncingStore#observeSyncs} added. Thread-safe.
 */
final class SyncCounter {

    private static final LongConsumer[] NONE = {};

    private final LongAdder syncs = new LongAdder();
    /** Replaced, never changed in place, so that a sync reads it without a lock. */
    private volatile LongConsumer[] observers = NONE;

    /**
     * Syncs a channel ({@code force(false)} is an fdatasync on Linux, {@code force(true)} an
     * fsync), counts it once it returned and tells the observers how long it took. A sync that
     * throws is neither counted nor timed.
     */
    void force(FileChannel channel, boolean metaData) throws IOException {
        LongConsumer[] toTell = observers;
        long started = toTell.length == 0 ? 0 : System.nanoTime();
        channel.force(metaData);
        syncs.increment();
        if (toTell.length > 0) {
            long took = System.nanoTime() - started;
            for (LongConsumer o : toTell) {
                try {
                    o.accept(took);
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable e) {
                    // An observer's bug is not a failed sync: the commit is durable and goes on.
                }
            }
        }
    }

    /** Adds an observer of each later sync's duration in nanoseconds (see {@link SyncingStore#observeSyncs}). */
    synchronized void observe(LongConsumer nanos) {
        if (nanos == null) {
            throw new NullPointerException("observer");
        }
        LongConsumer[] more = java.util.Arrays.copyOf(observers, observers.length + 1);
        more[observers.length] = nanos;
        observers = more;
    }

    /** The syncs counted so far. */
    long count() {
        return syncs.sum();
    }
}
