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
 * {@link SyncingStore#syncs()} counts exactly the syncs the store makes. The figures are those
 * {@code strace -f -e trace=fsync,fdatasync} showed for a store doing 100 and 1000 commits of one
 * message each: 2 per commit (the journal record, then the main file), 9 to create and open a
 * store, 4 to open it again.
 */
@DisplayName("Counting a store's syncs")
class SyncCountTest {

    private static final int COMMITS = 100;

    @TempDir
    Path dir;

    @Test
    @DisplayName("the client store: 9 syncs to create and open it, 2 per commit, none to close, 4 to open it again")
    void clientStore() {
        try (MapDbClientStore store = MapDbClientStore.open(dir, "alice", "phone")) {
            // Building the file under a temporary name (3 MapDB commits, 6), the directory (1), the opening's commit (2).
            assertThat(store.syncs()).isEqualTo(9);
            for (int seq = 1; seq <= COMMITS; seq++) {
                long before = store.syncs();
                await(store.commit(TestData.received(List.of(message("alice", 1, seq)))));
                assertThat(store.syncs() - before).as("syncs of commit %d", seq).isEqualTo(2);
            }
            assertThat(store.syncs()).isEqualTo(9 + 2 * COMMITS);
            store.close();
            assertThat(store.syncs()).as("after close").isEqualTo(9 + 2 * COMMITS);
        }
        try (MapDbClientStore again = MapDbClientStore.open(dir, "alice", "phone")) {
            // The last commit's journal record applied again (main file, journal), then the opening's commit.
            assertThat(again.syncs()).isEqualTo(4);
        }
        try (MapDbClientStore existing = MapDbClientStore.openExisting(dir)) {
            assertThat(existing.syncs()).as("openExisting makes no commit").isEqualTo(2);
        }
    }

    @Test
    @DisplayName("the server store: 9 syncs to create and open it, 2 per commit (a duplicate's too), 4 to open it again")
    void serverStore() {
        try (MapDbServerStore store = MapDbServerStore.open(dir)) {
            // Building the file (6), the directory (1), the commit of the opening's generation (2).
            assertThat(store.syncs()).isEqualTo(9);
            for (int i = 1; i <= COMMITS; i++) {
                long before = store.syncs();
                await(store.commit(ServerCommit.append(List.of(submission("alice", "c-" + i, "bob")))));
                assertThat(store.syncs() - before).as("syncs of commit %d", i).isEqualTo(2);
            }
            long before = store.syncs();
            assertThat(await(store.commit(ServerCommit.append(List.of(submission("alice", "c-1", "bob"))))).get(0)
                    .duplicate()).isTrue();
            assertThat(store.syncs() - before).as("a commit of a duplicate only").isEqualTo(2);
            assertThat(store.syncs()).isEqualTo(9 + 2 * (COMMITS + 1));
        }
        try (MapDbServerStore again = MapDbServerStore.open(dir)) {
            assertThat(again.syncs()).isEqualTo(4);
        }
    }

    @Test
    @DisplayName("grouped commits cost 2 syncs per DB commit, however many they are")
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
            assertThat(store.syncs() - syncsBefore).isEqualTo(4);
            assertThat(store.state().cursor()).isEqualTo(11);
        }
    }

    /**
     * A failed commit: before its journal record is written, nothing of it is synced, and reopening
     * empties the journal (1); after the record was synced (1), reopening applies it to the main
     * file (1) and empties the journal (1).
     */
    @ParameterizedTest(name = "failing at {0}: {1} syncs")
    @CsvSource({"BEFORE_APPLY, 1", "AFTER_APPLY, 1", "JOURNAL_WRITE, 1", "MAIN_APPLY, 3"})
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
            assertThat(store.syncs() - before).as("the next commit").isEqualTo(2);
        }
    }

    @Test
    @DisplayName("each store counts its own syncs")
    void perStore() {
        try (MapDbClientStore a = MapDbClientStore.open(dir.resolve("a"), "alice", "phone");
             MapDbClientStore b = MapDbClientStore.open(dir.resolve("b"), "bob", "phone")) {
            await(a.commit(TestData.received(List.of(message("alice", 1, 1)))));
            assertThat(a.syncs()).isEqualTo(11);
            assertThat(b.syncs()).isEqualTo(9);
        }
    }
}
