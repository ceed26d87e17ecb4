package io.imr.store.mapdb;

import java.io.IOException;
import java.util.List;

/**
 * Test hooks into the writer of a store: inject an I/O error at a chosen point of a commit, and
 * observe which durable commit each operation went into. Production code passes
 * {@link #NONE}; tests pass their own through {@link StoreOptions}. The hooks run on the writer
 * thread, so the failure they inject takes the same path as a real one (rollback, close and
 * reopen of the files, every operation of the group failed).
 */
interface StoreFaults {

    /** The points of a group commit where a fault can be injected, in the order they are passed. */
    enum Point {
        /**
         * After the group's operations were checked and applied (so a rejected one is still
         * rejected), before its batch, run and meta records are written into MapDB's transaction.
         */
        BEFORE_APPLY,
        /** After the group was applied to MapDB's transaction, before {@code DB.commit()}. */
        AFTER_APPLY,
        /**
         * Inside {@code DB.commit()}, when the journal is full, before the checkpoint syncs the
         * main file: the commit fails and nothing of it may survive; the commits before it do.
         */
        CHECKPOINT,
        /**
         * Inside {@code DB.commit()}, when the journal is full, after the checkpoint synced the
         * main file and before the journal's next lap starts: as {@link #CHECKPOINT}.
         */
        NEW_LAP,
        /**
         * Inside {@code DB.commit()}, before the redo journal record is written and synced (and
         * after a checkpoint, if the commit makes one): the commit fails and nothing of it may
         * survive, not even after a restart.
         */
        JOURNAL_WRITE,
        /**
         * Inside {@code DB.commit()}, after the journal record was synced, while the main file is
         * written: the commit is durable already, and reopening the files must complete it.
         */
        MAIN_APPLY
    }

    StoreFaults NONE = new StoreFaults() {
    };

    /**
     * Called at each point of each commit.
     *
     * @throws IOException to make the commit fail there
     */
    default void at(Point point) throws IOException {
    }

    /**
     * Called on the writer thread right after DB commit number {@code commitNumber} (counted from
     * 1 per open store) returned, before the operations' stages complete.
     *
     * @param operations the operations that went into it (the objects passed to {@code commit}
     *                   or the store's own record for {@code startEpoch}), rejected ones excluded
     */
    default void committed(long commitNumber, List<Object> operations) {
    }
}
