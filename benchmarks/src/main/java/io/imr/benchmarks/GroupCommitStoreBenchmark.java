package io.imr.benchmarks;

import io.imr.api.Checksums;
import io.imr.api.store.Accepted;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.Submission;
import io.imr.store.mapdb.MapDbServerStore;
import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Group commit on the server's store: 8 threads, each committing one message at a time and
 * waiting for it, as sessions do. The writer groups what arrives during a commit into the next,
 * so the throughput is several times what one thread gets with one message per commit.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Threads(8)
public class GroupCommitStoreBenchmark {

    /** The store all threads share. */
    @State(Scope.Benchmark)
    public static class Store {
        Path dir;
        MapDbServerStore store;
        byte[] payload;
        int checksum;

        @Setup(Level.Trial)
        public void open() {
            dir = BenchFiles.newDirectory("imr-bench-group");
            store = MapDbServerStore.open(dir);
            payload = new byte[256];
            new SplittableRandom(1).nextBytes(payload);
            checksum = Checksums.crc32c(payload);
        }

        @TearDown(Level.Trial)
        public void close() {
            store.close();
            BenchFiles.delete(dir);
        }
    }

    /** One sender per thread. */
    @State(Scope.Thread)
    public static class Sender {
        String name;
        long counter;
        ServerCommit next;

        @Setup(Level.Trial)
        public void name(ThreadParams thread) {
            name = "sender" + thread.getThreadIndex();
        }

        @Setup(Level.Invocation)
        public void prepare(Store s) {
            long n = ++counter;
            next = ServerCommit.append(List.of(new Submission(name, "a1b2c3d4e5f60718-" + n, "user" + (n % 8),
                    s.payload, s.checksum, 1)));
        }
    }

    @Benchmark
    public List<Accepted> appendOneEach(Store s, Sender sender, MessageCounter counter) {
        List<Accepted> accepted = s.store.commit(sender.next).toCompletableFuture().join();
        counter.messages++;
        return accepted;
    }
}
