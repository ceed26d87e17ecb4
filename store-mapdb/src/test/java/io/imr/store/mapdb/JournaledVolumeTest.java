package io.imr.store.mapdb;

import static io.imr.store.mapdb.TestData.await;
import static io.imr.store.mapdb.TestData.failureOf;
import static io.imr.store.mapdb.TestData.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.Message;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mapdb.BTreeMap;
import org.mapdb.Serializer;

/**
 * MapDB files and stores over the journal: what a commit journals, recovery from the disk states
 * a power loss can leave, failures in a checkpoint, and a store of the journal's first format.
 *
 * <p>A power loss is modelled on the files themselves: the journal as synced, and the main file
 * as the last checkpoint left it with any subset of the 4 KiB pages written since (the main file
 * is not synced between checkpoints, so the disk may hold any of them).
 */
@DisplayName("A MapDB file over the redo journal")
class JournaledVolumeTest {

    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    private static MapDbFile open(Path db, long journalBytes) throws IOException {
        return MapDbFile.open(db, StoreFaults.NONE, RedoJournal.KEEP_ALL, journalBytes, new SyncCounter());
    }

    private static BTreeMap<Long, byte[]> map(MapDbFile file) {
        return file.db().treeMap("m", Serializer.LONG, Serializer.BYTE_ARRAY).createOrOpen();
    }

    private static byte[] value(long key) {
        byte[] b = new byte[100];
        new SplittableRandom(key).nextBytes(b);
        return b;
    }

    @Test
    @DisplayName("a commit that rewrote MapDB's head region journals only the bytes it changed")
    void journalsOnlyChangedBytes() throws IOException {
        Path db = dir.resolve("x.db");
        try (MapDbFile file = open(db, RedoJournal.DEFAULT_BYTES)) {
            BTreeMap<Long, byte[]> m = map(file);
            for (long k = 0; k < 50; k++) {
                m.put(k, value(k));
                file.commit();
            }
            m.put(50L, value(50));
            file.commit();
            long recordBytes = file.volume().lastRecordBytes();
            List<RedoJournal.Entry> records = RedoJournal.readLap(RedoJournal.pathFor(db)).records();
            RedoJournal.Entry last = records.get(records.size() - 1);
            List<RedoJournal.Write> inHead = last.writes().stream().filter(w -> w.offset() < 32_864).toList();
            assertThat(inHead).as("some bytes of the head changed").isNotEmpty();
            assertThat(inHead.stream().mapToInt(w -> w.data().length).sum())
                    .as("bytes journaled of the 32,864-byte head MapDB wrote").isLessThan(256);
            // The head alone is 32,864 bytes; a new B-tree leaf with 51 values of 100 bytes some 5 KiB.
            assertThat(recordBytes).as("the record of one put").isLessThan(8 * 1024);
            assertThat(RedoJournal.recordBytes(last.writes())).isEqualTo(recordBytes);
        }
    }

    @Test
    @DisplayName("commits go to the journal only; a checkpoint, or closing, writes their pages into the main file")
    void mainFileWrittenAtCheckpoints() throws IOException {
        Path db = dir.resolve("x.db");
        byte[] atOpen;
        try (MapDbFile file = open(db, RedoJournal.DEFAULT_BYTES)) {
            map(file);
            file.commit();
        }
        atOpen = Files.readAllBytes(db);
        try (MapDbFile file = open(db, RedoJournal.DEFAULT_BYTES)) {
            BTreeMap<Long, byte[]> m = map(file);
            for (long k = 0; k < 100; k++) {
                m.put(k, value(k));
                file.commit();
            }
            assertThat(file.volume().checkpoints()).isZero();
            assertThat(Files.readAllBytes(db)).as("the main file between checkpoints").isEqualTo(atOpen);
            assertThat(m.get(42L)).as("reads see the commits").isEqualTo(value(42));
        }
        assertThat(Files.readAllBytes(db)).as("closing made a checkpoint").isNotEqualTo(atOpen);
        try (MapDbFile file = open(db, RedoJournal.DEFAULT_BYTES)) {
            assertThat(file.journal().recovered()).as("nothing left to apply").isZero();
            assertThat(map(file).size()).isEqualTo(100);
        }
    }

    @Test
    @DisplayName("a transaction dropped before its commit leaves the main file and the journal as they were")
    void droppedTransaction() throws IOException {
        Path db = dir.resolve("x.db");
        Path journal = RedoJournal.pathFor(db);
        try (MapDbFile file = open(db, RedoJournal.DEFAULT_BYTES)) {
            BTreeMap<Long, byte[]> m = map(file);
            for (long k = 0; k < 10; k++) {
                m.put(k, value(k));
            }
            file.commit();
            byte[] main = Files.readAllBytes(db);
            byte[] journalBytes = Files.readAllBytes(journal);
            for (long k = 10; k < 2000; k++) {
                m.put(k, value(k));
            }
            m.remove(3L);
            assertThat(m.get(1500L)).as("the transaction sees its own changes").isEqualTo(value(1500));
            file.rollback();
            assertThat(Files.readAllBytes(db)).isEqualTo(main);
            assertThat(Files.readAllBytes(journal)).isEqualTo(journalBytes);
        }
        try (MapDbFile file = open(db, RedoJournal.DEFAULT_BYTES)) {
            BTreeMap<Long, byte[]> m = map(file);
            assertThat(m.keySet()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(m.get(3L)).isEqualTo(value(3));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {8192, 65536, 4L << 20})
    @DisplayName("page arrays reused across commits, dropped transactions and checkpoints: the file always reads as"
            + " committed, before and after a reopen")
    void reusedPages(long journalBytes) throws IOException {
        Path db = dir.resolve("x.db");
        SplittableRandom random = new SplittableRandom(journalBytes);
        java.util.TreeMap<Long, byte[]> model = new java.util.TreeMap<>();
        java.util.TreeMap<Long, byte[]> pending = new java.util.TreeMap<>();
        long reused = 0;
        long checkpoints = 0;
        MapDbFile file = MapDbFile.open(db, StoreFaults.NONE, RedoJournal.KEEP_ALL, journalBytes, 64L * 4096,
                new SyncCounter());
        try {
            BTreeMap<Long, byte[]> m = map(file);
            for (int step = 0; step < 3000; step++) {
                long key = random.nextInt(400);
                if (random.nextInt(5) == 0) {
                    m.remove(key);
                    pending.remove(key);
                } else {
                    byte[] v = value(random.nextLong());
                    m.put(key, v);
                    pending.put(key, v);
                }
                int end = random.nextInt(20);
                if (end == 0) {
                    // A dropped transaction, then a reopen, as the store does after a failed commit.
                    file.rollback();
                    reused += file.volume().reusedPages();
                    checkpoints += file.volume().checkpoints();
                    file.close();
                    file = MapDbFile.open(db, StoreFaults.NONE, RedoJournal.KEEP_ALL, journalBytes, 64L * 4096,
                            new SyncCounter());
                    m = map(file);
                    pending = new java.util.TreeMap<>(model);
                    assertSame(m, model, "after the rollback of step " + step);
                } else if (end <= 6) {
                    file.commit();
                    model = new java.util.TreeMap<>(pending);
                    JournaledVolume v = file.volume();
                    if (end == 6 && v.length() > 8 * PAGE) {
                        // Bytes written straight into the volume, then dropped: discard recycles their page copies,
                        // which the next commits reuse; the page reads as committed.
                        long offset = (1 + random.nextInt((int) (v.length() / PAGE) - 1)) * (long) PAGE + 64;
                        long kept = v.getLong(offset);
                        v.putLong(offset, ~kept);
                        assertThat(v.getLong(offset)).isEqualTo(~kept);
                        v.discard();
                        assertThat(v.getLong(offset)).as("a discarded write after step %d", step).isEqualTo(kept);
                    }
                    assertSame(m, model, "after the commit of step " + step);
                }
            }
            file.commit();
            model = pending;
            assertSame(m, model, "at the end");
            reused += file.volume().reusedPages();
            checkpoints += file.volume().checkpoints();
        } finally {
            file.close();
        }
        assertThat(reused).as("commits reused the arrays of pages they replaced").isPositive();
        if (journalBytes == 8192) {
            assertThat(checkpoints).isGreaterThan(10);
        }
        try (MapDbFile reopened = open(db, journalBytes)) {
            assertSame(map(reopened), model, "after a reopen");
        }
    }

    private static void assertSame(BTreeMap<Long, byte[]> m, java.util.Map<Long, byte[]> model, String when) {
        assertThat(m.keySet()).as(when).containsExactlyElementsOf(model.keySet());
        for (java.util.Map.Entry<Long, byte[]> e : model.entrySet()) {
            assertThat(m.get(e.getKey())).as(when + ", key " + e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    @DisplayName("with a cache smaller than the data, reads come back from the file right, across checkpoints")
    void smallCache() throws IOException {
        Path db = dir.resolve("x.db");
        SyncCounter syncs = new SyncCounter();
        try (MapDbFile file = MapDbFile.open(db, StoreFaults.NONE, RedoJournal.KEEP_ALL, RedoJournal.DEFAULT_BYTES,
                64L * 4096, syncs)) {
            BTreeMap<Long, byte[]> m = map(file);
            for (long k = 0; k < 5000; k++) {
                m.put(k, value(k));
                if (k % 50 == 0) {
                    file.commit();
                }
            }
            file.commit();
            assertThat(file.volume().checkpoints()).as("the unwritten pages outgrew the cache's size").isPositive();
            assertThat(file.volume().cache().size()).isLessThanOrEqualTo(64);
            for (long k = 0; k < 5000; k += 7) {
                assertThat(m.get(k)).as("key %d", k).isEqualTo(value(k));
            }
            assertThat(file.volume().cache().misses()).isPositive();
        }
    }

    /** The main file as the disk may hold it: {@code checkpoint} with a random subset of the later pages of {@code now}. */
    private static byte[] somePagesLost(byte[] checkpoint, byte[] now, SplittableRandom random, boolean growthLost) {
        int length = growthLost ? Math.min(checkpoint.length, now.length) : now.length;
        byte[] disk = new byte[length];
        for (int at = 0; at < length; at += PAGE) {
            int n = Math.min(PAGE, length - at);
            boolean written = random.nextBoolean();
            byte[] from = written || at >= checkpoint.length ? now : checkpoint;
            if (!written && at >= checkpoint.length) {
                continue; // a page the file grew by, not on disk: zeros
            }
            System.arraycopy(from, at, disk, at, Math.min(n, from.length - at));
        }
        return disk;
    }

    @ParameterizedTest(name = "journal of {0} bytes")
    @ValueSource(longs = {RedoJournal.DEFAULT_BYTES, 16 * 1024})
    @DisplayName("after a power loss in the middle of a lap (and after several laps), every commit is there")
    void powerLossMidLap(long journalBytes) throws IOException {
        Path db = dir.resolve("x.db");
        SplittableRandom random = new SplittableRandom(journalBytes);
        byte[] checkpoint;
        long checkpoints;
        byte[] now;
        byte[] journalNow;
        Path journal = RedoJournal.pathFor(db);
        int commits = 300;
        try (MapDbFile file = open(db, journalBytes)) {
            BTreeMap<Long, byte[]> m = map(file);
            file.commit();
            // The main file as the last checkpoint left it (the one this commit's opening made, or one a
            // later commit made): nothing is written into it between checkpoints.
            checkpoint = Files.readAllBytes(db);
            for (long k = 0; k < commits; k++) {
                long before = file.volume().checkpoints();
                m.put(k, value(k));
                file.commit();
                if (file.volume().checkpoints() != before) {
                    checkpoint = Files.readAllBytes(db);
                }
            }
            checkpoints = file.volume().checkpoints();
            // The power goes out now, before the file is closed (closing makes a checkpoint).
            now = Files.readAllBytes(db);
            journalNow = Files.readAllBytes(journal);
        }
        if (journalBytes == RedoJournal.DEFAULT_BYTES) {
            assertThat(checkpoints).as("one lap").isZero();
        } else {
            assertThat(checkpoints).as("several laps").isGreaterThan(3);
        }
        for (int round = 0; round < 6; round++) {
            Files.write(db, somePagesLost(checkpoint, now, random, round % 2 == 1));
            Files.write(journal, journalNow);
            try (MapDbFile file = open(db, journalBytes)) {
                assertThat(file.journal().recovered()).as("records replayed").isPositive();
                BTreeMap<Long, byte[]> m = map(file);
                assertThat(m.size()).as("round %d", round).isEqualTo(commits);
                for (long k = 0; k < commits; k++) {
                    assertThat(m.get(k)).as("round %d, key %d", round, k).isEqualTo(value(k));
                }
            }
        }
    }

    @ParameterizedTest(name = "failing at {0}")
    @EnumSource(value = StoreFaults.Point.class, names = {"CHECKPOINT", "NEW_LAP"})
    @DisplayName("a commit failing in its checkpoint stores nothing of itself; the commits before it stay, also after reopening")
    void failureInCheckpoint(StoreFaults.Point point) {
        FaultPlan plan = new FaultPlan();
        StoreOptions options = plan.options().withJournalBytes(16 * 1024);
        MapDbServerStore store = MapDbServerStore.open(dir, options);
        try {
            plan.failNextAt(point);
            int stored = 0;
            Throwable failure = null;
            while (failure == null) {
                assertThat(stored).as("a checkpoint comes").isLessThan(1000);
                failure = failureOf(store.commit(ServerCommit.append(List.of(submission("alice", "a-" + (stored + 1),
                        "bob")))));
                if (failure == null) {
                    stored++;
                }
            }
            assertThat(failure).isExactlyInstanceOf(StoreException.class).hasMessageContaining("nothing of it was stored")
                    .hasMessageContaining("injected fault at " + point);
            assertThat(stored).isPositive();
            assertStored(store, stored);
            store.close();
            store = MapDbServerStore.open(dir, options);
            assertStored(store, stored);
            // The store goes on, through further checkpoints.
            for (int i = stored + 1; i <= stored + 200; i++) {
                await(store.commit(ServerCommit.append(List.of(submission("alice", "a-" + i, "bob")))));
            }
            assertThat(store.inbox("bob").maxSeq()).isEqualTo(stored + 200);
        } finally {
            store.close();
        }
    }

    /** Submissions a-1 to a-{@code stored} are in bob's inbox, the one after them is not. */
    private static void assertStored(MapDbServerStore store, int stored) {
        assertThat(store.inbox("bob").maxSeq()).isEqualTo(stored);
        assertThat(store.findBySender("alice", "a-" + (stored + 1))).isEmpty();
        assertThat(store.read("bob", 1, 10_000)).extracting(Message::clientId).hasSize(stored)
                .endsWith("a-" + stored);
    }

    /** Unpacks a server store written by imr with the journal's format version 1, closed cleanly. */
    private Path legacyStore(String name) throws IOException {
        Path target = dir.resolve(name);
        Files.createDirectories(target);
        try (InputStream in = getClass().getResourceAsStream("server-store-journal-v1.zip");
             ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Files.copy(zip, target.resolve(e.getName()));
            }
        }
        return target;
    }

    @Test
    @DisplayName("a store whose journal is of the first format: its record is applied with the old reader, then the journal converted")
    void legacyJournal() throws IOException {
        Path store = legacyStore("v1");
        Path db = store.resolve(MapDbServerStore.DB_FILE);
        Path journal = RedoJournal.pathFor(db);
        List<RedoJournal.Write> record;
        try (FileChannel j = FileChannel.open(journal, StandardOpenOption.READ)) {
            record = LegacyJournal.readValid(j);
        }
        assertThat(record).as("the fixture's journal holds a valid version 1 record").isNotNull();
        assertThat(RedoJournal.readLap(journal)).as("not read as version 2").isNull();
        // The main file without that record's bytes, as a crash after the record was synced could leave it.
        try (FileChannel main = FileChannel.open(db, StandardOpenOption.WRITE)) {
            for (RedoJournal.Write w : record) {
                main.write(java.nio.ByteBuffer.wrap(new byte[w.data().length]), w.offset());
            }
        }
        Path control = legacyStore("control");
        Files.copy(db, control.resolve(MapDbServerStore.DB_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.delete(RedoJournal.pathFor(control.resolve(MapDbServerStore.DB_FILE)));
        assertThatThrownBy(() -> legacyInbox(control.resolve(MapDbServerStore.DB_FILE)))
                .as("without the record, the main file does not open").isInstanceOf(Exception.class);

        // The fixture is a server store of format 2, which this imr refuses to use; the journal is
        // recovered (and converted) before the store's format is looked at, and the refusal changes nothing.
        assertThatThrownBy(() -> MapDbServerStore.open(store).close()).isInstanceOf(StoreException.class)
                .hasMessageContaining("format 2");
        RedoJournal.Lap lap = RedoJournal.readLap(journal);
        assertThat(lap).as("converted to version 2").isNotNull();
        assertThat(Files.size(journal)).isEqualTo(RedoJournal.DEFAULT_BYTES);
        List<Message> inbox = legacyInbox(db);
        assertThat(inbox).extracting(Message::clientId).containsExactly("a-1", "a-2", "a-3", "a-4", "a-5");
        assertThat(inbox).allMatch(Message::payloadIntact);
        assertThat(inbox.get(4).payload()).isEqualTo(TestData.payload("alice/a-5", TestData.PAYLOAD));
    }

    /** The inbox of bob in a database file of the fixture's format (2: tuple keys), read with that format's map. */
    private static List<Message> legacyInbox(Path db) throws IOException {
        try (MapDbFile file = MapDbFile.open(db, StoreFaults.NONE, RedoJournal.KEEP_ALL, RedoJournal.DEFAULT_BYTES,
                new SyncCounter())) {
            org.mapdb.BTreeMap<Object[], byte[]> inbox = file.db().treeMap("server.inbox",
                    new org.mapdb.serializer.SerializerArrayTuple(org.mapdb.Serializer.STRING, org.mapdb.Serializer.LONG),
                    org.mapdb.Serializer.BYTE_ARRAY).valuesOutsideNodesEnable().open();
            List<Message> out = new java.util.ArrayList<>();
            for (byte[] record : inbox.subMap(new Object[] {"bob", 0L}, true, new Object[] {"bob", Long.MAX_VALUE}, true)
                    .values()) {
                out.addAll(MessageBatchCodec.decode(record));
            }
            return out;
        }
    }

    @Test
    @DisplayName("a journal of the first format with a torn record: nothing applied, converted")
    void legacyTornRecord() throws IOException {
        Path store = legacyStore("torn");
        Path journal = RedoJournal.pathFor(store.resolve(MapDbServerStore.DB_FILE));
        byte[] bytes = Files.readAllBytes(journal);
        Files.write(journal, Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> MapDbServerStore.open(store).close()).hasMessageContaining("format 2");
        // The clean close left the record applied already: the file is whole without it.
        assertThat(legacyInbox(store.resolve(MapDbServerStore.DB_FILE))).hasSize(5);
        assertThat(RedoJournal.readLap(journal)).isNotNull();
    }
}
