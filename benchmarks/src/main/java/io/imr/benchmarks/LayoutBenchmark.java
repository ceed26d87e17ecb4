package io.imr.benchmarks;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;
import org.mapdb.serializer.GroupSerializer;
import org.mapdb.serializer.SerializerArrayTuple;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The MapDB layouts behind the stores' design, measured on plain MapDB 3.1.0
 * ({@code fileDB(..).transactionEnable().fileChannelEnable()}, two fsyncs per commit), with
 * {@code batchSize} messages of 256 bytes per commit. Read the "messages" line.
 *
 * <ul>
 *   <li>{@code batch}: one record per commit holding all its messages, values outside the
 *       B-tree nodes (the stores' message layout);</li>
 *   <li>{@code batch+dedup-string | -delta | -tuple}: the same, plus one dedup entry per message
 *       (key sender/clientId with consecutive client ids from 4 senders, a 10-byte value inside
 *       the nodes) with {@code Serializer.STRING}, {@code STRING_DELTA} or a (sender, clientId)
 *       tuple as key serializer: what a dedup entry per message costs;</li>
 *   <li>{@code batch+runs-bytes | -delta}: the same with the run index of format 3 at its worst, one
 *       run per message (binary key sender, 0, outbox id, 0, 8-byte counter; an 8-byte value inside
 *       the nodes), with {@code Serializer.BYTE_ARRAY} or {@code BYTE_ARRAY_DELTA} as key
 *       serializer;</li>
 *   <li>{@code batch+runs-per-outbox}: the run index as a commit of 4 senders' consecutive
 *       counters writes it, one entry per outbox ({@code BYTE_ARRAY} keys);</li>
 *   <li>{@code outbox-per-entry}: enqueue the commit's entries as one record each and delete the
 *       previous commit's entries one by one (they were confirmed);</li>
 *   <li>{@code outbox-batch}: enqueue them as one batch record and delete the previous batch
 *       record (the stores' outbox layout; partly confirmed batches cost one small marks record
 *       instead of the delete).</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Thread)
public class LayoutBenchmark {

    @Param({"batch", "batch+dedup-string", "batch+dedup-delta", "batch+dedup-tuple", "batch+runs-bytes",
            "batch+runs-delta", "batch+runs-per-outbox", "outbox-per-entry", "outbox-batch"})
    public String layout;

    @Param({"1", "64", "256"})
    public int batchSize;

    private Path dir;
    private DB db;
    private BTreeMap<Long, byte[]> records;
    private BTreeMap<Object, byte[]> dedup;
    private BTreeMap<byte[], byte[]> runs;
    private byte[] payload;
    private byte[] batch;
    private final byte[] ref = new byte[10];
    private final byte[] ref8 = new byte[8];
    private long next = 1;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void open() {
        dir = BenchFiles.newDirectory("imr-bench-layout");
        db = DBMaker.fileDB(dir.resolve("layout.db").toFile()).transactionEnable().fileChannelEnable().make();
        records = db.treeMap("records", Serializer.LONG, Serializer.BYTE_ARRAY).valuesOutsideNodesEnable()
                .createOrOpen();
        GroupSerializer<?> keys = switch (layout) {
            case "batch+dedup-delta" -> Serializer.STRING_DELTA;
            case "batch+dedup-tuple" -> new SerializerArrayTuple(Serializer.STRING, Serializer.STRING);
            default -> Serializer.STRING;
        };
        dedup = db.treeMap("dedup", (GroupSerializer<Object>) keys, Serializer.BYTE_ARRAY).createOrOpen();
        runs = db.treeMap("runs", layout.equals("batch+runs-delta") ? Serializer.BYTE_ARRAY_DELTA : Serializer.BYTE_ARRAY,
                Serializer.BYTE_ARRAY).createOrOpen();
        payload = new byte[256 + 40];
        new SplittableRandom(1).nextBytes(payload);
        batch = new byte[batchSize * payload.length];
        new SplittableRandom(2).nextBytes(batch);
    }

    @Benchmark
    public void commit(MessageCounter counter) {
        long first = next;
        switch (layout) {
            case "outbox-per-entry" -> {
                for (int i = 0; i < batchSize; i++) {
                    records.put(first + i, payload);
                    if (first > batchSize) {
                        records.remove(first + i - batchSize);
                    }
                }
            }
            case "outbox-batch" -> {
                records.put(first, batch);
                if (first > batchSize) {
                    records.remove(first - batchSize);
                }
            }
            default -> {
                records.put(first, batch);
                if (layout.startsWith("batch+runs")) {
                    boolean perOutbox = layout.endsWith("per-outbox");
                    for (int i = 0; i < (perOutbox ? 4 : batchSize); i++) {
                        long n = first + i;
                        runs.put(runKey("sender" + (n % 4), "a1b2c3d4e5f6071" + (n % 4), n), ref8);
                    }
                } else if (!layout.equals("batch")) {
                    boolean tuple = layout.endsWith("tuple");
                    for (int i = 0; i < batchSize; i++) {
                        long n = first + i;
                        String sender = "sender" + (n % 4);
                        String clientId = "a1b2c3d4e5f6071" + (n % 4) + "-" + n;
                        dedup.put(tuple ? new Object[] {sender, clientId} : sender + "/" + clientId, ref);
                    }
                }
            }
        }
        db.commit();
        next += batchSize;
        counter.messages += batchSize;
    }

    /** The run key of format 3: sender, 0, outbox id, 0, counter as 8 bytes big-endian. */
    static byte[] runKey(String sender, String outboxId, long counter) {
        byte[] s = sender.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] o = outboxId.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] k = new byte[s.length + o.length + 10];
        System.arraycopy(s, 0, k, 0, s.length);
        System.arraycopy(o, 0, k, s.length + 1, o.length);
        for (int i = 0; i < 8; i++) {
            k[s.length + o.length + 2 + i] = (byte) (counter >>> (56 - 8 * i));
        }
        return k;
    }

    @TearDown(Level.Trial)
    public void close() {
        db.close();
        BenchFiles.delete(dir);
    }
}
