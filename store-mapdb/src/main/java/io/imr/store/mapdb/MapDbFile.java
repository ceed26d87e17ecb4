package io.imr.store.mapdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mapdb.CC;
import org.mapdb.DB;
import org.mapdb.StoreWAL;
import org.mapdb.volume.Volume;
import org.mapdb.volume.VolumeFactory;

/**
 * One open MapDB database file: MapDB's transactional store ({@code StoreWAL}, what
 * {@code DBMaker.fileDB(..).transactionEnable()} builds) over our {@link JournaledVolume}.
 *
 * <p>We assemble the store ourselves instead of using {@code DBMaker}, because {@code DBMaker}
 * cannot be given a volume factory. Ours gives MapDB two kinds of volume:
 * <ul>
 *   <li>the main file: a {@link JournaledVolume}, which makes each commit atomic across a crash
 *       through our redo journal;</li>
 *   <li>MapDB's own write-ahead log files ({@code <db>.wal.N}): kept in memory. MapDB 3.1.0
 *       never reads them back after a crash (see {@link RedoJournal}); it only uses them to hold a
 *       transaction's records until commit. On disk they cost a file creation, writes, an fsync
 *       and a deletion per commit for nothing. In memory they hold at most one transaction, which
 *       the writer bounds by its group limits.</li>
 * </ul>
 */
final class MapDbFile implements AutoCloseable {

    private final Path path;
    private final DB db;
    private final JournaledVolume volume;
    private final RedoJournal journal;

    private MapDbFile(Path path, DB db, JournaledVolume volume, RedoJournal journal) {
        this.path = path;
        this.db = db;
        this.volume = volume;
        this.journal = journal;
    }

    /**
     * Recovers the file from its journal, then opens it (creating it if missing).
     *
     * @param discardFrom  the first journal record not to apply, {@link RedoJournal#KEEP_ALL} but
     *                     after a commit of this process failed before it was durable (see
     *                     {@link #firstUnconfirmedRecord()} and {@link RedoJournal#open})
     * @param journalBytes the journal's size
     * @param syncs        counts every sync of the file and its journal, from recovery on
     * @throws IOException            if recovery or opening failed
     * @throws org.mapdb.DBException  if MapDB found the file damaged
     */
    static MapDbFile open(Path path, StoreFaults faults, long discardFrom, long journalBytes, SyncCounter syncs)
            throws IOException {
        RedoJournal journal = RedoJournal.open(path, discardFrom, journalBytes, syncs);
        boolean existed = Files.exists(path) && Files.size(path) > 0;
        JournaledVolume volume = null;
        try {
            volume = new JournaledVolume(path, journal, faults, syncs);
            Factory factory = new Factory(path.toString(), volume, existed);
            StoreWAL store = new StoreWAL(path.toString(), factory, 0L, true, CC.STORE_DIRECT_CONC_SHIFT, 0L, 0L,
                    false, false, false, true, false);
            DB db = new DB(store, existed, true, MapDbFile.class.getClassLoader(), 0);
            return new MapDbFile(path, db, volume, journal);
        } catch (IOException | RuntimeException e) {
            if (volume != null) {
                try {
                    volume.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            journal.close();
            throw e;
        }
    }

    DB db() {
        return db;
    }

    Path path() {
        return path;
    }

    /**
     * Commits MapDB's transaction durably.
     *
     * @return normally only once the commit's journal record is synced
     * @throws org.mapdb.DBException if it failed; then {@link #commitWasDurable()} tells whether
     *         the commit is nonetheless durable (its journal record was synced)
     */
    void commit() {
        volume.beginCommit();
        db.commit();
    }

    boolean commitWasDurable() {
        return volume.commitWasDurable();
    }

    /**
     * The first journal record that may belong to the commit under way: what to reopen the file
     * with as {@code discardFrom} if that commit failed before it was durable.
     */
    long firstUnconfirmedRecord() {
        return volume.firstUnconfirmedRecord();
    }

    /** The volume under MapDB, for tests that look at what a commit journaled. */
    JournaledVolume volume() {
        return volume;
    }

    /** The journal, for tests. */
    RedoJournal journal() {
        return journal;
    }

    /** Discards the open transaction. MapDB's in-memory state may still be inconsistent after a failed commit: close and reopen. */
    void rollback() {
        db.rollback();
    }

    /** Closes MapDB and the journal; uncommitted changes are lost, which is what a failed commit needs. */
    @Override
    public void close() throws IOException {
        try {
            db.close();
        } finally {
            journal.close();
        }
    }

    /**
     * Hands MapDB our main volume for the database file and memory volumes for its write-ahead log,
     * whose slices are recycled ({@link WalVolume}: a fresh log volume per commit cost a small
     * commit most of its CPU).
     */
    private static final class Factory extends VolumeFactory {
        private final String mainFile;
        private final Volume main;
        private final boolean mainExists;
        /** A commit's log rarely needs more than two slices; four cover a large one without allocating. */
        private final WalVolume.Slices walSlices = new WalVolume.Slices(4);

        Factory(String mainFile, Volume main, boolean mainExists) {
            this.mainFile = mainFile;
            this.main = main;
            this.mainExists = mainExists;
        }

        @Override
        public Volume makeVolume(String file, boolean readOnly, long fileLockWait, int sliceShift, long initSize,
                                 boolean fixedSize) {
            return mainFile.equals(file) ? main : new WalVolume(walSlices);
        }

        @Override
        public boolean exists(String file) {
            return mainFile.equals(file) && mainExists;
        }

        @Override
        public boolean handlesReadonly() {
            return false;
        }
    }
}
