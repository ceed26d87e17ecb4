package io.imr.store.mapdb;

/**
 * A store that makes its commits durable by syncing its files, and counts those syncs (what
 * {@code imr.store.syncs} reports, e.g. for syncs per thousand messages). Both MapDB stores are
 * one; a store of another kind may not sync at all, which is why this is not part of the store SPI.
 *
 * <p>Counted: every {@code FileChannel.force} the store made on its files since it was opened
 * (one per call; on Linux an {@code fdatasync}, or an {@code fsync} for the directory), that is:
 * <ul>
 *   <li>per durable commit, one: the redo journal's record (the main file is written only at checkpoints).
 *       A commit is one group of operations (see {@link MapDbClientStore} and
 *       {@link MapDbServerStore}), however many messages it holds. A commit that changes no byte
 *       (a duplicate only, say) syncs nothing. A commit that finds the journal full first makes a
 *       checkpoint: two more, the main file and the journal's new lap (with the default 4 MiB
 *       journal, about once in 1,000 to 2,000 single-message commits);</li>
 *   <li>at open: when the store is created, the syncs of building its file and journal under
 *       temporary names and the sync of the directory after renaming them into place; when the
 *       files are opened (also again after a failed commit), the main file and the journal's new
 *       lap if the journal held records to apply; and the commit that records the opening (the
 *       client's incarnation, the server's generation).</li>
 * </ul>
 * Not counted: syncs that threw, and syncs the operating system makes on its own. Closing a store
 * makes a checkpoint when it committed anything since the last one (MapDB's file, the journal's
 * new lap: 2). Measured with {@code strace -f -e trace=fsync,fdatasync} and {@code SyncCountTest}:
 * 1 per commit on each store; 9 to create and open a store, 2 to close it, 1 to reopen one that
 * was closed cleanly (its journal holds nothing to apply: the opening's commit).
 */
public interface SyncingStore {

    /** The syncs this store made since it was opened, counting those of opening it; thread-safe, cheap. */
    long syncs();

    /**
     * Calls {@code nanos} with the duration of every sync this store makes from now on, in
     * nanoseconds, on the thread that synced (mostly the store's writer, between its commit and the
     * completion of that commit's operations): it must be quick, never block and be thread-safe; what
     * it throws is ignored, the commit goes on. A sync that throws is not reported. The syncs' durations are the disk's share of every commit,
     * and their tail is what a durable message's latency tail is made of on a busy disk (see
     * {@code docs/performance.md}).
     */
    void observeSyncs(java.util.function.LongConsumer nanos);
}
