package io.imr.store.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Message;
import io.imr.api.store.ClientState;
import io.imr.api.store.OutboxEntry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * kill -9 in a loop: a child JVM commits to a store, is killed with SIGKILL at a random moment,
 * and the store is reopened and checked: consistent, nothing half-written, no acknowledged commit
 * missing. Each directory is killed and recovered several times in a row before a new one starts.
 *
 * <p>{@code -Dimr.crash.iterations=N} sets the iterations per store kind (default 25).
 */
@DisplayName("kill -9 while committing")
class CrashTest {

    private static final int ITERATIONS = Integer.getInteger("imr.crash.iterations", 25);
    private static final int KILLS_PER_DIRECTORY = 5;

    @TempDir
    Path root;

    private final SplittableRandom random = new SplittableRandom();

    /** The output of one child run, read until the pipe closed. */
    private static final class ChildOutput {
        final List<String> acks = new ArrayList<>();
        final List<String> other = new ArrayList<>();
        final CountDownLatch ready = new CountDownLatch(1);
    }

    /**
     * Runs a child until a random moment, kills it with SIGKILL and returns all it printed.
     *
     * <p>The kill goes through {@code ProcessHandle.destroyForcibly()} (SIGKILL on Linux), not
     * {@code Process.destroyForcibly()}: the latter also closes our end of the child's stdout,
     * and acknowledgements the child printed just before its death would be lost to the check.
     */
    private ChildOutput runAndKill(String kind, Path dir) throws Exception {
        return run(kind, dir, null);
    }

    /**
     * Runs a child; without {@code haltAt}, kills it at a random moment, else waits until it killed
     * itself at that point of a checkpoint.
     */
    private ChildOutput run(String kind, Path dir, StoreFaults.Point haltAt) throws Exception {
        Process child = haltAt == null ? ChildJvm.start(CrashChild.class, kind, dir.toString())
                : ChildJvm.start(CrashChild.class, kind, dir.toString(), haltAt.name());
        ChildOutput out = new ChildOutput();
        AtomicReference<IOException> readFailure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("ack ") || line.startsWith("device ")) {
                        out.acks.add(line);
                    } else if (line.equals("ready")) {
                        out.ready.countDown();
                    } else {
                        out.other.add(line);
                    }
                }
            } catch (IOException e) {
                readFailure.set(e);
            }
        });
        reader.start();
        boolean ready = out.ready.await(60, TimeUnit.SECONDS);
        if (haltAt == null) {
            if (ready) {
                // Not synchronisation: this picks the random moment of the kill.
                Thread.sleep(30 + random.nextInt(420));
            }
            child.toHandle().destroyForcibly();
        }
        boolean exited = child.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            child.toHandle().destroyForcibly();
        }
        assertThat(exited).as("the child ended").isTrue();
        if (haltAt != null) {
            assertThat(child.exitValue()).as("the child killed itself at %s", haltAt).isEqualTo(CrashChild.HALTED);
        }
        reader.join(60_000);
        assertThat(readFailure.get()).isNull();
        assertThat(ready).as("child became ready; it printed %s", out.other).isTrue();
        assertThat(out.other).as("the child printed no error").isEmpty();
        return out;
    }

    /**
     * Whether the main file lacks some bytes of the journal's last record: the kill came after the
     * record was synced and before the main file held all of it, the window in which plain MapDB
     * leaves a torn file; recovery applies the record.
     */
    private static boolean mainFileTorn(Path db) throws IOException {
        Path journal = RedoJournal.pathFor(db);
        if (!Files.exists(journal) || !Files.exists(db)) {
            return false;
        }
        RedoJournal.Lap lap = RedoJournal.readLap(journal);
        if (lap == null || lap.records().isEmpty()) {
            return false;
        }
        try (FileChannel main = FileChannel.open(db, StandardOpenOption.READ)) {
            for (RedoJournal.Write w : lap.records().get(lap.records().size() - 1).writes()) {
                ByteBuffer buf = ByteBuffer.allocate(w.data().length);
                main.read(buf, w.offset());
                if (!Arrays.equals(buf.array(), w.data())) {
                    return true;
                }
            }
            return false;
        }
    }

    @Test
    @DisplayName("a device's store recovers consistent, with every acknowledged commit")
    void clientStore() throws Exception {
        int torn = 0;
        long acks = 0;
        long[] acked = null;
        Path dir = null;
        for (int i = 0; i < ITERATIONS; i++) {
            if (i % KILLS_PER_DIRECTORY == 0) {
                dir = root.resolve("client-" + i);
                acked = new long[4];
            }
            ChildOutput out = runAndKill("client", dir);
            for (String line : out.acks) {
                String[] f = line.split(" ");
                for (int k = 0; k < 4; k++) {
                    acked[k] = Math.max(acked[k], Long.parseLong(f[k + 1]));
                }
            }
            acks += out.acks.size();
            if (mainFileTorn(dir.resolve(MapDbClientStore.DB_FILE))) {
                torn++;
            }
            checkClient(dir, acked, i);
        }
        System.out.printf("kill -9, client store: %d iterations, %d acknowledged commits, 0 recovery failures; %d kills"
                + " came after a commit's journal record was written and before the main file held all of it%n",
                ITERATIONS, acks, torn);
    }

    private static void checkClient(Path dir, long[] acked, int iteration) {
        try (MapDbClientStore store = MapDbClientStore.openExisting(dir)) {
            ClientState s = store.state();
            String at = "iteration " + iteration + ", state " + s;
            assertThat(s.cursor()).as(at).isGreaterThanOrEqualTo(acked[0]);
            assertThat(s.lastCounter()).as(at).isGreaterThanOrEqualTo(acked[1]);
            assertThat(s.handedOver()).as(at).isGreaterThanOrEqualTo(acked[3]).isLessThanOrEqualTo(s.cursor());
            assertThat(s.count()).as(at).isEqualTo(s.cursor());
            assertThat(s.firstSeq()).as(at).isEqualTo(s.cursor() == 0 ? 0 : 1);
            long expected = 1;
            for (long from = 1; from <= s.cursor(); from += 10_000) {
                for (Message m : store.read(from, 10_000)) {
                    assertThat(m.seq()).as(at).isEqualTo(expected);
                    assertThat(m.payloadIntact()).as(at).isTrue();
                    assertThat(m).as(at).isEqualTo(TestData.message("alice", 1, expected));
                    expected++;
                }
            }
            assertThat(expected - 1).as(at + ": messages readable from 1 to the cursor").isEqualTo(s.cursor());
            if (s.cursor() > 0) {
                assertThat(s.idAtCursor()).isEqualTo(TestData.message("alice", 1, s.cursor()).id());
            }
            List<OutboxEntry> outbox = store.outbox();
            assertThat(outbox).as(at).hasSize(s.outboxSize());
            for (int k = 0; k < outbox.size(); k++) {
                // The waiting entries are the newest ones, without a hole, up to the last counter.
                long counter = s.lastCounter() - outbox.size() + 1 + k;
                assertThat(outbox.get(k)).as(at).isEqualTo(TestData.entry("bob", counter));
                assertThat(counter).as(at + ": confirmed entries stay confirmed").isGreaterThan(acked[2]);
            }
        }
    }

    @Test
    @DisplayName("the server's store recovers consistent, with every acknowledged message and dedup entry")
    void serverStore() throws Exception {
        int torn = 0;
        long acks = 0;
        List<String[]> acked = null;
        long[] device = null;
        Path dir = null;
        for (int i = 0; i < ITERATIONS; i++) {
            if (i % KILLS_PER_DIRECTORY == 0) {
                dir = root.resolve("server-" + i);
                acked = new ArrayList<>();
                device = new long[1];
            }
            ChildOutput out = runAndKill("server", dir);
            for (String line : out.acks) {
                String[] f = line.split(" ");
                if (f[0].equals("device")) {
                    device[0] = Math.max(device[0], Long.parseLong(f[1]));
                    acks++;
                } else {
                    acked.add(f);
                }
            }
            if (mainFileTorn(dir.resolve(MapDbServerStore.DB_FILE))) {
                torn++;
            }

            checkServer(dir, acked, device[0], i);

        }
        System.out.printf("kill -9, server store: %d iterations, %d acknowledged commits, 0 recovery failures; %d kills"
                + " came after a commit's journal record was written and before the main file held all of it%n",
                ITERATIONS, acks, torn);
    }

    private static void checkServer(Path dir, List<String[]> acked, long device, int iteration) {
        try (MapDbServerStore store = MapDbServerStore.open(dir)) {
            String at = "iteration " + iteration;
            Set<String> ids = new HashSet<>();
            for (String user : List.of("r0", "r1", "r2")) {
                long max = store.inbox(user).maxSeq();
                assertThat(store.inbox(user).epoch()).isEqualTo(1);
                long expected = 1;
                for (long from = 1; from <= max; from += 10_000) {
                    for (Message m : store.read(user, from, 10_000)) {
                        assertThat(m.seq()).as(at + " " + user).isEqualTo(expected++);
                        assertThat(m.payloadIntact()).as(at).isTrue();
                        assertThat(m.payload()).as(at).isEqualTo(TestData.payload(m.id(), TestData.PAYLOAD));
                        assertThat(ids.add(m.id())).as(at + ": stored once: " + m.id()).isTrue();
                        assertThat(store.findBySender(m.sender(), m.clientId())).as(at).contains(m);
                    }
                }
                assertThat(expected - 1).as(at + ": " + user + " readable from 1 to its max seq").isEqualTo(max);
            }
            for (String[] a : acked) {
                Message m = store.findBySender(a[1], a[2]).orElseThrow(
                        () -> new AssertionError(at + ": acknowledged " + a[1] + "/" + a[2] + " is missing"));
                assertThat(m.recipient()).as(at).isEqualTo(a[3]);
                assertThat(m.seq()).as(at).isEqualTo(Long.parseLong(a[4]));
            }
            assertThat(store.device("r0", "d").map(d -> d.confirmed()).orElse(0L)).as(at)
                    .isGreaterThanOrEqualTo(device);
        }
    }

    @ParameterizedTest(name = "killed at {0}")
    @EnumSource(value = StoreFaults.Point.class, names = {"CHECKPOINT", "NEW_LAP", "JOURNAL_WRITE", "MAIN_APPLY"})
    @DisplayName("killed at each step of a checkpoint, both stores recover with every acknowledged commit")
    void killedInCheckpoint(StoreFaults.Point point) throws Exception {
        Path serverDir = root.resolve("server-" + point);
        List<String[]> acked = new ArrayList<>();
        long device = 0;
        for (int i = 0; i < 2; i++) {
            for (String line : run("server", serverDir, point).acks) {
                String[] f = line.split(" ");
                if (f[0].equals("device")) {
                    device = Math.max(device, Long.parseLong(f[1]));
                } else {
                    acked.add(f);
                }
            }
            checkServer(serverDir, acked, device, i);
        }
        Path clientDir = root.resolve("client-" + point);
        long[] clientAcked = new long[4];
        for (int i = 0; i < 2; i++) {
            for (String line : run("client", clientDir, point).acks) {
                String[] f = line.split(" ");
                for (int k = 0; k < 4; k++) {
                    clientAcked[k] = Math.max(clientAcked[k], Long.parseLong(f[k + 1]));
                }
            }
            checkClient(clientDir, clientAcked, i);
        }
        assertThat(acked).as("server commits acknowledged before the kill").isNotEmpty();
        assertThat(clientAcked[0]).as("client commits acknowledged before the kill").isPositive();
    }
}
