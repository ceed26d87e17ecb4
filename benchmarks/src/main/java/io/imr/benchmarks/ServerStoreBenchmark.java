package io.imr.benchmarks;

import io.imr.api.Checksums;
import io.imr.api.store.Accepted;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.Submission;
import io.imr.store.mapdb.MapDbServerStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * The server's store: durable appends of new messages, 256 bytes each, {@code batchSize} per
 * commit, one commit at a time, to 8 recipients. Client ids are "outboxId-counter", as clients
 * make them: each sender has one outbox and numbers its sends 1, 2, 3... Each message gets its seq
 * in the writer; each recipient gets one batch record per commit. Read the "messages" line:
 * messages per second.
 *
 * <p>{@code pattern}: {@code runs}, 8 senders each writing to a recipient of its own (a sender's
 * consecutive counters get the recipient's consecutive seqs: the dedup index extends one run per
 * outbox per commit); {@code interleaved}, 4 senders each alternating between two recipients (no
 * two consecutive counters of an outbox go to the same recipient: one run per message, the worst
 * case of the run index).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Thread)
public class ServerStoreBenchmark {

    static final int RECIPIENTS = 8;

    @Param({"1", "64", "256", "1024"})
    public int batchSize;

    @Param({"runs", "interleaved"})
    public String pattern;

    private Path dir;
    private MapDbServerStore store;
    private byte[] payload;
    private int checksum;
    private long n;
    private final long[] counters = new long[RECIPIENTS];
    private ServerCommit next;

    @Setup(Level.Trial)
    public void open() {
        dir = BenchFiles.newDirectory("imr-bench-server");
        store = MapDbServerStore.open(dir);
        payload = new byte[256];
        new SplittableRandom(1).nextBytes(payload);
        checksum = Checksums.crc32c(payload);
    }

    @Setup(Level.Invocation)
    public void prepare() {
        List<Submission> batch = new ArrayList<>(batchSize);
        int senders = pattern.equals("runs") ? RECIPIENTS : RECIPIENTS / 2;
        for (int i = 0; i < batchSize; i++) {
            n++;
            int sender = (int) (n % senders);
            batch.add(new Submission("sender" + sender, "a1b2c3d4e5f6071" + sender + "-" + ++counters[sender],
                    "user" + (n % RECIPIENTS), payload, checksum, 1));
        }
        next = ServerCommit.append(batch);
    }

    @Benchmark
    public List<Accepted> append(MessageCounter counter) {
        List<Accepted> accepted = store.commit(next).toCompletableFuture().join();
        counter.messages += batchSize;
        return accepted;
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
        BenchFiles.delete(dir);
    }
}
