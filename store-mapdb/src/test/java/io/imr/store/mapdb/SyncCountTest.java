package io.imr.store.mapdb;

import static io.imr.store.mapdb.TestData.await;
import static io.imr.store.mapdb.TestData.failureOf;
import static io.imr.store.mapdb.TestData.message;
import static io.imr.store.mapdb.TestData.messages;
import static io.imr.store.mapdb.TestData.submission;
import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.store.ClientCommit;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.StoreException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link SyncingStore#syncs()} counts exactly the syncs the store makes: 1 per commit (its journal
 * record), 2 more for a commit that finds the journal full (the checkpoint: the main file, then the
 * journal's new lap), 9 to create and open a store, 2 to close it (a checkpoint, which writes into
 * the main file the pages committed since the last one: the main file, the journal's new lap), 1 to
 * open it again (its journal's lap is empty: the opening's commit).
 */
@DisplayName("Counting a store's syncs")
class SyncCountTest {

    private static final int COMMITS = 100;

    @TempDir
    Path dir;

    @Test
    @DisplayName("the client store: 9 syncs to create and open it, 1 per commit, 2 to close, 1 to open it again")
    void clientStore() {
        try (MapDbClientStore store = MapDbClientStore.open(dir, "alice", "phone")) {
            // Building the file under a temporary name: its journal (the file, the directory: 2), 3 MapDB
            // commits (3), closing it (a checkpoint: main file, new lap: 2); the directory after renaming
            // (1); at open, the journal's lap is empty (0); the opening's commit (1).
            assertThat(store.syncs()).isEqualTo(9);
            for (int seq = 1; seq <= COMMITS; seq++) {
                long before = store.syncs();
                await(store.commit(TestData.received(List.of(message("alice", 1, seq)))));
                assertThat(store.syncs() - before).as("syncs of commit %d", seq).isEqualTo(1);
            }
            assertThat(store.syncs()).isEqualTo(9 + COMMITS);
            store.close();
            assertThat(store.syncs()).as("after close: a checkpoint").isEqualTo(9 + COMMITS + 2);
        }
        try (MapDbClientStore again = MapDbClientStore.open(dir, "alice", "phone")) {
            // Nothing to apply from the journal, then the opening's commit.
            assertThat(again.syncs()).isEqualTo(1);
        }
        try (MapDbClientStore existing = MapDbClientStore.openExisting(dir)) {
            assertThat(existing.syncs()).as("openExisting makes no commit, and its close no checkpoint").isZero();
            existing.close();
            assertThat(existing.syncs()).isZero();
        }
    }

    @Test
    @DisplayName("the server store: 9 syncs to create and open it, 1 per commit (none for a duplicate), 1 to open it again")
    void serverStore() {
        try (MapDbServerStore store = MapDbServerStore.open(dir)) {
            // Building the file and its journal (5) and closing it (a checkpoint: 2), the directory (1),
            // nothing to apply at open (0), the commit of the opening's generation (1).
            assertThat(store.syncs()).isEqualTo(9);
            for (int i = 1; i <= COMMITS; i++) {
                long before = store.syncs();
                await(store.commit(ServerCommit.append(List.of(submission("alice", "c-" + i, "bob")))));
                assertThat(store.syncs() - before).as("syncs of commit %d", i).isEqualTo(1);
            }
            long before = store.syncs();
            assertThat(await(store.commit(ServerCommit.append(List.of(submission("alice", "c-1", "bob"))))).get(0)
                    .duplicate()).isTrue();
            assertThat(store.syncs() - before).as("a commit of a duplicate only changes no byte: no record, no sync")
                    .isZero();
            assertThat(store.syncs()).isEqualTo(9 + COMMITS);
        }
        try (MapDbServerStore again = MapDbServerStore.open(dir)) {
            assertThat(again.syncs()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("grouped commits cost 1 sync per DB commit, however many they are")
    void groupedCommits() throws Exception {
        FaultPlan plan = new FaultPlan();
        try (MapDbClientStore store = MapDbClientStore.open(dir, "alice", "phone", plan.options())) {
            long syncsBefore = store.syncs();
            long commitsBefore = plan.lastCommitted();
            plan.holdNextGroup();
            List<CompletionStage<?>> stages = new ArrayList<>();
            stages.add(store.commit(TestData.received(messages("alice", 1, 1, 1))));
            plan.awaitHeld();
            for (int seq = 2; seq <= 11; seq++) {
                stages.add(store.commit(TestData.received(messages("alice", 1, seq, seq))));
            }
            plan.release();
            stages.forEach(TestData::await);
            assertThat(plan.lastCommitted() - commitsBefore).as("DB commits").isEqualTo(2);
            assertThat(store.syncs() - syncsBefore).isEqualTo(2);
            assertThat(store.state().cursor()).isEqualTo(11);
        }
    }

    /**
     * A failed commit: before its journal record is written, nothing of it is synced, and reopening
     * applies the journal's lap to the main file (1) and starts a new lap (1); after the record was
     * synced (1), the same reopening applies it too.
     */
    @ParameterizedTest(name = "failing at {0}: {1} syncs")
    @CsvSource({"BEFORE_APPLY, 2", "AFTER_APPLY, 2", "JOURNAL_WRITE, 2", "MAIN_APPLY, 3"})
    @DisplayName("a failed commit and the reopen after it are counted too")
    void failedCommit(StoreFaults.Point point, long expected) {
        FaultPlan plan = new FaultPlan();
        try (MapDbClientStore store = MapDbClientStore.open(dir, "alice", "phone", plan.options())) {
            long before = store.syncs();
            plan.failNextAt(point);
            Throwable failure = failureOf(store.commit(TestData.received(messages("alice", 1, 1, 1))));
            assertThat(plan.injectedFailures()).isEqualTo(1);
            if (point == StoreFaults.Point.MAIN_APPLY) {
                assertThat(failure).as("durable once its record was synced").isNull();
            } else {
                assertThat(failure).isInstanceOf(StoreException.class);
            }
            assertThat(store.syncs() - before).isEqualTo(expected);
            before = store.syncs();
            long next = failure == null ? 2 : 1;
            await(store.commit(TestData.received(messages("alice", 1, next, next))));
            assertThat(store.syncs() - before).as("the next commit").isEqualTo(1);
        }
    }

    @Test
    @DisplayName("a commit that finds the journal full costs 2 syncs more: the main file, then the journal's new lap")
    void checkpoints() throws Exception {
        StoreOptions options = StoreOptions.DEFAULTS.withJournalBytes(16 * 1024);
        Path journal = RedoJournal.pathFor(dir.resolve(MapDbServerStore.DB_FILE));
        try (MapDbServerStore store = MapDbServerStore.open(dir, options)) {
            long lapAtStart = RedoJournal.readLap(journal).number();
            long total = 0;
            int threes = 0;
            for (int i = 1; i <= COMMITS; i++) {
                long before = store.syncs();
                await(store.commit(ServerCommit.append(List.of(submission("alice", "c-" + i, "bob")))));
                long syncs = store.syncs() - before;
                assertThat(syncs).as("syncs of commit %d", i).isIn(1L, 3L);
                threes += syncs == 3 ? 1 : 0;
                total += syncs;
            }
            long laps = RedoJournal.readLap(journal).number() - lapAtStart;
            assertThat(laps).as("checkpoints").isGreaterThan(2).isEqualTo(threes);
            assertThat(total).isEqualTo(COMMITS + 2 * laps);
        }
    }

    @Test
    @DisplayName("each store counts its own syncs")
    void perStore() {
        try (MapDbClientStore a = MapDbClientStore.open(dir.resolve("a"), "alice", "phone");
             MapDbClientStore b = MapDbClientStore.open(dir.resolve("b"), "bob", "phone")) {
            await(a.commit(TestData.received(List.of(message("alice", 1, 1)))));
            assertThat(a.syncs()).isEqualTo(10);
            assertThat(b.syncs()).isEqualTo(9);
        }
    }

    @Test
    @DisplayName("a removal or hand-over waits for the next commit that must go now and shares its sync; alone, it commits after the defer time")
    void deferrableCommitsRideWithTheNext() {
        StoreOptions options = StoreOptions.DEFAULTS.withDeferNanos(5_000_000_000L);
        try (MapDbClientStore store = MapDbClientStore.open(dir, "alice", "phone", options)) {
            await(store.commit(ClientCommit.enqueue(TestData.entries("bob", 1, 3))));
            long before = store.syncs();
            CompletionStage<?> removal = store.commit(ClientCommit.confirmed(List.of(1L, 2L)));
            CompletionStage<?> handOver = store.commit(ClientCommit.handedOver(0));
            assertThat(removal.toCompletableFuture().isDone()).as("a removal waits for the next commit").isFalse();
            await(store.commit(TestData.received(List.of(message("alice", 1, 1)))));
            await(removal);
            await(handOver);
            assertThat(store.syncs() - before).as("removal, hand-over and messages in one commit").isEqualTo(1);
            assertThat(store.outbox()).extracting(e -> e.counter()).containsExactly(3L);
        }
        StoreOptions shortDefer = StoreOptions.DEFAULTS.withDeferNanos(20_000_000L);
        try (MapDbClientStore store = MapDbClientStore.open(dir, "alice", "phone", shortDefer)) {
            long before = store.syncs();
            await(store.commit(ClientCommit.confirmed(List.of(3L))));
            assertThat(store.syncs() - before).as("alone, after the defer time, with a sync of its own").isEqualTo(1);
            assertThat(store.outbox()).isEmpty();
        }
    }

    @Test
    @DisplayName("closing commits a deferred operation: a server's watermark waiting for an append is stored")
    void closeCommitsWhatWaits() {
        StoreOptions options = StoreOptions.DEFAULTS.withDeferNanos(60_000_000_000L);
        io.imr.api.store.DeviceState state;
        try (MapDbServerStore store = MapDbServerStore.open(dir, options)) {
            await(store.commit(ServerCommit.append(List.of(submission("alice", "c-1", "bob")))));
            state = new io.imr.api.store.DeviceState("bob", "phone", 1, 1, 1);
            CompletionStage<?> watermark = store.commit(ServerCommit.device(state));
            assertThat(watermark.toCompletableFuture().isDone()).isFalse();
            store.close();
            assertThat(watermark.toCompletableFuture().isDone()).as("completed by close").isTrue();
            await(watermark);
        }
        try (MapDbServerStore again = MapDbServerStore.open(dir)) {
            assertThat(again.device("bob", "phone")).contains(state);
        }
    }

    @Test
    @DisplayName("every counted sync is timed for each observer, from the moment it observes")
    void observedSyncs() {
        try (MapDbServerStore store = MapDbServerStore.open(dir)) {
            List<Long> first = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Long> second = java.util.Collections.synchronizedList(new ArrayList<>());
            store.observeSyncs(first::add);
            long before = store.syncs();
            for (int i = 1; i <= 10; i++) {
                await(store.commit(ServerCommit.append(List.of(submission("alice", "c-" + i, "bob")))));
            }
            store.observeSyncs(second::add);
            long between = store.syncs();
            for (int i = 11; i <= 20; i++) {
                await(store.commit(ServerCommit.append(List.of(submission("alice", "c-" + i, "bob")))));
            }
            assertThat(first).hasSize((int) (store.syncs() - before)).allSatisfy(n -> assertThat(n).isPositive());
            assertThat(second).hasSize((int) (store.syncs() - between));
            assertThat(first.subList(first.size() - second.size(), first.size())).isEqualTo(second);
            org.assertj.core.api.Assertions.assertThatNullPointerException().isThrownBy(() -> store.observeSyncs(null));
            // An observer that throws neither fails the commit nor keeps the others from hearing of it.
            store.observeSyncs(n -> {
                throw new IllegalStateException("a broken observer");
            });
            List<Long> third = java.util.Collections.synchronizedList(new ArrayList<>());
            store.observeSyncs(third::add);
            long beforeBroken = store.syncs();
            assertThat(await(store.commit(ServerCommit.append(List.of(submission("alice", "c-21", "bob"))))).get(0)
                    .duplicate()).isFalse();
            assertThat(third).hasSize((int) (store.syncs() - beforeBroken)).isNotEmpty();
        }
    }
}
