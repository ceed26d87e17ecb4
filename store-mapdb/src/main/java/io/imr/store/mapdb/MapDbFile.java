package io.imr.store.mapdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mapdb.CC;
import org.mapdb.DB;
import org.mapdb.StoreDirect;
import org.mapdb.volume.Volume;
import org.mapdb.volume.VolumeFactory;

/**
 * One open MapDB database file: MapDB's direct store ({@code StoreDirect}, what
 * {@code DBMaker.fileDB(..)} builds without transactions) over our {@link JournaledVolume}, which
 * makes it transactional: it holds a transaction's pages until the commit, journals what they
 * change and syncs the journal, so each commit is atomic across a crash (see {@link RedoJournal}).
 *
 * <p>Why not MapDB's own transactions ({@code StoreWAL})? Its log is never replayed after a crash
 * (see {@link RedoJournal}), so it cannot be trusted alone, and on top of our journal it made each
 * commit copy and checksum MapDB's 32 KiB head and copy every record twice: a single-message
 * commit cost its writer about 0.4 ms of CPU. Both build the same file format, so a file written
 * by either opens with the other.
 *
 * <p>We assemble the store ourselves instead of using {@code DBMaker}, because {@code DBMaker}
 * cannot be given a volume factory. MapDB's header checksum is off: the volume keeps it
 * ({@link HeadChecksum}).
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
        return open(path, faults, discardFrom, journalBytes, DEFAULT_CACHE_BYTES, syncs);
    }

    /** The memory a file's {@link PageCache} takes by default: 16 MiB. */
    static final long DEFAULT_CACHE_BYTES = 16L << 20;

    /**
     * As {@link #open(Path, StoreFaults, long, long, SyncCounter)}, keeping up to
     * {@code cacheBytes} of the file's pages in memory.
     */
    static MapDbFile open(Path path, StoreFaults faults, long discardFrom, long journalBytes, long cacheBytes,
                          SyncCounter syncs) throws IOException {
        RedoJournal journal = RedoJournal.open(path, discardFrom, journalBytes, syncs);
        boolean existed = Files.exists(path) && Files.size(path) > 0;
        JournaledVolume volume = null;
        try {
            volume = new JournaledVolume(path, journal, faults, syncs, cacheBytes);
            Factory factory = new Factory(path.toString(), volume, existed);
            // file, volumes, read-only, lock wait, thread-safe, segments, allocation step, start size,
            // delete after close, delete after open, record checksums, header checksum, its bypass
            StoreDirect store = new StoreDirect(path.toString(), factory, false, 0L, true, CC.STORE_DIRECT_CONC_SHIFT,
                    CC.PAGE_SIZE, 0L, false, false, false, false, false, false);
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

    /**
     * Discards the open transaction's changes to the file. MapDB's in-memory state (its index
     * page list, say) may still reflect them: close and reopen.
     */
    void rollback() {
        volume.discard();
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

    /** Hands MapDB our volume for the database file, the only one {@code StoreDirect} asks for. */
    private static final class Factory extends VolumeFactory {
        private final String mainFile;
        private final Volume main;
        private final boolean mainExists;

        Factory(String mainFile, Volume main, boolean mainExists) {
            this.mainFile = mainFile;
            this.main = main;
            this.mainExists = mainExists;
        }

        @Override
        public Volume makeVolume(String file, boolean readOnly, long fileLockWait, int sliceShift, long initSize,
                                 boolean fixedSize) {
            if (!mainFile.equals(file)) {
                throw new IllegalArgumentException("MapDB asked for a volume of " + file + ", not of its file " + mainFile);
            }
            return main;
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
