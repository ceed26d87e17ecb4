package io.imr.store.mapdb;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The redo journal ({@code <db>.redo}) that makes each MapDB commit durable with one small sync
 * and atomic across a crash. This class owns the journal file: its format, appending a commit's
 * record, starting a new lap, and recovery.
 *
 * <p>Why it exists: MapDB 3.1.0's {@code StoreWAL.commit()} syncs its write-ahead log, then
 * writes the changes into the main file, then syncs that; but it never replays the log on open
 * (there is no caller of {@code WriteAheadLog.open}), and the log does not even hold the index
 * values. A process killed while the main file is being written leaves a torn file that no
 * longer opens. We saw that happen in a kill -9 loop of plain MapDB (mapdb#775 territory).
 *
 * <p><b>How a commit works.</b> Its record (the bytes it changes in the main file, see
 * {@link ChangedRuns}) is appended after the previous one and the journal alone is synced
 * ({@code fdatasync}): that is the commit point. The changed pages stay in the
 * {@link JournaledVolume}'s memory; the main file is not written until the next checkpoint. The
 * journal is preallocated with zeros to its full size when it is created, so an append changes no
 * metadata and the sync writes the record's pages only.
 *
 * <p><b>Laps.</b> When a record does not fit behind the last one (or the pages not yet written
 * outgrow the volume's cache, or the file is closed), the {@link JournaledVolume} makes a
 * checkpoint: it writes those pages into the main file and syncs it (now it holds every record of
 * the lap, and they are needed no more), then {@link #startLap()} writes and syncs a header naming
 * the next lap and its first sequence number, and records are appended from the start again. A record larger than the
 * whole journal starts a lap of its own and grows the file (correct, just slower); the next open
 * shrinks it back to the configured size.
 *
 * <p><b>Validity.</b> Each record carries a sequence number (counted on across laps, never
 * reused) and a CRC32C. Reading a lap starts at its first sequence number and stops at the first
 * record that is cut short, fails its CRC, or does not carry the next number: a record torn by a
 * crash, or one of an earlier lap. Nothing is written to the main file before its record is
 * synced, so the main file holds at most the records of the lap (none of them, unless a checkpoint
 * was cut short), some of their pages perhaps not yet on disk; replaying all of the lap's valid
 * records in order restores it exactly.
 *
 * <p><b>Recovery</b> (every {@link #open}): applies every valid record of the current lap in
 * order, extends the main file to the size the last one names, syncs the main file, and starts
 * a new lap. A journal of the first format ({@link LegacyJournal}, version 1) has its record
 * applied with the old reader and is then replaced by an empty journal of this format.
 *
 * <p><b>Format, version 2.</b> Two header copies, at 0 and 512 (lap {@code n} is written to copy
 * {@code n % 2}, so a torn header write leaves the other copy, of the lap before, intact): {@code
 * i32 magic "IMRJ", u8 version 2, 3 zero bytes, i64 lap, i64 first sequence, i32 CRC32C} of the
 * bytes after the magic. Records from offset 4096 on: {@code i32 magic "IMRR", i32 CRC32C} of
 * everything after the CRC, {@code i64 sequence, i64 main file size, i32 write count, i32 body
 * length}, then per write {@code i64 offset, i32 length, bytes}.
 *
 * <p>Used by the store's writer thread only; not thread-safe.
 */
final class RedoJournal implements Closeable {

    /** One write into the main file. */
    record Write(long offset, byte[] data) {
    }

    /** One valid record of a lap. */
    record Entry(long sequence, long mainSize, List<Write> writes) {
    }

    /** The current lap of a journal file and its valid records, in order. */
    record Lap(long number, long firstSequence, List<Entry> records) {
        /** The sequence number the record after the last valid one would carry. */
        long nextSequence() {
            return firstSequence + records.size();
        }
    }

    static final String SUFFIX = ".redo";
    static final int VERSION = 2;
    /** The journal's size unless configured otherwise: 4 MiB, about 3,000 single-message commits. */
    static final long DEFAULT_BYTES = 4L << 20;
    /** The smallest journal: its headers and 4 KiB of records. */
    static final long MIN_BYTES = 8192;
    /** For {@link #open}: apply every valid record. */
    static final long KEEP_ALL = Long.MAX_VALUE;
    /** Where records start; the headers take the first page. */
    static final int RECORDS_AT = 4096;
    /** The bytes a record takes besides its writes. */
    static final int RECORD_HEADER = 4 + 4 + 8 + 8 + 4 + 4;
    /** The bytes each write of a record takes besides its data. */
    static final int WRITE_HEADER = 8 + 4;

    private static final int MAGIC = LegacyJournal.MAGIC;
    private static final int RECORD_MAGIC = 0x494D5252;
    private static final int SLOT_SPACING = 512;
    private static final int SLOT_BYTES = 4 + 1 + 3 + 8 + 8 + 4;
    /**
     * The largest record body: far above what the writer's group limits produce, and what
     * recovery believes a length field may say, so a damaged header cannot make it allocate gigabytes.
     */
    private static final long MAX_BODY = 1L << 30;
    private static final byte[] ZEROS = new byte[64 * 1024];

    private final Path path;
    private final FileChannel channel;
    private final SyncCounter syncs;
    private final int recovered;
    private long lap;
    private long nextSequence;
    /** Where the next record goes. */
    private long tail = RECORDS_AT;
    /** The file's size. */
    private long capacity;
    /** The record being appended, reused: a direct buffer, so that writing it needs no temporary copy. */
    private ByteBuffer recordBuffer = ByteBuffer.allocateDirect(64 << 10);

    private RedoJournal(Path path, FileChannel channel, SyncCounter syncs, long lap, long nextSequence,
                        int recovered) throws IOException {
        this.path = path;
        this.channel = channel;
        this.syncs = syncs;
        this.lap = lap;
        this.nextSequence = nextSequence;
        this.recovered = recovered;
        this.capacity = channel.size();
    }

    static Path pathFor(Path dbFile) {
        return dbFile.resolveSibling(dbFile.getFileName() + SUFFIX);
    }

    /**
     * Recovers a database file from its journal (see the class comment), creating or converting
     * the journal as needed, and opens the journal for appending, at the start of an empty lap,
     * {@code bytes} long. Call before the database file is opened.
     *
     * @param discardFrom the first sequence number not to apply, or {@link #KEEP_ALL}: records
     *                    from this number on belong to a commit of this process that failed before
     *                    its record was known to be synced, which must never be completed behind
     *                    the caller's back (see {@link #nextSequence()})
     * @param bytes       the journal's size, at least {@link #MIN_BYTES}
     * @param syncs       counts the syncs: the main file's if records were applied, the journal's
     *                    when a new lap starts, and those of creating or resizing the journal
     * @throws IOException if recovery failed, or the journal is damaged or of an unknown format
     */
    static RedoJournal open(Path dbFile, long discardFrom, long bytes, SyncCounter syncs) throws IOException {
        if (bytes < MIN_BYTES) {
            throw new IllegalArgumentException("a journal of " + bytes + " bytes is too small, at least " + MIN_BYTES);
        }
        Path path = pathFor(dbFile);
        int recovered = recover(dbFile, path, discardFrom, bytes, syncs);
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            Header header = readHeader(ch, path);
            if (header == null) {
                throw new IOException("journal " + path + " has no valid header after recovery");
            }
            RedoJournal journal = new RedoJournal(path, ch, syncs, header.lap(), header.firstSequence(), recovered);
            journal.resize(bytes);
            return journal;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The number of records {@link #open} applied to the main file. */
    int recovered() {
        return recovered;
    }

    /** The sequence number the next record gets: what {@code discardFrom} is if that record's commit fails. */
    long nextSequence() {
        return nextSequence;
    }

    /** Whether the current lap holds no record yet. */
    boolean lapEmpty() {
        return tail == RECORDS_AT;
    }

    /** Whether a record of {@code recordBytes} fits behind the last one. */
    boolean fits(long recordBytes) {
        return tail + recordBytes <= capacity;
    }

    /** The file's size: the configured one, or more while a record larger than that is in it. */
    long capacity() {
        return capacity;
    }

    /** The bytes a record of these writes takes. */
    static long recordBytes(List<Write> writes) {
        long n = RECORD_HEADER;
        for (Write w : writes) {
            n += WRITE_HEADER + w.data().length;
        }
        return n;
    }

    /**
     * Starts a new lap: writes and syncs the header that names it, then appends from the start.
     * Call only once the main file holds every record of the current lap, synced (a checkpoint).
     */
    void startLap() throws IOException {
        writeHeader(channel, lap + 1, nextSequence);
        syncs.force(channel, false);
        lap++;
        tail = RECORDS_AT;
    }

    /**
     * Appends the record of one commit and syncs the journal. When this returns, the commit
     * survives a crash. The record must fit ({@link #fits}) unless the lap is empty; then it may
     * grow the file.
     *
     * @return the record's sequence number
     * @throws IOException if writing or syncing failed; the record may then be torn or whole, and
     *         the journal must be reopened with {@code discardFrom} = {@link #nextSequence()}
     */
    long append(List<Write> writes, long mainSize) throws IOException {
        long size = recordBytes(writes);
        if (size - RECORD_HEADER > MAX_BODY) {
            throw new IOException("commit too large for the redo journal: " + size + " bytes, at most " + MAX_BODY);
        }
        if (!fits(size) && !lapEmpty()) {
            throw new IllegalStateException("a record of " + size + " bytes does not fit behind offset " + tail
                    + " of " + path + " (" + capacity + " bytes): start a new lap first");
        }
        if (recordBuffer.capacity() < size) {
            recordBuffer = ByteBuffer.allocateDirect((int) Math.max(size, Math.min(2L * recordBuffer.capacity(),
                    RECORD_HEADER + MAX_BODY)));
        }
        ByteBuffer buf = recordBuffer.clear();
        buf.putInt(RECORD_MAGIC).putInt(0).putLong(nextSequence).putLong(mainSize).putInt(writes.size())
                .putInt((int) (size - RECORD_HEADER));
        for (Write w : writes) {
            buf.putLong(w.offset()).putInt(w.data().length).put(w.data());
        }
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().flip().position(8));
        buf.putInt(4, (int) crc.getValue());
        buf.flip();
        long at = tail;
        while (buf.hasRemaining()) {
            at += channel.write(buf, at);
        }
        syncs.force(channel, false);
        tail = at;
        capacity = Math.max(capacity, tail);
        return nextSequence++;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /**
     * Reads the current lap of a journal of this format.
     *
     * @return null if the file is not one (no valid header)
     */
    static Lap readLap(Path journalFile) throws IOException {
        try (FileChannel ch = FileChannel.open(journalFile, StandardOpenOption.READ)) {
            Header header = readHeader(ch, journalFile);
            return header == null ? null : readLap(ch, header);
        }
    }

    // ---------------------------------------------------------------- recovery

    /** Brings the journal to this format with an empty lap, applying what it holds; returns the records applied. */
    private static int recover(Path dbFile, Path path, long discardFrom, long bytes, SyncCounter syncs)
            throws IOException {
        if (!Files.exists(path)) {
            create(path, bytes, 1, 1, syncs);
            return 0;
        }
        int applied;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Header header = readHeader(ch, path);
            if (header != null) {
                return recoverLap(dbFile, ch, readLap(ch, header), discardFrom, syncs);
            }
            List<Write> legacy = LegacyJournal.readValid(ch);
            if (legacy == null && !LegacyJournal.looksLegacy(ch) && ch.size() >= RECORDS_AT) {
                throw new IOException("journal " + path + " is damaged or of an unknown format: neither of its two"
                        + " version " + VERSION + " headers is valid and it holds no version "
                        + LegacyJournal.VERSION + " record; commits it may hold cannot be read");
            }
            applied = 0;
            if (legacy != null && discardFrom == KEEP_ALL) {
                applyToMain(dbFile, List.of(new Entry(0, -1, legacy)), syncs);
                applied = 1;
            }
        }
        // A version 1 journal, applied: replace it by an empty one of this format.
        create(path, bytes, 1, 1, syncs);
        return applied;
    }

    private static int recoverLap(Path dbFile, FileChannel ch, Lap lap, long discardFrom, SyncCounter syncs)
            throws IOException {
        if (lap.records().isEmpty()) {
            return 0;
        }
        List<Entry> apply = new ArrayList<>();
        for (Entry e : lap.records()) {
            if (e.sequence() < discardFrom) {
                apply.add(e);
            }
        }
        if (!apply.isEmpty()) {
            applyToMain(dbFile, apply, syncs);
        }
        // A new lap, numbered past every record that may lie in this one (a torn one after the
        // last valid one included), so none of them is ever read again.
        long first = Math.max(lap.nextSequence(), discardFrom == KEEP_ALL ? 0 : discardFrom) + 1;
        writeHeader(ch, lap.number() + 1, first);
        syncs.force(ch, false);
        return apply.size();
    }

    /** Writes the entries' writes into the main file in order, extends it to the last entry's size, syncs it. */
    private static void applyToMain(Path dbFile, List<Entry> entries, SyncCounter syncs) throws IOException {
        try (FileChannel main = FileChannel.open(dbFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (Entry e : entries) {
                for (Write w : e.writes()) {
                    writeFully(main, ByteBuffer.wrap(w.data()), w.offset());
                }
            }
            long mainSize = entries.get(entries.size() - 1).mainSize();
            if (main.size() < mainSize) {
                // The file's growth (zeros, written without a sync) may not have reached the disk.
                writeFully(main, ByteBuffer.allocate(1), mainSize - 1);
            }
            syncs.force(main, false);
        }
    }

    /** Creates an empty journal: zeros, then the headers, synced, under a temporary name, then renamed into place. */
    private static void create(Path path, long bytes, long lap, long firstSequence, SyncCounter syncs)
            throws IOException {
        Path staging = path.resolveSibling(path.getFileName() + ".new");
        try (FileChannel ch = FileChannel.open(staging, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ, StandardOpenOption.TRUNCATE_EXISTING)) {
            fillZeros(ch, 0, bytes);
            writeHeader(ch, lap - 1, firstSequence);
            writeHeader(ch, lap, firstSequence);
            syncs.force(ch, false);
        }
        Files.move(staging, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        StoreFiles.syncDirectory(path.toAbsolutePath().getParent(), syncs);
    }

    /** Sets the file to {@code bytes} (the lap is empty): zeros appended, or the end cut off; synced if changed. */
    private void resize(long bytes) throws IOException {
        long size = channel.size();
        if (size == bytes) {
            return;
        }
        if (size < bytes) {
            fillZeros(channel, size, bytes);
        } else {
            channel.truncate(bytes);
        }
        syncs.force(channel, false);
        capacity = bytes;
    }

    // ---------------------------------------------------------------- format

    private record Header(long lap, long firstSequence) {
    }

    private static void writeHeader(FileChannel ch, long lap, long firstSequence) throws IOException {
        ByteBuffer slot = ByteBuffer.allocate(SLOT_BYTES);
        slot.putInt(MAGIC).put((byte) VERSION).put((byte) 0).put((byte) 0).put((byte) 0).putLong(lap)
                .putLong(firstSequence);
        slot.putInt(crc(slot.array(), 4, slot.position() - 4));
        slot.flip();
        writeFully(ch, slot, Math.floorMod(lap, 2) * (long) SLOT_SPACING);
    }

    /**
     * The valid header copy of the highest lap, or null if neither copy is valid.
     *
     * @throws IOException if a valid copy names a newer format version than this one
     */
    private static Header readHeader(FileChannel ch, Path path) throws IOException {
        if (ch.size() < RECORDS_AT) {
            return null;
        }
        Header best = null;
        for (int slot = 0; slot < 2; slot++) {
            ByteBuffer b = ByteBuffer.allocate(SLOT_BYTES);
            readFully(ch, b, (long) slot * SLOT_SPACING);
            if (b.getInt(0) != MAGIC || crc(b.array(), 4, SLOT_BYTES - 8) != b.getInt(SLOT_BYTES - 4)) {
                continue;
            }
            int version = b.get(4) & 0xFF;
            if (version != VERSION) {
                throw new IOException("journal " + path + " is of format version " + version + "; this imr reads"
                        + " version " + VERSION + " (and converts version " + LegacyJournal.VERSION + ")");
            }
            Header h = new Header(b.getLong(8), b.getLong(16));
            if (best == null || h.lap() > best.lap()) {
                best = h;
            }
        }
        return best;
    }

    private static Lap readLap(FileChannel ch, Header header) throws IOException {
        long size = ch.size();
        List<Entry> records = new ArrayList<>();
        long at = RECORDS_AT;
        long expected = header.firstSequence();
        ByteBuffer head = ByteBuffer.allocate(RECORD_HEADER);
        while (at + RECORD_HEADER <= size) {
            head.clear();
            readFully(ch, head, at);
            long sequence = head.getLong(8);
            int count = head.getInt(24);
            long body = head.getInt(28) & 0xFFFFFFFFL;
            if (head.getInt(0) != RECORD_MAGIC || sequence != expected || count < 0 || body > MAX_BODY
                    || at + RECORD_HEADER + body > size) {
                break;
            }
            ByteBuffer all = ByteBuffer.allocate((int) (RECORD_HEADER + body));
            readFully(ch, all, at);
            byte[] bytes = all.array();
            if (crc(bytes, 8, bytes.length - 8) != all.getInt(4)) {
                break;
            }
            List<Write> writes = parseWrites(ByteBuffer.wrap(bytes, RECORD_HEADER, (int) body), count);
            if (writes == null) {
                break;
            }
            records.add(new Entry(sequence, all.getLong(16), writes));
            at += bytes.length;
            expected++;
        }
        return new Lap(header.lap(), header.firstSequence(), records);
    }

    /** The writes of a record's body, or null if it does not hold exactly {@code count} of them. */
    static List<Write> parseWrites(ByteBuffer in, int count) {
        List<Write> writes = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            if (in.remaining() < WRITE_HEADER) {
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

    private static int crc(byte[] bytes, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }

    private static void fillZeros(FileChannel ch, long from, long to) throws IOException {
        for (long at = from; at < to; ) {
            int n = (int) Math.min(ZEROS.length, to - at);
            writeFully(ch, ByteBuffer.wrap(ZEROS, 0, n), at);
            at += n;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        while (buf.hasRemaining()) {
            at += ch.write(buf, at);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, at + buf.position());
            if (n < 0) {
                throw new IOException("journal ended early");
            }
        }
    }
}
