package io.imr.store.mapdb;

import java.util.Objects;

/**
 * How a store's writer forms its groups, and its test hooks. Immutable.
 *
 * @param maxGroupOperations the most operations one DB commit takes; bounds the memory of a group
 *                           and the latency one commit adds to the operations behind it
 * @param maxGroupBytes      the most payload bytes one DB commit takes (a larger single operation
 *                           still goes alone)
 * @param journalBytes       the size of the redo journal, preallocated: a commit syncs the journal
 *                           only, and when it is full a checkpoint syncs the main file too (see
 *                           {@link RedoJournal}); set when the store is opened
 * @param faults             test hooks, {@link StoreFaults#NONE} in production
 */
record StoreOptions(int maxGroupOperations, long maxGroupBytes, long journalBytes, StoreFaults faults) {

    /** 4096 operations or 32 MiB of payload per commit; a journal of 4 MiB. */
    static final StoreOptions DEFAULTS = new StoreOptions(4096, 32L << 20, RedoJournal.DEFAULT_BYTES,
            StoreFaults.NONE);

    StoreOptions {
        if (maxGroupOperations < 1) {
            throw new IllegalArgumentException("maxGroupOperations must be 1 or more, got " + maxGroupOperations);
        }
        if (maxGroupBytes < 1) {
            throw new IllegalArgumentException("maxGroupBytes must be 1 or more, got " + maxGroupBytes);
        }
        if (journalBytes < RedoJournal.MIN_BYTES) {
            throw new IllegalArgumentException("journalBytes must be " + RedoJournal.MIN_BYTES + " or more, got "
                    + journalBytes);
        }
        Objects.requireNonNull(faults, "faults (use StoreFaults.NONE)");
    }

    StoreOptions withFaults(StoreFaults newFaults) {
        return new StoreOptions(maxGroupOperations, maxGroupBytes, journalBytes, newFaults);
    }

    StoreOptions withMaxGroupOperations(int max) {
        return new StoreOptions(max, maxGroupBytes, journalBytes, faults);
    }

    StoreOptions withJournalBytes(long bytes) {
        return new StoreOptions(maxGroupOperations, maxGroupBytes, bytes, faults);
    }
}
