package io.imr.store.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("RedoJournal")
class RedoJournalTest {

    @TempDir
    Path dir;

    private Path db;
    private Path journal;

    @BeforeEach
    void files() throws IOException {
        db = dir.resolve("x.db");
        journal = RedoJournal.pathFor(db);
        Files.write(db, new byte[64]);
    }

    private static final List<RedoJournal.Write> WRITES = List.of(new RedoJournal.Write(0, new byte[] {1, 2, 3}),
            new RedoJournal.Write(60, new byte[] {9, 9, 9, 9, 9, 9, 9, 9}), new RedoJournal.Write(1, new byte[] {7}));

    private void writeRecord() throws IOException {
        try (RedoJournal j = RedoJournal.open(db, new SyncCounter())) {
            j.write(WRITES);
        }
    }

    private byte[] expectedMain() {
        byte[] b = new byte[68];
        b[0] = 1;
        b[1] = 7;
        b[2] = 3;
        for (int i = 60; i < 68; i++) {
            b[i] = 9;
        }
        return b;
    }

    @Test
    @DisplayName("a valid record is applied in order on recovery, and the journal is emptied")
    void replays() throws IOException {
        writeRecord();
        SyncCounter syncs = new SyncCounter();
        assertThat(RedoJournal.recover(db, false, syncs)).isTrue();
        assertThat(Files.readAllBytes(db)).isEqualTo(expectedMain());
        assertThat(Files.size(journal)).isZero();
        assertThat(syncs.count()).as("the main file, then the emptied journal").isEqualTo(2);
        assertThat(RedoJournal.recover(db, false, syncs)).isFalse();
        assertThat(syncs.count()).as("an empty journal syncs nothing").isEqualTo(2);
    }

    @Test
    @DisplayName("writing a record syncs the journal once; clearing it, once")
    void writeSyncsOnce() throws IOException {
        SyncCounter syncs = new SyncCounter();
        try (RedoJournal j = RedoJournal.open(db, syncs)) {
            assertThat(syncs.count()).isZero();
            j.write(WRITES);
            assertThat(syncs.count()).isEqualTo(1);
            j.clear();
            assertThat(syncs.count()).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("applying a record twice gives the same file")
    void idempotent() throws IOException {
        writeRecord();
        try (FileChannel j = FileChannel.open(journal, StandardOpenOption.READ)) {
            List<RedoJournal.Write> writes = RedoJournal.readValid(j);
            assertThat(writes).hasSize(3);
        }
        RedoJournal.recover(db, false, new SyncCounter());
        writeRecord();
        RedoJournal.recover(db, false, new SyncCounter());
        assertThat(Files.readAllBytes(db)).isEqualTo(expectedMain());
    }

    @Test
    @DisplayName("a torn record (cut short, or a byte changed) is ignored and the main file left alone")
    void tornRecord() throws IOException {
        writeRecord();
        long size = Files.size(journal);
        for (long cut = 0; cut < size; cut++) {
            writeRecord();
            try (FileChannel j = FileChannel.open(journal, StandardOpenOption.WRITE)) {
                j.truncate(cut);
            }
            assertThat(RedoJournal.recover(db, false, new SyncCounter())).as("cut at %d", cut).isFalse();
            assertThat(Files.readAllBytes(db)).isEqualTo(new byte[64]);
        }
        for (long at = 0; at < size; at++) {
            writeRecord();
            try (FileChannel j = FileChannel.open(journal, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.allocate(1);
                j.read(b, at);
                b.put(0, (byte) (b.get(0) ^ 0x10)).rewind();
                j.write(b, at);
            }
            assertThat(RedoJournal.recover(db, false, new SyncCounter())).as("byte %d changed", at).isFalse();
            assertThat(Files.readAllBytes(db)).isEqualTo(new byte[64]);
        }
    }

    @Test
    @DisplayName("a record is discarded unapplied when the commit that wrote it was reported failed")
    void discard() throws IOException {
        writeRecord();
        SyncCounter syncs = new SyncCounter();
        assertThat(RedoJournal.recover(db, true, syncs)).isFalse();
        assertThat(Files.readAllBytes(db)).isEqualTo(new byte[64]);
        assertThat(Files.size(journal)).isZero();
        assertThat(syncs.count()).as("the emptied journal only").isEqualTo(1);
    }

    @Test
    @DisplayName("a shorter record overwriting a longer one is read as itself")
    void shorterOverLonger() throws IOException {
        writeRecord();
        try (RedoJournal j = RedoJournal.open(db, new SyncCounter())) {
            j.write(List.of(new RedoJournal.Write(5, new byte[] {5})));
        }
        assertThat(RedoJournal.recover(db, false, new SyncCounter())).isTrue();
        byte[] expected = new byte[64];
        expected[5] = 5;
        assertThat(Files.readAllBytes(db)).isEqualTo(expected);
    }
}
