package io.imr.store.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal on real files. A "crash" here is a journal closed without its records being
 * written to the main file: what the disk holds after a power loss if none of the main file's
 * unsynced pages made it, the case where recovery has the most to do.
 */
@DisplayName("RedoJournal")
class RedoJournalTest {

    private static final long SIZE = 64 * 1024;
    private static final int MAIN = 4096;

    @TempDir
    Path dir;

    private Path db;
    private Path journal;

    @BeforeEach
    void files() throws IOException {
        db = dir.resolve("x.db");
        journal = RedoJournal.pathFor(db);
        Files.write(db, new byte[MAIN]);
    }

    /** Records of random writes into the main file, and the file they make, applied in order. */
    private static final class Model {
        final byte[] main = new byte[MAIN];
        final List<List<RedoJournal.Write>> records = new ArrayList<>();
        final SplittableRandom random;

        Model(long seed) {
            random = new SplittableRandom(seed);
        }

        List<RedoJournal.Write> next() {
            List<RedoJournal.Write> writes = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
                byte[] data = new byte[1 + random.nextInt(40)];
                random.nextBytes(data);
                int at = random.nextInt(MAIN - data.length);
                writes.add(new RedoJournal.Write(at, data));
            }
            return writes;
        }

        void apply(List<RedoJournal.Write> writes) {
            for (RedoJournal.Write w : writes) {
                System.arraycopy(w.data(), 0, main, (int) w.offset(), w.data().length);
            }
            records.add(writes);
        }
    }

    private RedoJournal open(long discardFrom, SyncCounter syncs) throws IOException {
        return RedoJournal.open(db, discardFrom, SIZE, syncs);
    }

    @Test
    @DisplayName("many records of a lap are replayed in order after a crash in the middle of the lap")
    void replaysManyRecords() throws IOException {
        Model model = new Model(1);
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, new SyncCounter())) {
            assertThat(j.recovered()).isZero();
            for (int i = 0; i < 200; i++) {
                List<RedoJournal.Write> writes = model.next();
                j.append(writes, MAIN);
                model.apply(writes);
            }
            assertThat(j.lapEmpty()).isFalse();
        }
        assertThat(RedoJournal.readLap(journal).records()).hasSize(200);
        assertThat(Files.readAllBytes(db)).as("the crash: no main file write reached the disk").isEqualTo(new byte[MAIN]);

        SyncCounter syncs = new SyncCounter();
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, syncs)) {
            assertThat(j.recovered()).isEqualTo(200);
            assertThat(j.lapEmpty()).isTrue();
        }
        assertThat(Files.readAllBytes(db)).isEqualTo(model.main);
        assertThat(syncs.count()).as("the main file, then the new lap's header").isEqualTo(2);
        RedoJournal.Lap lap = RedoJournal.readLap(journal);
        assertThat(lap.records()).as("recovery starts a new lap").isEmpty();
        assertThat(lap.firstSequence()).isGreaterThan(200);

        SyncCounter again = new SyncCounter();
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, again)) {
            assertThat(j.recovered()).isZero();
        }
        assertThat(again.count()).as("an empty lap syncs nothing").isZero();
        assertThat(Files.readAllBytes(db)).isEqualTo(model.main);
    }

    @Test
    @DisplayName("replaying over a main file that got some of the lap's pages gives the same file")
    void replayOverPartlyWrittenMain() throws IOException {
        Model model = new Model(2);
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, new SyncCounter())) {
            for (int i = 0; i < 50; i++) {
                List<RedoJournal.Write> writes = model.next();
                j.append(writes, MAIN);
                model.apply(writes);
            }
        }
        // The main file as the disk may hold it: a later state for some bytes, the lap's start for others.
        byte[] partly = model.main.clone();
        Arrays.fill(partly, 0, MAIN / 2, (byte) 0);
        Files.write(db, partly);
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, new SyncCounter())) {
            assertThat(j.recovered()).isEqualTo(50);
        }
        assertThat(Files.readAllBytes(db)).isEqualTo(model.main);
    }

    @Test
    @DisplayName("a torn last record (cut short at any byte, or any byte changed) is ignored, the records before it applied")
    void tornLastRecord() throws IOException {
        Model model = new Model(3);
        List<RedoJournal.Write> last;
        long lastAt;
        long end;
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, new SyncCounter())) {
            for (int i = 0; i < 3; i++) {
                List<RedoJournal.Write> writes = model.next();
                j.append(writes, MAIN);
                model.apply(writes);
            }
            last = model.next();
            lastAt = RedoJournal.RECORDS_AT;
            for (List<RedoJournal.Write> r : model.records) {
                lastAt += RedoJournal.recordBytes(r);
            }
            j.append(last, MAIN);
            end = lastAt + RedoJournal.recordBytes(last);
        }
        byte[] pristine = Files.readAllBytes(journal);
        byte[] expected = model.main;
        for (long cut = lastAt; cut < end; cut++) {
            byte[] torn = pristine.clone();
            Arrays.fill(torn, (int) cut, (int) end, (byte) 0);
            checkTorn(torn, expected, "cut at " + (cut - lastAt));
        }
        for (long at = lastAt; at < end; at++) {
            byte[] torn = pristine.clone();
            torn[(int) at] ^= 0x10;
            checkTorn(torn, expected, "byte " + (at - lastAt) + " changed");
        }
    }

    private void checkTorn(byte[] journalBytes, byte[] expected, String what) throws IOException {
        Files.write(db, new byte[MAIN]);
        Files.write(journal, journalBytes);
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, new SyncCounter())) {
            assertThat(j.recovered()).as(what).isEqualTo(3);
        }
        assertThat(Files.readAllBytes(db)).as(what).isEqualTo(expected);
    }

    @Test
    @DisplayName("after a lap wrap, records of the lap before are never read again, even where the new lap has not reached")
    void lapWrap() throws IOException {
        Model before = new Model(4);
        SyncCounter syncs = new SyncCounter();
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, syncs)) {
            int appended = 0;
            while (true) {
                List<RedoJournal.Write> writes = before.next();
                if (!j.fits(RedoJournal.recordBytes(writes))) {
                    assertThat(appended).as("the lap holds many records").isGreaterThan(100);
                    // The checkpoint: the main file gets the lap's records and is synced, then the new lap starts.
                    Files.write(db, before.main);
                    long syncsBefore = syncs.count();
                    j.startLap();
                    assertThat(syncs.count() - syncsBefore).as("the new lap's header").isEqualTo(1);
                    assertThat(j.lapEmpty()).isTrue();
                    break;
                }
                j.append(writes, MAIN);
                before.apply(writes);
                appended++;
            }
            // Two short records of the new lap; behind them lie the old lap's records.
            for (int i = 0; i < 2; i++) {
                List<RedoJournal.Write> writes = List.of(new RedoJournal.Write(i, new byte[] {(byte) (100 + i)}));
                j.append(writes, MAIN);
                before.apply(writes);
            }
        }
        // The crash: the main file holds the checkpoint, the new lap's two records did not reach it.
        byte[] checkpoint = before.main.clone();
        checkpoint[0] = 0;
        checkpoint[1] = 0;
        Files.write(db, checkpoint);
        assertThat(RedoJournal.readLap(journal).records()).hasSize(2);
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, new SyncCounter())) {
            assertThat(j.recovered()).isEqualTo(2);
        }
        assertThat(Files.readAllBytes(db)).isEqualTo(before.main);
    }

    @Test
    @DisplayName("a torn header of a new lap leaves the lap before, whose replay is harmless after its checkpoint")
    void tornLapHeader() throws IOException {
        Model model = new Model(5);
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, new SyncCounter())) {
            for (int i = 0; i < 10; i++) {
                List<RedoJournal.Write> writes = model.next();
                j.append(writes, MAIN);
                model.apply(writes);
            }
            Files.write(db, model.main);
            j.startLap();
        }
        RedoJournal.Lap lap = RedoJournal.readLap(journal);
        // Break the copy the new lap was written to.
        try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), Math.floorMod(lap.number(), 2) * 512L + 10);
        }
        RedoJournal.Lap fallback = RedoJournal.readLap(journal);
        assertThat(fallback.number()).isEqualTo(lap.number() - 1);
        assertThat(fallback.records()).hasSize(10);
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, new SyncCounter())) {
            assertThat(j.recovered()).isEqualTo(10);
        }
        assertThat(Files.readAllBytes(db)).isEqualTo(model.main);
    }

    @Test
    @DisplayName("a failed commit's record is discarded unapplied, the records before it applied")
    void discard() throws IOException {
        Model model = new Model(6);
        long failed;
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, new SyncCounter())) {
            for (int i = 0; i < 5; i++) {
                List<RedoJournal.Write> writes = model.next();
                j.append(writes, MAIN);
                model.apply(writes);
            }
            failed = j.nextSequence();
            j.append(List.of(new RedoJournal.Write(0, new byte[] {42})), MAIN);
        }
        byte[] expected = model.main.clone();
        try (RedoJournal j = open(failed, new SyncCounter())) {
            assertThat(j.recovered()).isEqualTo(5);
            assertThat(j.nextSequence()).as("numbers go on past the discarded record").isGreaterThan(failed);
        }
        assertThat(Files.readAllBytes(db)).isEqualTo(expected);
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, new SyncCounter())) {
            assertThat(j.recovered()).as("the discarded record stays discarded").isZero();
        }
        assertThat(Files.readAllBytes(db)).isEqualTo(expected);
    }

    @Test
    @DisplayName("a record larger than the journal grows it for its own lap; the next open shrinks it back")
    void recordLargerThanJournal() throws IOException {
        byte[] big = new byte[3 * (int) SIZE];
        new SplittableRandom(7).nextBytes(big);
        byte[] checkpoint = new byte[big.length + 10];
        checkpoint[0] = 1;
        Files.write(db, new byte[big.length + 10]);
        SyncCounter syncs = new SyncCounter();
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, syncs)) {
            List<RedoJournal.Write> small = List.of(new RedoJournal.Write(0, new byte[] {1}));
            j.append(small, big.length + 10);
            List<RedoJournal.Write> huge = List.of(new RedoJournal.Write(10, big));
            assertThat(j.fits(RedoJournal.recordBytes(huge))).isFalse();
            // The checkpoint: the main file gets the lap's record, synced; then the big record's own lap.
            Files.write(db, checkpoint);
            j.startLap();
            j.append(huge, big.length + 10);
            assertThat(Files.size(journal)).isGreaterThan(big.length);
            assertThat(j.fits(RedoJournal.recordBytes(small))).as("the next record starts a new lap").isFalse();
        }
        // The crash: the big record did not reach the main file.
        Files.write(db, checkpoint);
        byte[] expected = checkpoint.clone();
        System.arraycopy(big, 0, expected, 10, big.length);
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, new SyncCounter())) {
            assertThat(j.recovered()).isEqualTo(1);
            assertThat(j.capacity()).isEqualTo(SIZE);
        }
        assertThat(Files.size(journal)).isEqualTo(SIZE);
        assertThat(Files.readAllBytes(db)).isEqualTo(expected);
    }

    @Test
    @DisplayName("recovery extends the main file to the size the last record names")
    void extendsMainFile() throws IOException {
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, new SyncCounter())) {
            j.append(List.of(new RedoJournal.Write(0, new byte[] {5})), 3 * MAIN);
        }
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, new SyncCounter())) {
            assertThat(j.recovered()).isEqualTo(1);
        }
        assertThat(Files.size(db)).isEqualTo(3 * MAIN);
    }

    @Test
    @DisplayName("appending a record syncs the journal once; creating it costs the file and the directory")
    void syncs() throws IOException {
        SyncCounter syncs = new SyncCounter();
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, syncs)) {
            assertThat(syncs.count()).as("the new journal, then its directory").isEqualTo(2);
            assertThat(Files.size(journal)).as("preallocated").isEqualTo(SIZE);
            j.append(List.of(new RedoJournal.Write(0, new byte[] {1})), MAIN);
            assertThat(syncs.count()).isEqualTo(3);
            assertThat(Files.size(journal)).as("an append does not change the size").isEqualTo(SIZE);
        }
        SyncCounter resized = new SyncCounter();
        try (RedoJournal j = RedoJournal.open(db, RedoJournal.KEEP_ALL, 2 * SIZE, resized)) {
            assertThat(resized.count()).as("main file, new lap, resize").isEqualTo(3);
        }
        assertThat(Files.size(journal)).isEqualTo(2 * SIZE);
    }

    @Test
    @DisplayName("a journal of an unknown format or a newer version is refused with a message naming the versions")
    void unknownFormat() throws IOException {
        byte[] garbage = new byte[(int) SIZE];
        new SplittableRandom(8).nextBytes(garbage);
        Files.write(journal, garbage);
        assertThatThrownBy(() -> open(RedoJournal.KEEP_ALL, new SyncCounter())).isInstanceOf(IOException.class)
                .hasMessageContaining("damaged or of an unknown format").hasMessageContaining("version 2")
                .hasMessageContaining("version 1");
        Files.delete(journal);
        try (RedoJournal j = open(RedoJournal.KEEP_ALL, new SyncCounter())) {
            assertThat(j.lapEmpty()).isTrue();
        }
        // Make copy 1 a valid header of a version 3.
        byte[] bytes = Files.readAllBytes(journal);
        ByteBuffer slot = ByteBuffer.wrap(bytes, 512, 28).slice();
        slot.put(4, (byte) 3);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 516, 20);
        slot.putInt(24, (int) crc.getValue());
        Files.write(journal, bytes);
        assertThatThrownBy(() -> open(RedoJournal.KEEP_ALL, new SyncCounter())).isInstanceOf(IOException.class)
                .hasMessageContaining("format version 3").hasMessageContaining("reads version 2");
    }
}
