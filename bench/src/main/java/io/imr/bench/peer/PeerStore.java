package io.imr.bench.peer;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.mapdb.Atomic;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * A peer's receiving device database, set up the way that measured fastest for an honest receiver
 * (measurements: "best honest"): MapDB with {@code transactionEnable()} (its commit syncs twice, as
 * {@code strace} shows), a {@code FileChannel}, one record per committed group with its values outside the
 * B-tree nodes, and group commit: a writer thread commits everything that arrived during the previous commit
 * in one transaction, together with the position reached (a JetStream stream sequence; 0 for MQTT), and only
 * then hands the group to {@link Committed}, which delivers and acknowledges it.
 */
public final class PeerStore implements AutoCloseable {

    /** MapDB's {@code commit()} with {@code transactionEnable()} syncs the write-ahead log and the store file. */
    public static final int SYNCS_PER_COMMIT = 2;
    private static final int MAX_GROUP = 4096;

    /** One received message waiting for its commit. */
    public record Entry(byte[] payload, long position, Object handle) {
    }

    /** What to do after a group committed: deliver it, then acknowledge it. Runs on the writer thread. */
    @FunctionalInterface
    public interface Committed {
        void committed(List<Entry> group) throws Exception;
    }

    private static final Entry STOP = new Entry(new byte[0], -1, null);

    private final DB db;
    private final BTreeMap<Long, byte[]> groups;
    private final Atomic.Long positionRecord;
    private final Committed committed;
    private final LinkedBlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private final Thread writer;
    private volatile long position;
    private volatile Throwable failure;

    private PeerStore(DB db, Committed committed, String name) {
        this.db = db;
        this.committed = committed;
        this.groups = db.treeMap("groups", Serializer.LONG, Serializer.BYTE_ARRAY).valuesOutsideNodesEnable()
                .createOrOpen();
        this.positionRecord = db.atomicLong("position").createOrOpen();
        this.position = positionRecord.get();
        Long last = groups.isEmpty() ? null : groups.lastKey();
        long next = last == null ? 1 : last + 1;
        this.writer = new Thread(() -> write(next), "peer-store-" + name);
        writer.setDaemon(true);
        writer.start();
    }

    /** Opens (or creates) the database in {@code dir} and starts its writer thread. */
    public static PeerStore open(Path dir, Committed committed) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DB db = DBMaker.fileDB(dir.resolve("device.db").toFile()).transactionEnable().fileChannelEnable().make();
        return new PeerStore(db, committed, dir.getFileName().toString());
    }

    /** The highest position committed so far: where a restarted receiver resumes. */
    public long position() {
        return position;
    }

    /** Queues one received message for the next commit. Never blocks. */
    public void add(byte[] payload, long position, Object handle) {
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("the device store failed", f);
        }
        queue.add(new Entry(payload, position, handle));
    }

    public long commits() {
        return commits.get();
    }

    public long syncs() {
        return commits.get() * SYNCS_PER_COMMIT;
    }

    /** Messages committed so far. */
    public long messages() {
        return messages.get();
    }

    private void write(long firstKey) {
        long key = firstKey;
        List<Entry> group = new ArrayList<>();
        try {
            while (true) {
                group.clear();
                group.add(queue.take());
                queue.drainTo(group, MAX_GROUP - 1);
                boolean stop = group.remove(STOP);
                if (!group.isEmpty()) {
                    commit(key++, group);
                    committed.committed(List.copyOf(group));
                }
                if (stop) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void commit(long key, List<Entry> group) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        long reached = position;
        for (Entry e : group) {
            out.writeInt(e.payload().length);
            out.write(e.payload());
            reached = Math.max(reached, e.position());
        }
        groups.put(key, bytes.toByteArray());
        positionRecord.set(reached);
        db.commit();
        position = reached;
        commits.incrementAndGet();
        messages.addAndGet(group.size());
    }

    /** Commits what is queued, stops the writer and closes the database. */
    @Override
    public void close() throws InterruptedException {
        queue.add(STOP);
        writer.join(TimeUnit.SECONDS.toMillis(30));
        db.close();
    }
}
