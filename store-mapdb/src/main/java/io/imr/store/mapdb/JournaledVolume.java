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
import java.util.ArrayList;
import java.util.List;
import org.mapdb.DBException;
import org.mapdb.DataInput2;
import org.mapdb.volume.Volume;

/**
 * The main database file as MapDB sees it, with the {@link RedoJournal} in front of every write.
 * It owns the main file's channel, the writes of the commit under way, and the checkpoints.
 *
 * <p>MapDB's {@code StoreWAL} writes to its main volume only while it commits (and once when it
 * creates the file), always ending with {@link #sync()}. This volume holds those writes in
 * memory instead of passing them on; {@code sync()} then cuts them down to the bytes they change
 * ({@link ChangedRuns}), appends those to the journal and syncs it (the commit point, the only
 * sync of a commit), and writes them into the file without syncing it. When the journal is full,
 * {@code sync()} first makes a checkpoint: it syncs the main file and starts the journal's next
 * lap. Reads see held writes, should anything read in between. The file's first bytes, which
 * MapDB rewrites on every commit, are kept in a {@link HeadCache}.
 *
 * <p>A file channel is used, as with MapDB's {@code fileChannelEnable()}: it has no global lock,
 * unlike {@code RandomAccessFile}. A channel is closed by the JDK when a thread doing I/O on it is
 * interrupted, which would break the store for every thread; so each operation runs with the
 * caller's interrupt status cleared (and restored after), and a channel closed by another
 * thread's interrupt is reopened and the operation retried.
 */
final class JournaledVolume extends Volume {

    /** Growth step of the file, as MapDB's own volumes (1 MiB). */
    private static final long GROWTH = 1L << 20;
    private static final byte[] ZEROS = new byte[64 * 1024];
    private static final int RETRIES = 3;

    private final Path path;
    private final RedoJournal journal;
    private final StoreFaults faults;
    private final SyncCounter syncs;
    private final Object channelLock = new Object();
    private volatile FileChannel channel;
    private FileLock fileLock;
    private volatile long size;

    /** Writes held until {@link #sync()}; guarded by itself. */
    private final List<RedoJournal.Write> held = new ArrayList<>();
    private volatile boolean anyHeld;
    private volatile boolean lastSyncDurable;
    private final HeadCache head = new HeadCache();
    /** Statistics of the last commit's journal record, for tests. */
    private volatile long lastRecordBytes;
    private long checkpoints;

    /** @param syncs counts the syncs of the main file (the journal counts its own) */
    JournaledVolume(Path path, RedoJournal journal, StoreFaults faults, SyncCounter syncs) throws IOException {
        this.path = path;
        this.journal = journal;
        this.faults = faults;
        this.syncs = syncs;
        this.channel = openChannel();
        this.size = channel.size();
        byte[] first = new byte[(int) Math.min(HeadCache.BYTES, size)];
        readFromFile(0, first, first.length);
        head.written(0, first, 0, first.length, size);
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

    /** The checkpoints made since the file was opened. */
    long checkpoints() {
        return checkpoints;
    }

    /**
     * Makes the held writes durable: journals the bytes they change, syncs the journal, then
     * writes them into the main file (unsynced). A commit that changes no byte writes nothing.
     */
    @Override
    public void sync() {
        List<RedoJournal.Write> writes;
        synchronized (held) {
            writes = List.copyOf(held);
        }
        if (writes.isEmpty()) {
            // Everything written so far is in the journal, synced: nothing to make durable.
            return;
        }
        List<RedoJournal.Write> changes;
        try {
            changes = ChangedRuns.of(writes, this::readCommitted);
            if (changes.isEmpty()) {
                lastRecordBytes = 0;
                lastSyncDurable = true;
                dropHeld();
                return;
            }
            long recordBytes = RedoJournal.recordBytes(changes);
            if (!journal.fits(recordBytes) && !journal.lapEmpty()) {
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
            dropHeld();
            throw new DBException.VolumeIOError("writing the redo journal of " + path + " failed: " + e, e);
        }
        lastSyncDurable = true;
        try {
            faults.at(StoreFaults.Point.MAIN_APPLY);
            for (RedoJournal.Write w : changes) {
                writeFully(w.offset(), w.data());
            }
        } catch (IOException e) {
            throw new DBException.VolumeIOError("applying a synced commit to " + path + " failed: " + e, e);
        } finally {
            dropHeld();
        }
    }

    /**
     * Syncs the main file, which then holds every record of the journal's lap, and starts the
     * journal's next lap.
     */
    private void checkpoint() throws IOException {
        faults.at(StoreFaults.Point.CHECKPOINT);
        io(ch -> {
            syncs.force(ch, false);
            return null;
        });
        faults.at(StoreFaults.Point.NEW_LAP);
        journal.startLap();
        checkpoints++;
    }

    /** What the file holds at {@code offset} before the commit: the head from its copy, the rest read. */
    private int readCommitted(long offset, byte[] out) {
        int n = (int) Math.max(0, Math.min(out.length, size - offset));
        int cached = head.read(offset, out, 0, n);
        if (cached < n) {
            byte[] rest = new byte[n - cached];
            readFromFile(offset + cached, rest, rest.length);
            System.arraycopy(rest, 0, out, cached, rest.length);
        }
        return n;
    }

    @Override
    public void putLong(long offset, long value) {
        hold(offset, ByteBuffer.allocate(8).putLong(value).array());
    }

    @Override
    public void putInt(long offset, int value) {
        hold(offset, ByteBuffer.allocate(4).putInt(value).array());
    }

    @Override
    public void putByte(long offset, byte value) {
        hold(offset, new byte[] {value});
    }

    @Override
    public void putData(long offset, byte[] src, int srcPos, int srcSize) {
        byte[] copy = new byte[srcSize];
        System.arraycopy(src, srcPos, copy, 0, srcSize);
        hold(offset, copy);
    }

    @Override
    public void putData(long offset, ByteBuffer buf) {
        byte[] copy = new byte[buf.remaining()];
        buf.duplicate().get(copy);
        hold(offset, copy);
    }

    @Override
    public void clear(long startOffset, long endOffset) {
        for (long at = startOffset; at < endOffset; at += ZEROS.length) {
            hold(at, new byte[(int) Math.min(ZEROS.length, endOffset - at)]);
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
                int n = (int) Math.min(ZEROS.length, target - at);
                writeFully(at, ZEROS, n);
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
        head.truncated(newSize);
    }

    @Override
    public long getLong(long offset) {
        return ByteBuffer.wrap(read(offset, 8)).getLong();
    }

    @Override
    public int getInt(long offset) {
        return ByteBuffer.wrap(read(offset, 4)).getInt();
    }

    @Override
    public byte getByte(long offset) {
        return read(offset, 1)[0];
    }

    @Override
    public DataInput2 getDataInput(long offset, int length) {
        return new DataInput2.ByteArray(read(offset, length));
    }

    @Override
    public void getData(long offset, byte[] bytes, int bytesPos, int length) {
        System.arraycopy(read(offset, length), 0, bytes, bytesPos, length);
    }

    @Override
    public void close() {
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

    private void hold(long offset, byte[] data) {
        synchronized (held) {
            held.add(new RedoJournal.Write(offset, data));
            anyHeld = true;
        }
    }

    private void dropHeld() {
        synchronized (held) {
            held.clear();
            anyHeld = false;
        }
    }

    private byte[] read(long offset, int length) {
        byte[] out = new byte[length];
        if (!head.holds(offset, length)) {
            // Beyond the end of the file lie only held writes, copied over below.
            int n = anyHeld ? (int) Math.max(0, Math.min(length, size - offset)) : length;
            readFromFile(offset, out, n);
        } else {
            head.read(offset, out, 0, length);
        }
        if (anyHeld) {
            overlayHeld(offset, out);
        }
        return out;
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

    /** Copies held writes over what was read, in the order they were made. */
    private void overlayHeld(long offset, byte[] out) {
        synchronized (held) {
            for (RedoJournal.Write w : held) {
                long from = Math.max(offset, w.offset());
                long to = Math.min(offset + out.length, w.offset() + w.data().length);
                if (from < to) {
                    System.arraycopy(w.data(), (int) (from - w.offset()), out, (int) (from - offset), (int) (to - from));
                }
            }
        }
    }

    private void writeFully(long offset, byte[] data) {
        writeFully(offset, data, data.length);
    }

    private void writeFully(long offset, byte[] data, int length) {
        io(ch -> {
            ByteBuffer buf = ByteBuffer.wrap(data, 0, length);
            while (buf.hasRemaining()) {
                ch.write(buf, offset + buf.position());
            }
            return null;
        });
        if (offset + length > size) {
            size = offset + length;
        }
        head.written(offset, data, 0, length, size);
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
