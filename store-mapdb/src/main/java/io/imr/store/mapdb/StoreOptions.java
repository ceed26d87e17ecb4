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
 * @param deferNanos         how long a deferrable operation (see {@link StoreEngine}) waits for an
 *                           operation that must commit now before it is committed on its own; 0
 *                           commits everything at once
 * @param faults             test hooks, {@link StoreFaults#NONE} in production
 */
record StoreOptions(int maxGroupOperations, long maxGroupBytes, long journalBytes, long deferNanos,
                    StoreFaults faults) {

    /** How long deferrable operations wait by default: 10 ms. */
    static final long DEFAULT_DEFER_NANOS = 10_000_000L;

    /** 4096 operations or 32 MiB of payload per commit; a journal of 4 MiB; deferrable operations wait 10 ms. */
    static final StoreOptions DEFAULTS = new StoreOptions(4096, 32L << 20, RedoJournal.DEFAULT_BYTES,
            DEFAULT_DEFER_NANOS, StoreFaults.NONE);

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
        if (deferNanos < 0) {
            throw new IllegalArgumentException("deferNanos must not be negative, got " + deferNanos);
        }
        Objects.requireNonNull(faults, "faults (use StoreFaults.NONE)");
    }

    StoreOptions withFaults(StoreFaults newFaults) {
        return new StoreOptions(maxGroupOperations, maxGroupBytes, journalBytes, deferNanos, newFaults);
    }

    StoreOptions withMaxGroupOperations(int max) {
        return new StoreOptions(max, maxGroupBytes, journalBytes, deferNanos, faults);
    }

    StoreOptions withJournalBytes(long bytes) {
        return new StoreOptions(maxGroupOperations, maxGroupBytes, bytes, deferNanos, faults);
    }

    StoreOptions withDeferNanos(long nanos) {
        return new StoreOptions(maxGroupOperations, maxGroupBytes, journalBytes, nanos, faults);
    }
}
