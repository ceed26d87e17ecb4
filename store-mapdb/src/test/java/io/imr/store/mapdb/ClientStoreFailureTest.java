package io.imr.store.mapdb;

import static io.imr.store.mapdb.TestData.await;
import static io.imr.store.mapdb.TestData.entries;
import static io.imr.store.mapdb.TestData.failureOf;
import static io.imr.store.mapdb.TestData.messages;
import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Message;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientState;
import io.imr.api.store.OutboxEntry;
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

/** What is true after a commit fails writing: the failure rule of {@link io.imr.api.store.ClientStore#commit}. */
@DisplayName("MapDbClientStore when writing fails")
class ClientStoreFailureTest {

    @TempDir
    Path dir;

    private final FaultPlan plan = new FaultPlan();
    private MapDbClientStore store;
    private ClientState before;
    private List<OutboxEntry> outboxBefore;

    @BeforeEach
    void open() {
        store = MapDbClientStore.open(dir, "alice", "phone", plan.options());
        before = await(store.commit(new ClientCommit(null, TestData.GEN, messages("alice", 1, 1, 5), 2, entries("bob", 1, 4),
                List.of())));
        outboxBefore = store.outbox();
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** A commit that touches everything: rebase, messages, hand-over, outbox in and out. */
    private static ClientCommit everything() {
        return new ClientCommit(new ClientCommit.Rebase("g2-b", 2, 5), "g2-b", messages("alice", 2, 6, 8), 7,
                entries("bob", 5, 6), List.of(1L, 2L));
    }

    /** The state but for the count of openings, which a reopening moves on. */
    static ClientState apartFromOpenings(ClientState s) {
        return new ClientState(s.user(), s.device(), s.outboxId(), s.epoch(), s.cursor(), s.idAtCursor(), s.firstSeq(),
                s.count(), s.handedOver(), s.lastCounter(), s.outboxSize(), s.server(), 0);
    }

    private void assertNothingOfItVisible() {
        assertThat(apartFromOpenings(store.state())).isEqualTo(apartFromOpenings(before));
        assertThat(store.read(6, 10)).isEmpty();
        assertThat(store.read(1, 10)).isEqualTo(messages("alice", 1, 1, 5));
        assertThat(store.outbox()).isEqualTo(outboxBefore);
    }

    @ParameterizedTest(name = "failing at {0}")
    @EnumSource(value = StoreFaults.Point.class, names = {"BEFORE_APPLY", "AFTER_APPLY", "JOURNAL_WRITE"})
    @DisplayName("a failed commit leaves nothing of itself, the store stays usable, and both hold after reopening")
    void failedCommitLeavesNothing(StoreFaults.Point point) {
        plan.failNextAt(point);
        Throwable failure = failureOf(store.commit(everything()));
        assertThat(failure).isExactlyInstanceOf(StoreException.class)
                .hasMessageContaining("nothing of it was stored").hasMessageContaining("injected fault at " + point);
        assertThat(plan.injectedFailures()).isEqualTo(1);
        assertNothingOfItVisible();

        store.close();
        store = MapDbClientStore.open(dir, "alice", "phone", plan.options());
        assertNothingOfItVisible();

        // Usable, and the same counters and seqs can be committed again: nothing was used up.
        ClientState after = await(store.commit(everything()));
        assertThat(after.cursor()).isEqualTo(8);
        assertThat(after.epoch()).isEqualTo(1);
        assertThat(after.server()).isEqualTo(new ClientState.ServerPosition("g2-b", 2, 8, messages("alice", 2, 8, 8)
                .get(0).id()));
        assertThat(after.lastCounter()).isEqualTo(6);
        assertThat(store.outbox()).extracting(OutboxEntry::counter).containsExactly(3L, 4L, 5L, 6L);
        store.close();
        store = MapDbClientStore.open(dir, "alice", "phone", plan.options());
        assertThat(apartFromOpenings(store.state())).isEqualTo(apartFromOpenings(after));
        assertThat(store.read(1, 10)).hasSize(8);
    }

    @ParameterizedTest(name = "failing at {0}")
    @EnumSource(value = StoreFaults.Point.class, names = {"BEFORE_APPLY", "AFTER_APPLY", "JOURNAL_WRITE"})
    @DisplayName("every commit of a failed group fails on its own stage, each with the write failure")
    void wholeGroupFails(StoreFaults.Point point) throws Exception {
        plan.holdNextGroup();
        CompletionStage<ClientState> held = store.commit(ClientCommit.handedOver(3));
        plan.awaitHeld();
        // The held group passes the point, the group queued behind it fails there.
        plan.failAt(point, 1);
        CompletionStage<ClientState> a = store.commit(TestData.received(messages("alice", 1, 6, 7)));
        CompletionStage<ClientState> rejected = store.commit(TestData.received(messages("alice", 1, 20, 20)));
        CompletionStage<ClientState> b = store.commit(ClientCommit.enqueue(entries("bob", 5, 5)));
        CompletionStage<ClientState> c = store.commit(ClientCommit.confirmed(List.of(1L, 2L)));
        plan.release();
        before = await(held);

        for (CompletionStage<ClientState> s : List.of(a, b, c)) {
            assertThat(failureOf(s)).isExactlyInstanceOf(StoreException.class)
                    .hasMessageContaining("nothing of it was stored");
        }
        assertThat(failureOf(rejected)).isInstanceOf(StoreException.RejectedException.class);
        assertThat(plan.injectedFailures()).isEqualTo(1);
        assertNothingOfItVisible();
        assertThat(await(store.commit(TestData.received(messages("alice", 1, 6, 7)))).cursor()).isEqualTo(7);
    }

    @Test
    @DisplayName("a commit queued behind a failed one is checked against what was really stored")
    void successorOfFailedCommit() throws Exception {
        plan.holdNextGroup();
        CompletionStage<ClientState> a = store.commit(TestData.received(messages("alice", 1, 6, 7)));
        plan.awaitHeld();
        plan.failNextAt(StoreFaults.Point.AFTER_APPLY);
        CompletionStage<ClientState> b = store.commit(TestData.received(messages("alice", 1, 8, 9)));
        plan.release();
        assertThat(failureOf(a)).isExactlyInstanceOf(StoreException.class);
        assertThat(failureOf(b)).isInstanceOf(StoreException.RejectedException.class)
                .hasMessageContaining("follow the server position 5");
        assertNothingOfItVisible();
    }

    @Test
    @DisplayName("a failure after the journal record was synced still commits: the reopen completes it")
    void failureAfterCommitPoint() {
        plan.failNextAt(StoreFaults.Point.MAIN_APPLY);
        ClientState after = await(store.commit(everything()));
        assertThat(plan.injectedFailures()).isEqualTo(1);
        assertThat(after.cursor()).isEqualTo(8);
        assertThat(store.state()).isEqualTo(after);
        // Stored in the device's own numbering, which the server's matched here: seqs 6..8 of epoch 1.
        assertThat(store.read(6, 10)).extracting(Message::id)
                .containsExactlyElementsOf(messages("alice", 2, 6, 8).stream().map(Message::id).toList());
        assertThat(store.read(6, 10)).extracting(Message::seq).containsExactly(6L, 7L, 8L);
        assertThat(store.outbox()).extracting(OutboxEntry::counter).containsExactly(3L, 4L, 5L, 6L);
        store.close();
        store = MapDbClientStore.open(dir, "alice", "phone");
        assertThat(apartFromOpenings(store.state())).isEqualTo(apartFromOpenings(after));
        assertThat(store.read(1, 10)).hasSize(8);
    }
}
