package io.imr.benchmarks;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientState;
import io.imr.store.mapdb.MapDbClientStore;
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
 * A device's store: durable commits of received messages, 256 bytes each, {@code batchSize} per
 * commit, one commit at a time (each waits for the previous: no group commit helps here). Each
 * commit is synced (redo journal and main file). Read the "messages" line: messages per second.
 *
 * <p>{@code pattern}: {@code runs}, from 8 senders in turn, each numbering its sends 1, 2, 3...
 * (each commit extends one counter run per sender); {@code gaps}, the same but each sender's
 * counters step by 2 (it wrote to someone else in between: one run per message, the worst case).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@State(Scope.Thread)
public class ClientStoreBenchmark {

    @Param({"1", "64", "256", "1024"})
    public int batchSize;

    private Path dir;
    private MapDbClientStore store;
    private byte[] payload;
    private int checksum;
    @Param({"runs", "gaps"})
    public String pattern;

    private long nextSeq = 1;
    private ClientCommit next;

    @Setup(Level.Trial)
    public void open() {
        dir = BenchFiles.newDirectory("imr-bench-client");
        store = MapDbClientStore.open(dir, "alice", "phone");
        payload = new byte[256];
        new SplittableRandom(1).nextBytes(payload);
        checksum = Checksums.crc32c(payload);
    }

    /** Builds the next commit outside the measured time: it is the caller's work, not the store's. */
    @Setup(Level.Invocation)
    public void prepare() {
        List<Message> batch = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            long seq = nextSeq + i;
            int sender = (int) (seq % 8);
            long counter = (seq / 8 + 1) * (pattern.equals("runs") ? 1 : 2);
            batch.add(Message.of("bob" + sender, "0123456789abcde" + sender + "-" + counter, "alice", seq, 1, 1,
                    payload, checksum));
        }
        next = ClientCommit.messages("g1-bench", batch);
    }

    @Benchmark
    public ClientState commit(MessageCounter counter) {
        ClientState s = store.commit(next).toCompletableFuture().join();
        nextSeq += batchSize;
        counter.messages += batchSize;
        return s;
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
        BenchFiles.delete(dir);
    }
}
