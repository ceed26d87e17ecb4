package io.imr.store.mapdb;

import io.imr.api.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.mapdb.DB;
import org.mapdb.DBException;

/**
 * The machinery both stores share: one writer thread with group commit over one
 * {@link MapDbFile}, the recovery of a failed commit, reads that see committed data only, and
 * closing. What is stored and how is the {@link Side}'s business.
 *
 * <p><b>Group commit.</b> Operations are queued. The writer takes everything queued (up to
 * {@link StoreOptions}' limits), applies it in order to one MapDB transaction, calls
 * {@code DB.commit()} once, and only then completes the operations' stages. Each operation is
 * checked against the state left by those before it in the group, so one that breaks a rule
 * fails alone with {@link StoreException.RejectedException} and the others still commit.
 *
 * <p><b>Deferrable operations</b> ({@link Side#deferrable}): operations nobody waits for to go on
 * (an outbox removal, a listener's hand-over marker, a device's confirmed watermark) do not get a
 * commit of their own when nothing else is queued: the writer waits up to
 * {@link StoreOptions#deferNanos()} from the oldest of them for an operation that must commit
 * now, and commits them together with it, so they cost no sync of their own. They are as durable
 * as any other once their stage completes; only their completion comes later. At 1,000 sends a
 * second this halves a sender's syncs (every send is enqueued and, once confirmed, removed).
 *
 * <p><b>Completion.</b> Stages complete on a single completion thread of their own, not on the
 * writer: a slow callback then delays other callbacks but never the next commit. A single thread
 * keeps completions in commit order, which the strategies' "commit done" events rely on.
 *
 * <p><b>A failed commit</b> (an I/O error, a full disk, or a bug): the writer rolls MapDB back,
 * closes the files and opens them again, because MapDB's in-memory state after a failed
 * {@code commit()} is not trustworthy, and has the side rebuild everything it keeps in memory
 * from disk, so that nothing half-applied stays visible. Every operation of the group fails with
 * a {@link StoreException}, each on its own stage. Exception: when the failure came after the
 * commit's journal record was synced, the commit is durable and the reopen completes it, so its
 * operations succeed. If reopening fails, reads fail and each later group first retries it.
 *
 * <p><b>Reads</b> take a read lock that the writer holds, exclusively, from the first change of a
 * transaction until its commit or rollback returned: MapDB shows uncommitted changes to every
 * reader, and the SPI promises committed data only.
 *
 * @param <L> the side's view of the open database (its maps)
 */
final class StoreEngine<L> implements AutoCloseable {

    /** What a store does with the engine. */
    interface Side<L> {
        /** Opens the store's maps in a database that was just opened. */
        L bind(DB db);

        /**
         * Rebuilds what the store keeps in memory from committed data. Called once the database
         * is opened, and again after every failed commit.
         */
        void load(L layout);

        /** Starts applying one group to the open transaction. */
        Group begin(L layout);

        /**
         * Whether an operation may wait for the next commit instead of getting one of its own
         * (see the class comment): true only for operations whose late completion holds nobody up.
         */
        default boolean deferrable(Object operation) {
            return false;
        }
    }

    /** One group being applied. */
    interface Group {
        /**
         * Checks an operation against the state left by the operations before it in the group,
         * then applies it to the group's working state (and, if the side wishes, to the open
         * transaction, which the whole group commits or rolls back).
         *
         * @return what its stage completes with once the group is durable
         * @throws StoreException.RejectedException if it breaks a rule; nothing of it was applied
         *         or written
         */
        Object apply(Object operation);

        /** Writes what the applied operations gathered (merged batch records, meta records). */
        void flush();

        /** The group's commit returned: publish what readers see without the lock. */
        void published();
    }

    private static final class Task {
        final Object operation;
        final long weight;
        final boolean deferrable;
        final long queuedAt;
        final CompletableFuture<Object> future = new CompletableFuture<>();
        Object result;
        Throwable failure;

        Task(Object operation, long weight, boolean deferrable) {
            this.operation = operation;
            this.weight = weight;
            this.deferrable = deferrable;
            this.queuedAt = System.nanoTime();
        }

        void complete() {
            if (failure != null) {
                future.completeExceptionally(failure);
            } else {
                future.complete(result);
            }
        }
    }

    private static final Task CLOSE = new Task(null, 0, false);

    private final String name;
    private final Path dbPath;
    private final StoreLock lock;
    private final StoreOptions options;
    private final Side<L> side;
    private final SyncCounter syncs;

    private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    private final LinkedBlockingQueue<Task> queue = new LinkedBlockingQueue<>();
    private final Object submitLock = new Object();
    private final Object closeLock = new Object();
    private final Thread writer;
    private final ExecutorService completions;
    private volatile Thread completionThread;

    /** Null while the store is unusable (reopening after a failure failed). Guarded by {@link #rw}. */
    private MapDbFile file;
    private L layout;
    private volatile Throwable unusable;
    /**
     * The first journal record that may belong to a commit reported failed, which reopening must
     * not apply; {@link RedoJournal#KEEP_ALL} if there is none.
     */
    private long discardFrom = RedoJournal.KEEP_ALL;
    private long commits;

    /** Guarded by {@link #submitLock}. */
    private boolean closing;
    private volatile boolean closed;

    /**
     * Opens the database file (recovering it from its journal) and starts the writer.
     *
     * @param name  "client store DIR" or "server store DIR", for messages
     * @param lock  the held lock of the store's directory, released by {@link #close()} (and here
     *              if opening fails)
     * @param syncs the store's count of syncs, which every file the engine opens adds to
     * @throws StoreException.CorruptException if MapDB finds the file damaged
     * @throws StoreException                  if it cannot be opened
     */
    StoreEngine(String name, Path dbPath, StoreLock lock, StoreOptions options, Side<L> side, SyncCounter syncs) {
        this.name = name;
        this.dbPath = dbPath;
        this.lock = lock;
        this.options = options;
        this.side = side;
        this.syncs = syncs;
        try {
            Throwable failure = reopen(RedoJournal.KEEP_ALL);
            if (failure != null) {
                throw translate("opening", failure);
            }
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        String thread = "imr-" + dbPath.getFileName() + "-" + dbPath.getParent().getFileName();
        completions = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, thread + "-completion");
            t.setDaemon(true);
            completionThread = t;
            return t;
        });
        writer = new Thread(this::runWriter, thread + "-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Queues an operation.
     *
     * @param weight its payload bytes, for the group limit
     * @return its stage, completed on the completion thread once its group is durable; already
     *         failed with {@link StoreException.ClosedException} if the store is closing
     */
    @SuppressWarnings("unchecked")
    <R> CompletionStage<R> submit(Object operation, long weight) {
        Task task = new Task(operation, weight, options.deferNanos() > 0 && side.deferrable(operation));
        synchronized (submitLock) {
            if (closing) {
                return CompletableFuture.failedStage(closedException());
            }
            queue.add(task);
        }
        return (CompletionStage<R>) task.future.minimalCompletionStage();
    }

    /**
     * Runs a read of committed data.
     *
     * @throws StoreException.ClosedException after {@link #close()}
     * @throws StoreException                 on an I/O error, or while the store is unusable
     */
    <T> T read(Function<L, T> reader) {
        rw.readLock().lock();
        try {
            checkUsable();
            return reader.apply(layout);
        } catch (DBException e) {
            throw translate("reading", e);
        } finally {
            rw.readLock().unlock();
        }
    }

    /**
     * Fails unless the store is open and usable; for state kept in memory, which is read without
     * the lock.
     */
    void checkUsable() {
        if (closed) {
            throw closedException();
        }
        Throwable cause = unusable;
        if (cause != null) {
            throw new StoreException(name + " is unavailable: reopening its files after a failed commit failed ("
                    + cause + "); the next commit retries", cause);
        }
    }

    /** Waits for queued operations to finish, then closes the files and releases the lock. Closing twice does nothing. */
    @Override
    public void close() {
        synchronized (closeLock) {
            synchronized (submitLock) {
                if (closing) {
                    return;
                }
                closing = true;
                queue.add(CLOSE);
            }
            boolean interrupted = false;
            while (writer.isAlive()) {
                try {
                    writer.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            IOException closeFailure = null;
            rw.writeLock().lock();
            try {
                closed = true;
                if (file != null) {
                    file.close();
                }
            } catch (IOException | RuntimeException e) {
                closeFailure = e instanceof IOException io ? io : new IOException(e);
            } finally {
                file = null;
                rw.writeLock().unlock();
                lock.close();
            }
            completions.shutdown();
            if (Thread.currentThread() != completionThread) {
                try {
                    completions.awaitTermination(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (closeFailure != null) {
                throw new StoreException("closing " + name + " failed: " + closeFailure
                        + "; its last commits are durable, the next open recovers the files", closeFailure);
            }
        }
    }

    private void runWriter() {
        Task carried = null;
        while (true) {
            Task first = carried != null ? carried : takeFirst();
            carried = null;
            if (first == CLOSE) {
                return;
            }
            List<Task> group = new ArrayList<>();
            group.add(first);
            long bytes = first.weight;
            boolean now = !first.deferrable;
            long deadline = first.queuedAt + options.deferNanos();
            boolean closing = false;
            while (group.size() < options.maxGroupOperations()) {
                Task next = now ? queue.poll() : pollUntil(deadline);
                if (next == null) {
                    break;
                }
                if (next == CLOSE) {
                    closing = true;
                    break;
                }
                if (bytes + next.weight > options.maxGroupBytes()) {
                    carried = next;
                    break;
                }
                group.add(next);
                bytes += next.weight;
                now |= !next.deferrable;
            }
            commitGroup(group);
            List<Task> done = List.copyOf(group);
            completions.execute(() -> done.forEach(Task::complete));
            if (closing) {
                return;
            }
        }
    }

    /** The next queued task, waiting as long as it takes. */
    private Task takeFirst() {
        while (true) {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                // Nobody should interrupt the writer; its channel operations ignore interrupts anyway.
            }
        }
    }

    /** The next queued task, or null once {@code deadline} (System.nanoTime) passed without one. */
    private Task pollUntil(long deadline) {
        while (true) {
            long left = deadline - System.nanoTime();
            try {
                return left <= 0 ? queue.poll() : queue.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                // As in takeFirst.
            }
        }
    }

    /** Applies and commits one group, setting each task's result or failure. Never throws. */
    private void commitGroup(List<Task> group) {
        rw.writeLock().lock();
        try {
            if (file == null && reopen(discardFrom) != null) {
                StoreException e = new StoreException(name + " is unavailable: reopening its files after a failed"
                        + " commit failed (" + unusable + "); nothing of this commit was stored", unusable);
                group.forEach(t -> t.failure = e);
                return;
            }
            List<Object> applied = new ArrayList<>();
            boolean commitStarted = false;
            Throwable failure = null;
            Group g = null;
            try {
                g = side.begin(layout);
                for (Task t : group) {
                    try {
                        t.result = g.apply(t.operation);
                        applied.add(t.operation);
                    } catch (StoreException.RejectedException e) {
                        t.failure = e;
                    }
                }
                if (!applied.isEmpty()) {
                    options.faults().at(StoreFaults.Point.BEFORE_APPLY);
                    g.flush();
                    options.faults().at(StoreFaults.Point.AFTER_APPLY);
                    commitStarted = true;
                    file.commit();
                }
            } catch (Throwable e) {
                failure = e;
            }
            if (failure == null) {
                g.published();
            } else {
                boolean durable = commitStarted && file.commitWasDurable();
                recoverFrom(failure, durable);
                if (!durable) {
                    StoreException e = new StoreException("commit to " + name + " failed, nothing of it was stored: "
                            + failure, failure);
                    group.stream().filter(t -> t.failure == null).forEach(t -> {
                        t.result = null;
                        t.failure = e;
                    });
                    return;
                }
            }
            if (!applied.isEmpty()) {
                commits++;
                options.faults().committed(commits, applied);
            }
        } finally {
            rw.writeLock().unlock();
        }
    }

    /**
     * After a failed commit: roll MapDB back, close the files and open them again (MapDB's
     * in-memory state is not to be trusted after a failed commit), then rebuild the side's memory.
     */
    private void recoverFrom(Throwable failure, boolean durable) {
        long discard = durable ? RedoJournal.KEEP_ALL : file.firstUnconfirmedRecord();
        try {
            file.rollback();
        } catch (Throwable e) {
            failure.addSuppressed(e);
        }
        try {
            file.close();
        } catch (Throwable e) {
            failure.addSuppressed(e);
        }
        file = null;
        layout = null;
        reopen(discard);
    }

    /** Opens the files and loads the side; returns null, or the failure (then the store is unusable). */
    private Throwable reopen(long discard) {
        discardFrom = discard;
        MapDbFile opened = null;
        try {
            opened = MapDbFile.open(dbPath, options.faults(), discard, options.journalBytes(), syncs);
            L bound = side.bind(opened.db());
            side.load(bound);
            file = opened;
            layout = bound;
            discardFrom = RedoJournal.KEEP_ALL;
            unusable = null;
            return null;
        } catch (Throwable e) {
            if (opened != null) {
                try {
                    opened.close();
                } catch (Throwable suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            unusable = e;
            return e;
        }
    }

    private StoreException.ClosedException closedException() {
        return new StoreException.ClosedException(name + " is closed");
    }

    private StoreException translate(String doing, Throwable e) {
        if (e instanceof StoreException se) {
            return se;
        }
        if (e instanceof DBException.DataCorruption || e instanceof DBException.PointerChecksumBroken) {
            return new StoreException.CorruptException(doing + " " + name + " failed, its database file is damaged: "
                    + e, e);
        }
        return new StoreException(doing + " " + name + " failed: " + e, e);
    }
}
