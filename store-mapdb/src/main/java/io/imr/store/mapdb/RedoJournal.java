package io.imr.store.mapdb;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The redo journal that makes a MapDB commit atomic across a crash: before the main database
 * file is touched, every byte the commit will write there is written to {@code <db>.redo} as one
 * checksummed record and synced. On open, a valid record is applied to the main file again
 * (physical writes, so applying twice is harmless).
 *
 * <p>Why it exists: MapDB 3.1.0's {@code StoreWAL.commit()} syncs its write-ahead log, then
 * writes the changes into the main file, then syncs that; but it never replays the log on open
 * (there is no caller of {@code WriteAheadLog.open}), and the log does not even hold the index
 * values. A process killed while the main file is being written leaves a torn file that no
 * longer opens. We saw that happen in a kill -9 loop of plain MapDB (mapdb#775 territory).
 *
 * <p>Why one record, overwritten in place: the main file is synced at the end of every commit, so
 * only the latest commit can be incomplete in it, and only its record is ever needed. A torn
 * record (killed while writing it) fails its CRC and is ignored; in that case the main file was
 * not touched by that commit yet.
 *
 * <p>Record: {@code i32 magic "IMRJ", u8 version, i64 sequence, i32 write count, i32 body length,
 * i32 CRC32C} of everything after the magic except the CRC itself, then per write {@code i64
 * offset, i32 length, bytes}.
 */
final class RedoJournal implements Closeable {

    /** One write into the main file. */
    record Write(long offset, byte[] data) {
    }

    static final String SUFFIX = ".redo";

    private static final int MAGIC = 0x494D524A;
    private static final int VERSION = 1;
    private static final int HEADER = 4 + 1 + 8 + 4 + 4 + 4;
    private static final int CRC_AT = HEADER - 4;
    /**
     * The largest record: far above what the writer's group limits produce, and what recovery
     * believes a length field may say, so a damaged header cannot make it allocate gigabytes.
     */
    private static final long MAX_BODY = 1L << 30;

    private final FileChannel channel;
    private final SyncCounter syncs;
    private long sequence;

    private RedoJournal(FileChannel channel, SyncCounter syncs) {
        this.channel = channel;
        this.syncs = syncs;
    }

    static Path pathFor(Path dbFile) {
        return dbFile.resolveSibling(dbFile.getFileName() + SUFFIX);
    }

    /** Opens (creating if needed) the journal of a database file; its syncs are counted in {@code syncs}. */
    static RedoJournal open(Path dbFile, SyncCounter syncs) throws IOException {
        return new RedoJournal(FileChannel.open(pathFor(dbFile), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE), syncs);
    }

    /**
     * Writes the record of one commit and syncs it. When this returns, the commit survives a
     * crash: recovery applies it if the main file did not get it.
     *
     * @throws IOException if writing or syncing failed; the record may then be torn or whole, and
     *         the caller must {@link #clear()} it before the database is opened again in this process
     */
    void write(List<Write> writes) throws IOException {
        long body = 0;
        for (Write w : writes) {
            body += 12 + w.data().length;
        }
        if (body > MAX_BODY) {
            throw new IOException("commit too large for the redo journal: " + body + " bytes, at most " + MAX_BODY);
        }
        ByteBuffer buf = ByteBuffer.allocate((int) (HEADER + body));
        buf.putInt(MAGIC).put((byte) VERSION).putLong(++sequence).putInt(writes.size()).putInt((int) body).putInt(0);
        for (Write w : writes) {
            buf.putLong(w.offset()).putInt(w.data().length).put(w.data());
        }
        buf.putInt(CRC_AT, crc(buf.array(), buf.position()));
        buf.flip();
        long at = 0;
        while (buf.hasRemaining()) {
            at += channel.write(buf, at);
        }
        syncs.force(channel, false);
    }

    /** Empties the journal and syncs that, so no record can be applied any more. */
    void clear() throws IOException {
        channel.truncate(0);
        syncs.force(channel, false);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /**
     * Brings a database file to the state of its last commit: applies the journal's record if it
     * is valid and syncs the file, then empties the journal. Call before the database is opened.
     *
     * @param discard true to drop the record unapplied: used when the last commit of this process
     *                failed before its record was known to be synced, so that a failed commit is
     *                never completed behind the caller's back
     * @param syncs   counts the syncs: the main file's if a record was applied, the journal's if it
     *                was not empty
     * @return whether a record was applied
     */
    static boolean recover(Path dbFile, boolean discard, SyncCounter syncs) throws IOException {
        Path path = pathFor(dbFile);
        if (!Files.exists(path)) {
            return false;
        }
        try (FileChannel journal = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            List<Write> writes = discard ? null : readValid(journal);
            if (writes != null) {
                try (FileChannel main = FileChannel.open(dbFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    for (Write w : writes) {
                        ByteBuffer data = ByteBuffer.wrap(w.data());
                        long at = w.offset();
                        while (data.hasRemaining()) {
                            at += main.write(data, at);
                        }
                    }
                    syncs.force(main, false);
                }
            }
            if (journal.size() > 0) {
                journal.truncate(0);
                syncs.force(journal, false);
            }
            return writes != null;
        }
    }

    /** The writes of the journal's record, or null if it holds no complete, valid record. */
    static List<Write> readValid(FileChannel journal) throws IOException {
        long size = journal.size();
        if (size < HEADER) {
            return null;
        }
        ByteBuffer head = ByteBuffer.allocate(HEADER);
        readFully(journal, head, 0);
        head.flip();
        if (head.getInt() != MAGIC || head.get() != VERSION) {
            return null;
        }
        head.getLong();
        int count = head.getInt();
        long body = head.getInt() & 0xFFFFFFFFL;
        int expectedCrc = head.getInt();
        if (count < 0 || body > MAX_BODY || HEADER + body > size) {
            return null;
        }
        ByteBuffer all = ByteBuffer.allocate((int) (HEADER + body));
        readFully(journal, all, 0);
        byte[] bytes = all.array();
        all.putInt(CRC_AT, 0);
        if (crc(bytes, bytes.length) != expectedCrc) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, HEADER, (int) body);
        List<Write> writes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (in.remaining() < 12) {
                return null;
            }
            long offset = in.getLong();
            int length = in.getInt();
            if (offset < 0 || length < 0 || length > in.remaining()) {
                return null;
            }
            byte[] data = new byte[length];
            in.get(data);
            writes.add(new Write(offset, data));
        }
        return in.hasRemaining() ? null : writes;
    }

    /** CRC32C of the record without its magic, with the CRC field read as zero. */
    private static int crc(byte[] record, int length) {
        CRC32C crc = new CRC32C();
        crc.update(record, 4, length - 4);
        return (int) crc.getValue();
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, at);
            if (n < 0) {
                throw new IOException("journal ended early");
            }
            at += n;
        }
    }
}
