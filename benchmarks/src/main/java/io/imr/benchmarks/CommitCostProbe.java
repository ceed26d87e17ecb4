package io.imr.benchmarks;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.Submission;
import io.imr.store.mapdb.MapDbClientStore;
import io.imr.store.mapdb.MapDbServerStore;
import io.imr.store.mapdb.SyncingStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What one single-message commit costs a store: commits per second, one at a time (each waits
 * for the one before), and the bytes written per commit, from {@code /proc/self/io}
 * ({@code wchar}: bytes passed to write calls; {@code write_bytes}: bytes of page cache dirtied,
 * what the disk gets sooner or later) and the syncs per commit. Opening and closing the store are
 * not measured; the first {@code COMMITS / 10} commits warm up. Uses the stores' public API only,
 * so the same class runs against an earlier build's jar for a before/after comparison:
 * <pre>
 * java -cp benchmarks/target/classes:app/target/imr.jar io.imr.benchmarks.CommitCostProbe server 3000
 * </pre>
 */
public final class CommitCostProbe {

    private CommitCostProbe() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2 || !args[0].matches("client|server") || !args[1].matches("[0-9]+")) {
            System.err.println("usage: CommitCostProbe client|server COMMITS");
            System.exit(2);
        }
        boolean client = args[0].equals("client");
        int commits = Integer.parseInt(args[1]);
        int warmup = commits / 10;
        byte[] payload = new byte[256];
        int checksum = Checksums.crc32c(payload);
        Path dir = BenchFiles.newDirectory("imr-commit-cost");
        try {
            AutoCloseable store = client ? MapDbClientStore.open(dir, "alice", "phone") : MapDbServerStore.open(dir);
            try {
                long[] io = null;
                long syncs = 0;
                long start = 0;
                for (int c = 1; c <= warmup + commits; c++) {
                    if (c == warmup + 1) {
                        io = procIo();
                        syncs = ((SyncingStore) store).syncs();
                        start = System.nanoTime();
                    }
                    if (client) {
                        Message m = Message.of("bob", "0123456789abcdef-" + c, "alice", c, 1, 1, payload, checksum);
                        ((MapDbClientStore) store).commit(ClientCommit.messages("g1-bench", List.of(m)))
                                .toCompletableFuture().join();
                    } else {
                        Submission s = new Submission("bob", "0123456789abcdef-" + c, "alice", payload, checksum, 1);
                        ((MapDbServerStore) store).commit(ServerCommit.append(List.of(s))).toCompletableFuture().join();
                    }
                }
                long nanos = System.nanoTime() - start;
                long[] after = procIo();
                long syncsAfter = ((SyncingStore) store).syncs();
                System.out.printf("%s: %d single-message commits, %.0f commits/s, %.0f us/commit, wchar %.0f B/commit,"
                                + " write_bytes %.0f B/commit, %.3f syncs/commit%n", args[0], commits,
                        commits / (nanos / 1e9), nanos / 1e3 / commits, (after[0] - io[0]) / (double) commits,
                        (after[1] - io[1]) / (double) commits, (syncsAfter - syncs) / (double) commits);
            } finally {
                store.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            BenchFiles.delete(dir);
        }
    }

    /** {@code wchar} and {@code write_bytes} of this process. */
    private static long[] procIo() throws IOException {
        long[] out = new long[2];
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("wchar:")) {
                out[0] = Long.parseLong(line.substring(6).trim());
            } else if (line.startsWith("write_bytes:")) {
                out[1] = Long.parseLong(line.substring(12).trim());
            }
        }
        return out;
    }
}
