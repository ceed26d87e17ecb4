package io.imr.store.mapdb;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.LongAdder;

/**
 * The syncs one store made: every {@link FileChannel#force} on its files and its directory goes
 * through {@link #force}, which counts it. One per store instance, shared by every file it opens
 * (including those of a reopen after a failed commit); see {@link SyncingStore} for what is counted.
 * Thread-safe.
 */
final class SyncCounter {

    private final LongAdder syncs = new LongAdder();

    /**
     * Syncs a channel ({@code force(false)} is an fdatasync on Linux, {@code force(true)} an
     * fsync) and counts it once it returned. A sync that throws is not counted.
     */
    void force(FileChannel channel, boolean metaData) throws IOException {
        channel.force(metaData);
        syncs.increment();
    }

    /** The syncs counted so far. */
    long count() {
        return syncs.sum();
    }
}
