package io.imr.store.mapdb;

import static io.imr.store.mapdb.TestData.await;
import static io.imr.store.mapdb.TestData.failureOf;
import static io.imr.store.mapdb.TestData.submission;
import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.store.Accepted;
import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.StoreException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What is true after a commit fails writing: the failure rules of {@link io.imr.api.store.ServerStore}. */
@DisplayName("MapDbServerStore when writing fails")
class ServerStoreFailureTest {

    @TempDir
    Path dir;

    private final FaultPlan plan = new FaultPlan();
    private MapDbServerStore store;

    @BeforeEach
    void open() {
        store = MapDbServerStore.open(dir, plan.options());
        await(store.commit(new ServerCommit(List.of(submission("alice", "a-1", "bob"), submission("alice", "a-2", "bob")),
                List.of(new DeviceState("bob", "phone", 1, 2, 2)))));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static ServerCommit next() {
        return new ServerCommit(List.of(submission("alice", "a-3", "bob"), submission("carol", "c-1", "dave")),
                List.of(new DeviceState("bob", "phone", 1, 5, 4)));
    }

    private void assertNothingOfItVisible() {
        assertThat(store.inbox("bob")).isEqualTo(new InboxState("bob", 1, 2, 1));
        assertThat(store.inbox("dave")).isEqualTo(new InboxState("dave", 1, 0, 0));
        assertThat(store.read("bob", 1, 10)).hasSize(2);
        assertThat(store.read("dave", 1, 10)).isEmpty();
        assertThat(store.findBySender("alice", "a-3")).isEmpty();
        assertThat(store.findBySender("carol", "c-1")).isEmpty();
        assertThat(store.device("bob", "phone")).contains(new DeviceState("bob", "phone", 1, 2, 2));
    }

    @ParameterizedTest(name = "failing at {0}")
    @EnumSource(value = StoreFaults.Point.class, names = {"BEFORE_APPLY", "AFTER_APPLY", "JOURNAL_WRITE"})
    @DisplayName("a failed commit uses up no seq, makes no dedup entry, and a resend is stored as new, also after reopening")
    void failedCommitLeavesNothing(StoreFaults.Point point) {
        plan.failNextAt(point);
        assertThat(failureOf(store.commit(next()))).isExactlyInstanceOf(StoreException.class)
                .hasMessageContaining("nothing of it was stored");
        assertNothingOfItVisible();
        store.close();
        store = MapDbServerStore.open(dir, plan.options());
        assertNothingOfItVisible();

        List<Accepted> resent = await(store.commit(next()));
        assertThat(resent).extracting(a -> a.message().seq()).containsExactly(3L, 1L);
        assertThat(resent).noneMatch(Accepted::duplicate);
        assertThat(store.device("bob", "phone")).contains(new DeviceState("bob", "phone", 1, 5, 4));
    }

    @ParameterizedTest(name = "failing at {0}")
    @EnumSource(value = StoreFaults.Point.class, names = {"BEFORE_APPLY", "AFTER_APPLY", "JOURNAL_WRITE"})
    @DisplayName("every commit of a failed group fails on its own stage, and the store stays usable")
    void groupFails(StoreFaults.Point point) throws Exception {
        plan.holdNextGroup();
        CompletionStage<List<Accepted>> held = store.commit(ServerCommit.device(new DeviceState("bob", "tablet", 1, 0, 0)));
        plan.awaitHeld();
        plan.failAt(point, 1);
        CompletionStage<List<Accepted>> a = store.commit(next());
        CompletionStage<List<Accepted>> b = store.commit(ServerCommit.append(List.of(submission("alice", "a-3", "bob"))));
        plan.release();
        await(held);
        for (CompletionStage<?> s : List.of(a, b)) {
            assertThat(failureOf(s)).isExactlyInstanceOf(StoreException.class);
        }
        assertNothingOfItVisible();
        assertThat(store.inbox("bob").epoch()).isEqualTo(1);
        assertThat(await(store.commit(next()))).extracting(x -> x.message().seq()).containsExactly(3L, 1L);
    }

    @Test
    @DisplayName("a failure after the journal record was synced still commits: the reopen completes it")
    void failureAfterCommitPoint() {
        plan.failNextAt(StoreFaults.Point.MAIN_APPLY);
        List<Accepted> accepted = await(store.commit(next()));
        assertThat(accepted).extracting(a -> a.message().seq()).containsExactly(3L, 1L);
        assertThat(store.inbox("bob").maxSeq()).isEqualTo(3);
        assertThat(store.findBySender("carol", "c-1")).contains(accepted.get(1).message());
        store.close();
        store = MapDbServerStore.open(dir);
        assertThat(store.inbox("dave")).isEqualTo(new InboxState("dave", 1, 1, 1));
        assertThat(await(store.commit(next()))).allMatch(Accepted::duplicate);
    }
}
