package io.imr.store.mapdb;

import io.imr.api.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive hold of one process, and one open store in it, on a store directory: an OS lock
 * ({@link FileChannel#tryLock()}) on {@code DIR/imr.lock}, taken before any file of the store is
 * opened or recovered, and held until the store is closed.
 *
 * <p>Why our own file and not MapDB's lock: MapDB locks its database file when it opens it, which
 * is after our redo journal has been replayed into that file; the store's files must be held
 * before that. Our volume still locks the database file too, as MapDB's own volumes do, so a
 * plain MapDB tool cannot open it while we run; the two locks are on different files and do not
 * interfere.
 *
 * <p>Why a set of held directories as well: OS file locks belong to the process, and on Linux
 * closing <em>any</em> channel to a file releases the process's lock on it. A second open of the
 * same directory in this JVM must therefore fail before it touches the lock file, or its failed
 * attempt would silently unlock the first store.
 */
final class StoreLock implements AutoCloseable {

    static final String FILE_NAME = "imr.lock";

    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean released;

    private StoreLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the directory, which must exist.
     *
     * @throws StoreException.LockedException if another process or another open store in this
     *         JVM holds it; nothing was changed
     * @throws StoreException if the lock file cannot be created or locked
     */
    static StoreLock acquire(Path dir) {
        Path key;
        try {
            key = dir.toRealPath();
        } catch (IOException e) {
            throw new StoreException("cannot open store " + dir + ": " + e, e);
        }
        Path file = key.resolve(FILE_NAME);
        if (!HELD.add(key)) {
            throw new StoreException.LockedException("store " + dir + " is in use by another open store in this"
                    + " process (lock file " + file + ")");
        }
        FileChannel channel = null;
        boolean held = false;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new StoreException.LockedException("store " + dir + " is in use by another process ("
                        + holder(channel) + "lock file " + file + ")");
            }
            writePid(channel);
            held = true;
            return new StoreLock(key, channel, lock);
        } catch (OverlappingFileLockException e) {
            throw new StoreException.LockedException("store " + dir + " is in use by another open store in this"
                    + " process (lock file " + file + ")");
        } catch (IOException e) {
            throw new StoreException("cannot lock store " + dir + " (lock file " + file + "): " + e, e);
        } finally {
            if (!held) {
                closeQuietly(channel);
                HELD.remove(key);
            }
        }
    }

    /** Releases the lock. Closing twice does nothing. */
    @Override
    public synchronized void close() {
        if (released) {
            return;
        }
        released = true;
        try {
            lock.release();
        } catch (IOException e) {
            // Closing the channel below releases the lock as well.
        }
        closeQuietly(channel);
        HELD.remove(key);
    }

    /** The pid written by the holder, for the error message; the lock is what counts, not this. */
    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(32);
            channel.read(buf, 0);
            String pid = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
            return pid.matches("[0-9]{1,19}") ? "pid " + pid + ", " : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void writePid(FileChannel channel) throws IOException {
        byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(pid), 0);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing to do: the OS drops the lock with the descriptor.
            }
        }
    }
}
