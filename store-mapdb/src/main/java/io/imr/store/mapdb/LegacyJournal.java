package io.imr.store.mapdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The reader of the redo journal's first format (version 1), kept so that a store written by an
 * earlier imr opens: {@link RedoJournal} applies such a journal's record with it, then replaces
 * the file with one of the current format.
 *
 * <p>Version 1 held one record, overwritten in place at offset 0 on every commit, and was
 * emptied (truncated to 0 bytes) by recovery: {@code i32 magic "IMRJ", u8 version 1, i64
 * sequence, i32 write count, i32 body length, i32 CRC32C} of everything after the magic with the
 * CRC field read as zero, then per write {@code i64 offset, i32 length, bytes}. Its main file was
 * synced at the end of every commit, so only that one record can be missing from it.
 */
final class LegacyJournal {

    static final int MAGIC = 0x494D524A;
    static final int VERSION = 1;
    private static final int HEADER = 4 + 1 + 8 + 4 + 4 + 4;
    private static final int CRC_AT = HEADER - 4;
    private static final long MAX_BODY = 1L << 30;

    private LegacyJournal() {
    }

    /** Whether the file is empty or starts like a version 1 record ({@code "IMRJ"} then version 1). */
    static boolean looksLegacy(FileChannel journal) throws IOException {
        long size = journal.size();
        if (size == 0) {
            return true;
        }
        if (size < 5) {
            return false;
        }
        ByteBuffer head = ByteBuffer.allocate(5);
        readFully(journal, head, 0);
        return head.getInt(0) == MAGIC && head.get(4) == VERSION;
    }

    /** The writes of a version 1 journal's record, or null if it holds no complete, valid record. */
    static List<RedoJournal.Write> readValid(FileChannel journal) throws IOException {
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
        CRC32C crc = new CRC32C();
        crc.update(bytes, 4, bytes.length - 4);
        if ((int) crc.getValue() != expectedCrc) {
            return null;
        }
        // The writes are encoded as in version 2 (offset, length, bytes each).
        return RedoJournal.parseWrites(ByteBuffer.wrap(bytes, HEADER, (int) body), count);
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
