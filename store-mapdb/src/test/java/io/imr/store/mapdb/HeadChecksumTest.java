package io.imr.store.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBException;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * The file stays what MapDB writes with its header checksum on: MapDB's own stores open what we
 * write, and we open what they write, through commits on both sides.
 */
@DisplayName("MapDB's header checksum, kept by the volume")
class HeadChecksumTest {

    @TempDir
    Path dir;

    private static MapDbFile open(Path db) throws IOException {
        return MapDbFile.open(db, StoreFaults.NONE, RedoJournal.KEEP_ALL, RedoJournal.DEFAULT_BYTES,
                new SyncCounter());
    }

    private static BTreeMap<Long, byte[]> map(DB db) {
        return db.treeMap("m", Serializer.LONG, Serializer.BYTE_ARRAY).createOrOpen();
    }

    private static byte[] value(long key) {
        byte[] b = new byte[(int) (50 + key % 300)];
        new SplittableRandom(key).nextBytes(b);
        return b;
    }

    private static void assertHolds(BTreeMap<Long, byte[]> m, long from, long to) {
        assertThat(m.size()).isEqualTo((int) (to - from));
        for (long k = from; k < to; k++) {
            assertThat(m.get(k)).as("key %d", k).isEqualTo(value(k));
        }
    }

    @Test
    @DisplayName("a file we wrote opens with MapDB's own stores, checksum checked; one MapDB wrote opens with ours, and on")
    void bothWays() throws IOException {
        Path db = dir.resolve("x.db");
        try (MapDbFile file = open(db)) {
            BTreeMap<Long, byte[]> m = map(file.db());
            for (long k = 0; k < 500; k++) {
                m.put(k, value(k));
                if (k % 7 == 0) {
                    file.commit();
                }
            }
            file.commit();
        }
        // MapDB's StoreDirect, read-only, with its header checksum on (the default): it checks it.
        try (DB mapdb = DBMaker.fileDB(db.toFile()).fileChannelEnable().readOnly().make()) {
            assertHolds(mapdb.treeMap("m", Serializer.LONG, Serializer.BYTE_ARRAY).open(), 0, 500);
        }
        // MapDB's StoreWAL, as imr used before, writing.
        try (DB mapdb = DBMaker.fileDB(db.toFile()).fileChannelEnable().transactionEnable().make()) {
            BTreeMap<Long, byte[]> m = map(mapdb);
            for (long k = 500; k < 700; k++) {
                m.put(k, value(k));
            }
            m.remove(3L);
            m.put(3L, value(3));
            mapdb.commit();
        }
        try (MapDbFile file = open(db)) {
            BTreeMap<Long, byte[]> m = map(file.db());
            assertHolds(m, 0, 700);
            for (long k = 0; k < 100; k++) {
                m.remove(k);
            }
            file.commit();
        }
        try (DB mapdb = DBMaker.fileDB(db.toFile()).fileChannelEnable().readOnly().make()) {
            assertHolds(mapdb.treeMap("m", Serializer.LONG, Serializer.BYTE_ARRAY).open(), 100, 700);
        }
    }

    @Test
    @DisplayName("a head that no longer matches its checksum is refused as damaged, and the file left as it is")
    void damagedHead() throws IOException {
        Path db = dir.resolve("x.db");
        try (MapDbFile file = open(db)) {
            map(file.db()).put(1L, value(1));
            file.commit();
        }
        try (FileChannel ch = FileChannel.open(db, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            ch.read(b, 5000);
            b.put(0, (byte) (b.get(0) ^ 0x10)).rewind();
            ch.write(b, 5000);
        }
        byte[] before = Files.readAllBytes(db);
        assertThatThrownBy(() -> open(db)).isInstanceOf(DBException.DataCorruption.class)
                .hasMessageContaining("header checksum").hasMessageContaining(db.toString());
        assertThat(Files.readAllBytes(db)).isEqualTo(before);
    }

    @Test
    @DisplayName("a page's change adds to the sum what re-adding all its ints would, for any bytes and range")
    void changeOfAPage() {
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 500; round++) {
            byte[] before = new byte[PageCache.PAGE];
            random.nextBytes(before);
            byte[] after = before.clone();
            int changes = random.nextInt(round % 2 == 0 ? 4 : 400);
            for (int c = 0; c < changes; c++) {
                after[random.nextInt(after.length)] = (byte) random.nextInt();
            }
            int from = 8 * random.nextInt(PageCache.PAGE / 8);
            int to = from + 8 * random.nextInt((PageCache.PAGE - from) / 8 + 1);
            int expected = 0;
            for (int o = from; o < to; o += 4) {
                expected += HeadChecksum.getInt(after, o) - HeadChecksum.getInt(before, o);
            }
            assertThat(HeadChecksum.difference(before, after, from, to)).as("round %d", round).isEqualTo(expected);
        }
    }
}
