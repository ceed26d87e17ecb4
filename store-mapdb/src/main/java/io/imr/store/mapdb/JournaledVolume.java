package io.imr.store.mapdb;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mapdb.DBException;
import org.mapdb.DataInput2;
import org.mapdb.volume.Volume;

/**
 * The main database file as MapDB sees it, with the {@link RedoJournal} in front of every write.
 * It owns the main file's channel, a transaction's changed pages, the cache of committed pages,
 * MapDB's header checksum and the checkpoints.
 *
 * <p>MapDB's {@code StoreDirect} writes in place and ends a commit with {@link #sync()}. Its
 * writes go to copies of the 4 KiB pages they touch, held until then ({@code dirty}); reads see
 * them. {@code sync()} compares each changed page with its committed content and keeps only the
 * runs of bytes that differ ({@link ChangedRuns}), appends them to the journal as one record and
 * syncs it (the commit point, the only sync of a commit), writes them into the file without
 * syncing it, and keeps the new pages in the {@link PageCache}. A transaction that is not synced
 * leaves the file and the cache untouched: {@link #discard()} drops it. When the journal is full,
 * {@code sync()} first makes a checkpoint: it syncs the main file and starts the journal's next lap.
 *
 * <p>Committed pages are read from the {@link PageCache}, a page at a time from the file on a
 * miss, so a B-tree lookup costs no system call once its pages are cached. The region the file
 * has grown by and no commit has written yet is known to be zeros and is never read.
 *
 * <p>MapDB's header checksum (the int at offset 20) is kept by a {@link HeadChecksum}: MapDB runs
 * with it off and sees the store header as it expects it then, while the file holds the header
 * and the checksum MapDB writes with it on.
 *
 * <p>A file channel is used, as with MapDB's {@code fileChannelEnable()}: it has no global lock,
 * unlike {@code RandomAccessFile}. A channel is closed by the JDK when a thread doing I/O on it is
 * interrupted, which would break the store for every thread; so each operation runs with the
 * caller's interrupt status cleared (and restored after), and a channel closed by another
 * thread's interrupt is reopened and the operation retried.
 *
 * <p>Writes come from the store's writer thread only; reads from any thread, never during a
 * transaction of the writer: the store's lock sees to that, and the volume relies on it, since a
 * commit reuses the arrays of pages it replaced (see {@code spare}).
 */
final class JournaledVolume extends Volume {

    private static final int SHIFT = PageCache.PAGE_SHIFT;
    private static final int PAGE = PageCache.PAGE;
    private static final long MASK = PAGE - 1;
    /** Growth step of the file, as MapDB's own volumes (1 MiB). */
    private static final long GROWTH = 1L << 20;
    /**
     * Zeros to grow the file with, a whole growth step in one write: a write that extends the file
     * costs the kernel far more than its bytes (measured with {@code strace -T} in a saturated server:
     * 530 µs per 64 KiB write that grew the file, 176 µs per 820 KiB checkpoint write inside it).
     * Direct, so that the channel writes it without a copy.
     */
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect((int) GROWTH).asReadOnlyBuffer();
    /** Consecutive pages a checkpoint writes in one call. */
    private static final int PAGES_PER_WRITE = 256;
    /** The most spare page arrays kept: 1 MiB, a hundred one-message commits' worth. */
    private static final int MAX_SPARE = 256;
    /** Shared, never written: the content of a page known to be zeros. */
    private static final byte[] ZERO_PAGE = new byte[PAGE];
    private static final int RETRIES = 3;

    /** A page changed by the open transaction: its committed content and the changed copy. */
    private record Dirty(byte[] before, byte[] after) {
    }

    private final Path path;
    private final RedoJournal journal;
    private final StoreFaults faults;
    private final SyncCounter syncs;
    private final Object channelLock = new Object();
    /** Where a checkpoint gathers consecutive pages for one write (only the committing thread checkpoints). */
    private final ByteBuffer checkpointBuffer = ByteBuffer.allocateDirect(PAGES_PER_WRITE * PAGE);
    private volatile FileChannel channel;
    private FileLock fileLock;
    private volatile long size;

    private final PageCache cache;
    /** The open transaction's pages; guarded by itself. */
    private final Map<Long, Dirty> dirty = new HashMap<>();
    /**
     * Pages committed (their records synced in the journal) but not yet written into the main
     * file, which only a checkpoint does; guarded by {@link #dirty}.
     */
    private final Map<Long, byte[]> unwritten = new HashMap<>();
    /** The most pages {@link #unwritten} holds before a commit makes a checkpoint first. */
    private final int maxUnwritten;
    /**
     * Page arrays nothing refers to any more, for the next transaction's copies; guarded by {@link #dirty}.
     * A commit copies each page it touches, so without reuse a commit of one message allocates about ten
     * 4 KiB arrays, and the newest copy of each hot page lives until the next commit replaces it: half of a
     * server's allocation at 1,000 messages a second, and most of what each young collection copied.
     * Reused arrays are the ones a commit replaced in {@link #unwritten} (never in the cache: pages reach it
     * only at a checkpoint, which empties {@code unwritten}) and the copies of a discarded transaction. No
     * reader holds them: reads run under the store's read lock, never during the writer's commit.
     */
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>();
    private volatile boolean anyDirty;
    /**
     * From here on the file holds only zeros and the cache no page: the region the file grew by
     * and no commit wrote into. Page-aligned, or the file's size.
     */
    private volatile long zeroFrom;
    private HeadChecksum checksum;

    private volatile boolean lastSyncDurable;
    /** Statistics of the last commit's journal record, for tests. */
    private volatile long lastRecordBytes;
    private long checkpoints;
    /** Page copies made into a reused array; guarded by {@link #dirty}. */
    private long reusedPages;

    /**
     * @param cacheBytes how much of the file to keep in memory
     * @param syncs      counts the syncs of the main file (the journal counts its own)
     * @throws DBException.DataCorruption if the file's header checksum does not match its head
     */
    JournaledVolume(Path path, RedoJournal journal, StoreFaults faults, SyncCounter syncs, long cacheBytes)
            throws IOException {
        this.path = path;
        this.journal = journal;
        this.faults = faults;
        this.syncs = syncs;
        this.cache = new PageCache(cacheBytes);
        this.maxUnwritten = (int) Math.max(64, Math.min(Integer.MAX_VALUE, cacheBytes >> SHIFT));
        this.channel = openChannel();
        this.size = channel.size();
        this.zeroFrom = size;
        this.checksum = readChecksum();
    }

    /** The checksum of the head as the file holds it, checked against the one stored (as MapDB checks it). */
    private HeadChecksum readChecksum() {
        if (size < HeadChecksum.END) {
            // A new file (its first commit writes the head), or one MapDB refuses as too short.
            return HeadChecksum.ofZeros();
        }
        byte[] head = new byte[HeadChecksum.END];
        read(0, head, 0, head.length, false);
        HeadChecksum c = HeadChecksum.of(head);
        boolean mapdbHeader = head[0] != 0;
        int stored = HeadChecksum.getInt(head, HeadChecksum.AT);
        if (mapdbHeader && stored != c.value()) {
            throw new DBException.DataCorruption("the header checksum of " + path + " is " + stored
                    + " but its head sums to " + c.value() + ": the file is damaged");
        }
        return c;
    }

    /** Forgets the outcome of the previous commit; call before {@code DB.commit()}. */
    void beginCommit() {
        lastSyncDurable = false;
    }

    /**
     * Whether the journal record of the commit begun last was synced. If a commit failed after
     * that, it is durable nonetheless: reopening the database applies it.
     */
    boolean commitWasDurable() {
        return lastSyncDurable;
    }

    /**
     * The sequence number of the first journal record that may belong to the commit under way:
     * if that commit failed before it was durable, the journal must be reopened discarding records
     * from here on.
     */
    long firstUnconfirmedRecord() {
        return journal.nextSequence();
    }

    /** The bytes of the journal record the last commit wrote (0 if it changed nothing). */
    long lastRecordBytes() {
        return lastRecordBytes;
    }

    /** The page copies made into a reused array since the file was opened; for tests. */
    long reusedPages() {
        synchronized (dirty) {
            return reusedPages;
        }
    }

    /** The checkpoints made since the file was opened. */
    long checkpoints() {
        return checkpoints;
    }

    /** The cache of committed pages, for tests. */
    PageCache cache() {
        return cache;
    }

    /** Whether {@code more} pages would make more unwritten pages than the limit allows. */
    private boolean unwrittenFull(int more) {
        synchronized (dirty) {
            return unwritten.size() + more > maxUnwritten;
        }
    }

    /** Drops the open transaction's changes: the file and the cache keep the last commit. */
    void discard() {
        synchronized (dirty) {
            for (Dirty d : dirty.values()) {
                recycle(d.after());
            }
            dirty.clear();
            anyDirty = false;
        }
    }

    /** Keeps an array nothing refers to any more for a later copy; under {@link #dirty}. */
    private void recycle(byte[] page) {
        if (page != ZERO_PAGE && page.length == PAGE && spare.size() < MAX_SPARE) {
            spare.push(page);
        }
    }

    /**
     * Makes the open transaction durable: journals the bytes it changes, syncs the journal, then
     * writes them into the main file (unsynced). A transaction that changes no byte writes nothing.
     */
    @Override
    public void sync() {
        List<Map.Entry<Long, Dirty>> pages;
        synchronized (dirty) {
            if (dirty.isEmpty()) {
                // Everything written so far is in the journal, synced: nothing to make durable.
                return;
            }
            pages = new ArrayList<>(dirty.entrySet());
        }
        pages.sort(Map.Entry.comparingByKey());
        HeadChecksum next;
        List<RedoJournal.Write> changes;
        try {
            next = checksum.copy();
            for (Map.Entry<Long, Dirty> e : pages) {
                next.pageChanged(e.getKey(), e.getValue().before(), e.getValue().after());
            }
            if (next.value() != checksum.value() || dirty.containsKey(0L)) {
                if (!dirty.containsKey(0L)) {
                    dirtyPage(0);
                    synchronized (dirty) {
                        pages.add(0, Map.entry(0L, dirty.get(0L)));
                    }
                }
                HeadChecksum.storeInFile(pages.get(0).getValue().after(), next);
            }
            changes = new ArrayList<>();
            for (Map.Entry<Long, Dirty> e : pages) {
                ChangedRuns.diff(e.getKey() << SHIFT, e.getValue().before(), e.getValue().after(), changes);
            }
            changes = ChangedRuns.joined(changes);
            if (changes.isEmpty()) {
                lastRecordBytes = 0;
                lastSyncDurable = true;
                discard();
                return;
            }
            long recordBytes = RedoJournal.recordBytes(changes);
            if ((!journal.fits(recordBytes) || unwrittenFull(pages.size())) && !journal.lapEmpty()) {
                checkpoint();
            }
            faults.at(StoreFaults.Point.JOURNAL_WRITE);
            long mainSize = size;
            for (RedoJournal.Write w : changes) {
                mainSize = Math.max(mainSize, w.offset() + w.data().length);
            }
            journal.append(changes, mainSize);
            lastRecordBytes = recordBytes;
        } catch (IOException | RuntimeException e) {
            discard();
            throw new DBException.VolumeIOError("writing the redo journal of " + path + " failed: " + e, e);
        }
        lastSyncDurable = true;
        checksum = next;
        try {
            faults.at(StoreFaults.Point.MAIN_APPLY);
        } catch (IOException e) {
            throw new DBException.VolumeIOError("applying a synced commit to " + path + " failed: " + e, e);
        } finally {
            synchronized (dirty) {
                long newZeroFrom = zeroFrom;
                for (Map.Entry<Long, Dirty> e : pages) {
                    byte[] replaced = unwritten.put(e.getKey(), e.getValue().after());
                    // The copy now belongs to unwritten: a discard (after an Error here, say) must not recycle it.
                    dirty.remove(e.getKey());
                    if (replaced != null) {
                        recycle(replaced);
                    }
                    newZeroFrom = Math.max(newZeroFrom, (e.getKey() + 1) << SHIFT);
                }
                zeroFrom = newZeroFrom;
                anyDirty = !dirty.isEmpty();
            }
        }
    }

    /**
     * Writes the pages committed since the last checkpoint into the main file and syncs it (now
     * it holds every record of the journal's lap, which are needed no more), then starts the
     * journal's next lap.
     */
    private void checkpoint() throws IOException {
        checkpoint(faults);
    }

    private void checkpoint(StoreFaults faults) throws IOException {
        faults.at(StoreFaults.Point.CHECKPOINT);
        List<Map.Entry<Long, byte[]>> pages;
        synchronized (dirty) {
            pages = new ArrayList<>(unwritten.entrySet());
        }
        pages.sort(Map.Entry.comparingByKey());
        int i = 0;
        while (i < pages.size()) {
            // Consecutive pages go in one write.
            int j = i + 1;
            while (j < pages.size() && pages.get(j).getKey() == pages.get(j - 1).getKey() + 1
                    && j - i < PAGES_PER_WRITE) {
                j++;
            }
            long first = pages.get(i).getKey();
            ByteBuffer run = checkpointBuffer.clear();
            for (int k = i; k < j; k++) {
                long start = pages.get(k).getKey() << SHIFT;
                run.put(pages.get(k).getValue(), 0, (int) Math.min(PAGE, Math.max(0, size - start)));
            }
            writeFully(first << SHIFT, run.flip());
            i = j;
        }
        io(ch -> {
            syncs.force(ch, false);
            return null;
        });
        synchronized (dirty) {
            for (Map.Entry<Long, byte[]> e : pages) {
                cache.put(e.getKey(), e.getValue());
            }
            unwritten.clear();
        }
        faults.at(StoreFaults.Point.NEW_LAP);
        journal.startLap();
        checkpoints++;
    }

    @Override
    public void putLong(long offset, long value) {
        int in = (int) (offset & MASK);
        if (in <= PAGE - 8) {
            byte[] p = dirtyPage(offset >>> SHIFT);
            for (int i = 7; i >= 0; i--) {
                p[in + i] = (byte) value;
                value >>>= 8;
            }
        } else {
            write(offset, ByteBuffer.allocate(8).putLong(value).array(), 0, 8);
        }
    }

    @Override
    public void putInt(long offset, int value) {
        int in = (int) (offset & MASK);
        if (in <= PAGE - 4) {
            HeadChecksum.putInt(dirtyPage(offset >>> SHIFT), in, value);
        } else {
            write(offset, ByteBuffer.allocate(4).putInt(value).array(), 0, 4);
        }
    }

    @Override
    public void putByte(long offset, byte value) {
        dirtyPage(offset >>> SHIFT)[(int) (offset & MASK)] = value;
    }

    @Override
    public void putData(long offset, byte[] src, int srcPos, int srcSize) {
        write(offset, src, srcPos, srcSize);
    }

    @Override
    public void putData(long offset, ByteBuffer buf) {
        byte[] copy = new byte[buf.remaining()];
        buf.duplicate().get(copy);
        write(offset, copy, 0, copy.length);
    }

    @Override
    public void clear(long startOffset, long endOffset) {
        long at = startOffset;
        while (at < endOffset) {
            long page = at >>> SHIFT;
            int in = (int) (at & MASK);
            int n = (int) Math.min(endOffset - at, PAGE - in);
            if (!knownZero(page)) {
                Arrays.fill(dirtyPage(page), in, in + n, (byte) 0);
            }
            at += n;
        }
    }

    /** Whether the page holds zeros only and the transaction has not changed it. */
    private boolean knownZero(long page) {
        if ((page << SHIFT) < zeroFrom) {
            return false;
        }
        synchronized (dirty) {
            return !dirty.containsKey(page);
        }
    }

    /**
     * Grows the file with real zeros, not a hole, so that a full disk shows up here, before the
     * commit point, rather than while a synced journal record is being applied.
     */
    @Override
    public void ensureAvailable(long offset) {
        if (offset <= size) {
            return;
        }
        synchronized (channelLock) {
            long target = ((offset + GROWTH - 1) / GROWTH) * GROWTH;
            long at = size;
            while (at < target) {
                int n = (int) Math.min(ZEROS.capacity(), target - at);
                writeFully(at, ZEROS.duplicate().limit(n));
                at += n;
            }
            size = target;
        }
    }

    @Override
    public void truncate(long newSize) {
        io(ch -> {
            ch.truncate(newSize);
            return null;
        });
        size = newSize;
        cache.dropFrom(newSize >>> SHIFT);
        synchronized (dirty) {
            unwritten.keySet().removeIf(p -> p >= newSize >>> SHIFT);
        }
        zeroFrom = Math.min(zeroFrom, newSize);
    }

    @Override
    public long getLong(long offset) {
        int in = (int) (offset & MASK);
        if (in <= PAGE - 8 && !overlapsStoreHeader(offset, 8)) {
            byte[] p = page(offset >>> SHIFT);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (p[in + i] & 0xFF);
            }
            return v;
        }
        return ByteBuffer.wrap(read(offset, 8)).getLong();
    }

    @Override
    public int getInt(long offset) {
        int in = (int) (offset & MASK);
        if (in <= PAGE - 4 && !overlapsStoreHeader(offset, 4)) {
            return HeadChecksum.getInt(page(offset >>> SHIFT), in);
        }
        return ByteBuffer.wrap(read(offset, 4)).getInt();
    }

    @Override
    public byte getByte(long offset) {
        if (overlapsStoreHeader(offset, 1)) {
            return read(offset, 1)[0];
        }
        return page(offset >>> SHIFT)[(int) (offset & MASK)];
    }

    @Override
    public DataInput2 getDataInput(long offset, int length) {
        return new DataInput2.ByteArray(read(offset, length));
    }

    @Override
    public void getData(long offset, byte[] bytes, int bytesPos, int length) {
        read(offset, bytes, bytesPos, length, true);
    }

    /**
     * Closes the file, first writing the pages committed since the last checkpoint into it (a
     * checkpoint), so that a store closed cleanly needs no journal to be whole. If that fails, the
     * journal still holds them, and the next open applies it.
     */
    @Override
    public void close() {
        discard();
        if (isClosed()) {
            return;
        }
        boolean pending;
        synchronized (dirty) {
            pending = !unwritten.isEmpty();
        }
        if (pending) {
            try {
                checkpoint(StoreFaults.NONE);
            } catch (IOException | RuntimeException e) {
                // The journal holds every page not written; reopening applies it.
            }
        }
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (channelLock) {
            // The channel must be closed even if the release fails, or a reopen in this JVM
            // would find the file still locked.
            try {
                if (fileLock != null && fileLock.isValid()) {
                    fileLock.release();
                }
            } catch (IOException e) {
                // Closing the channel below releases the lock as well.
            }
            try {
                channel.close();
            } catch (IOException e) {
                throw new DBException.VolumeIOError("closing " + path + " failed: " + e, e);
            }
        }
    }

    @Override
    public int sliceSize() {
        return -1;
    }

    @Override
    public boolean isSliced() {
        return false;
    }

    @Override
    public long length() {
        return size;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public File getFile() {
        return path.toFile();
    }

    @Override
    public boolean getFileLocked() {
        return fileLock != null && fileLock.isValid();
    }

    /**
     * Whether the range touches the store header (offset 16 to 24), which MapDB must see as it
     * is with its header checksum off (see {@link HeadChecksum}).
     */
    private static boolean overlapsStoreHeader(long offset, int length) {
        return offset < HeadChecksum.STORE_HEADER_END && offset + length > HeadChecksum.STORE_HEADER;
    }

    /** The page as the transaction sees it: its changed copy, or its committed content. */
    private byte[] page(long page) {
        if (anyDirty) {
            synchronized (dirty) {
                Dirty d = dirty.get(page);
                if (d != null) {
                    return d.after();
                }
            }
        }
        return committed(page);
    }

    /** The page's committed content, from the cache or the file; never to be changed. */
    private byte[] committed(long page) {
        long start = page << SHIFT;
        if (start >= zeroFrom || start >= size) {
            return ZERO_PAGE;
        }
        byte[] b;
        synchronized (dirty) {
            b = unwritten.get(page);
        }
        if (b == null) {
            b = cache.get(page);
        }
        if (b == null) {
            b = new byte[PAGE];
            readFromFile(start, b, (int) Math.min(PAGE, size - start));
            cache.put(page, b);
        }
        return b;
    }

    /** The transaction's copy of the page, made on its first change. */
    private byte[] dirtyPage(long page) {
        synchronized (dirty) {
            Dirty d = dirty.get(page);
            if (d == null) {
                byte[] before = committed(page);
                byte[] after = spare.poll();
                if (after == null) {
                    after = new byte[PAGE];
                } else {
                    reusedPages++;
                }
                System.arraycopy(before, 0, after, 0, PAGE);
                d = new Dirty(before, after);
                dirty.put(page, d);
                anyDirty = true;
            }
            return d.after();
        }
    }

    private void write(long offset, byte[] src, int from, int length) {
        while (length > 0) {
            int in = (int) (offset & MASK);
            int n = Math.min(length, PAGE - in);
            System.arraycopy(src, from, dirtyPage(offset >>> SHIFT), in, n);
            offset += n;
            from += n;
            length -= n;
        }
    }

    private byte[] read(long offset, int length) {
        byte[] out = new byte[length];
        read(offset, out, 0, length, true);
        return out;
    }

    /**
     * Copies {@code [offset, offset + length)} as the transaction sees it into {@code out}.
     *
     * @param forMapDb whether the store header reads as MapDB must see it (see {@link HeadChecksum})
     */
    private void read(long offset, byte[] out, int outPos, int length, boolean forMapDb) {
        long at = offset;
        int pos = outPos;
        int left = length;
        while (left > 0) {
            int in = (int) (at & MASK);
            int n = Math.min(left, PAGE - in);
            System.arraycopy(page(at >>> SHIFT), in, out, pos, n);
            at += n;
            pos += n;
            left -= n;
        }
        if (forMapDb && overlapsStoreHeader(offset, length)) {
            HeadChecksum.presentToMapDb(offset, out, outPos, length);
        }
    }

    /** Reads {@code length} bytes of the file at {@code offset} into {@code out}, from the file itself. */
    private void readFromFile(long offset, byte[] out, int length) {
        io(ch -> {
            ByteBuffer buf = ByteBuffer.wrap(out, 0, length);
            while (buf.hasRemaining()) {
                int n = ch.read(buf, offset + buf.position());
                if (n < 0) {
                    throw new IOException("read past the end of " + path + " at " + (offset + buf.position()));
                }
            }
            return null;
        });
    }

    /** Writes what remains of the buffer at {@code offset} (from its position each time it is retried). */
    private void writeFully(long offset, ByteBuffer buffer) {
        io(ch -> {
            ByteBuffer buf = buffer.duplicate();
            long at = offset;
            while (buf.hasRemaining()) {
                at += ch.write(buf, at);
            }
            return null;
        });
    }

    private interface ChannelOp<T> {
        T run(FileChannel channel) throws IOException;
    }

    /**
     * Runs one channel operation so that no interrupt can break the channel for others: the
     * calling thread's interrupt status is cleared for the operation and restored after it, and
     * a channel that another thread's interrupt closed meanwhile is reopened and the operation
     * retried.
     */
    private <T> T io(ChannelOp<T> op) {
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 0; ; attempt++) {
                FileChannel ch = channel;
                try {
                    return op.run(ch);
                } catch (ClosedChannelException e) {
                    interrupted |= Thread.interrupted();
                    if (isClosed()) {
                        throw new DBException.VolumeClosed(e);
                    }
                    if (attempt >= RETRIES) {
                        throw new DBException.VolumeIOError(path + ": " + e, e);
                    }
                    reopenChannel(ch);
                } catch (IOException e) {
                    throw new DBException.VolumeIOError(path + ": " + e, e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void reopenChannel(FileChannel broken) {
        synchronized (channelLock) {
            if (channel != broken || isClosed()) {
                return;
            }
            try {
                channel = openChannel();
            } catch (IOException e) {
                throw new DBException.VolumeIOError("reopening " + path + " failed: " + e, e);
            }
        }
    }

    /** Opens the file and takes MapDB's usual lock on it (fails at once if it is held). */
    private FileChannel openChannel() throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                throw new DBException.FileLocked(path, null);
            }
            fileLock = lock;
            return ch;
        } catch (OverlappingFileLockException e) {
            ch.close();
            throw new DBException.FileLocked(path, e);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }
}
