package io.imr.benchmarks;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.Submission;
import io.imr.store.mapdb.MapDbClientStore;
import io.imr.store.mapdb.MapDbServerStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes N durable commits of 64 messages, one at a time, so that the syncs per commit can be
 * counted with strace (the difference between two values of N, divided by their difference):
 * <pre>
 * strace -f -c -e trace=fsync,fdatasync,msync java -cp benchmarks/target/benchmarks.jar \
 *     io.imr.benchmarks.SyncProbe client 100
 * strace -f -y -e trace=fsync,fdatasync java -cp benchmarks/target/benchmarks.jar \
 *     io.imr.benchmarks.SyncProbe server 3      # which file each sync is on
 * </pre>
 */
public final class SyncProbe {

    private SyncProbe() {
    }

    public static void main(String[] args) {
        if (args.length != 2 || !args[0].matches("client|server") || !args[1].matches("[0-9]+")) {
            System.err.println("usage: SyncProbe client|server COMMITS");
            System.exit(2);
        }
        int commits = Integer.parseInt(args[1]);
        byte[] payload = new byte[256];
        int checksum = Checksums.crc32c(payload);
        Path dir = BenchFiles.newDirectory("imr-sync-probe");
        try {
            if (args[0].equals("client")) {
                try (MapDbClientStore store = MapDbClientStore.open(dir, "alice", "phone")) {
                    long seq = 1;
                    for (int c = 0; c < commits; c++) {
                        List<Message> batch = new ArrayList<>();
                        for (int i = 0; i < 64; i++, seq++) {
                            batch.add(Message.of("bob", "0123456789abcdef-" + seq, "alice", seq, 1, 1, payload, checksum));
                        }
                        store.commit(ClientCommit.messages("g1-bench", batch)).toCompletableFuture().join();
                    }
                }
            } else {
                try (MapDbServerStore store = MapDbServerStore.open(dir)) {
                    long n = 0;
                    for (int c = 0; c < commits; c++) {
                        List<Submission> batch = new ArrayList<>();
                        for (int i = 0; i < 64; i++) {
                            n++;
                            batch.add(new Submission("bob", "0123456789abcdef-" + n, "alice", payload, checksum, 1));
                        }
                        store.commit(ServerCommit.append(batch)).toCompletableFuture().join();
                    }
                }
            }
        } finally {
            BenchFiles.delete(dir);
        }
        System.out.println(args[0] + ": " + commits + " durable commits done");
    }
}
