package io.imr.store.mapdb;

/**
 * A store that makes its commits durable by syncing its files, and counts those syncs (what
 * {@code imr.store.syncs} reports, e.g. for syncs per thousand messages). Both MapDB stores are
 * one; a store of another kind may not sync at all, which is why this is not part of the store SPI.
 *
 * <p>Counted: every {@code FileChannel.force} the store made on its files since it was opened
 * (one per call; on Linux an {@code fdatasync}, or an {@code fsync} for the directory), that is:
 * <ul>
 *   <li>per durable commit, two: the redo journal's record, then the main file once the record is
 *       applied to it. A commit is one group of operations (see {@link MapDbClientStore} and
 *       {@link MapDbServerStore}), however many messages it holds;</li>
 *   <li>at open: when the store is created, the syncs of building its file under a temporary name
 *       and the sync of the directory after renaming it into place; when the files are opened
 *       (also again after a failed commit), the main file and the journal if the journal held a
 *       record to apply; and the commit that records the opening (the client's incarnation, the
 *       server's generation).</li>
 * </ul>
 * Not counted: syncs that threw, and syncs the operating system makes on its own. Closing a store
 * syncs nothing. Measured with {@code strace -f -e trace=fsync,fdatasync}: 2 per commit on each
 * store; 9 to create and open a store, 4 to reopen one that was closed cleanly (the last commit's
 * journal record is applied again, 2, then the opening's commit, 2).
 */
public interface SyncingStore {

    /** The syncs this store made since it was opened, counting those of opening it; thread-safe, cheap. */
    long syncs();
}
