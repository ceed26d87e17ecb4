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
 * commit, one commit at a time, from 4 senders (client ids "outboxId-counter", as clients make
 * them) to 8 recipients. Each message gets its seq in the writer and a dedup entry; each
 * recipient gets one batch record per commit. Read the "messages" line: messages per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Thread)
public class ServerStoreBenchmark {

    static final int SENDERS = 4;
    static final int RECIPIENTS = 8;

    @Param({"1", "64", "256", "1024"})
    public int batchSize;

    private Path dir;
    private MapDbServerStore store;
    private byte[] payload;
    private int checksum;
    private long counter;
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
        for (int i = 0; i < batchSize; i++) {
            long n = ++counter;
            batch.add(new Submission("sender" + (n % SENDERS), "a1b2c3d4e5f6071" + (n % SENDERS) + "-" + n,
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
