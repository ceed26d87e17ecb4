package io.imr.engine;

import io.imr.api.Message;
import io.imr.api.store.Accepted;
import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.ServerStore;
import io.imr.store.mapdb.MapDbServerStore;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * The real MapDB store for tests on virtual time: its commits are awaited on the test's thread, so
 * their outcomes reach the {@link ManualRuntime} in order from one thread. A test can hold commits
 * (they are carried out only when released, in order), make the next commit throw, and run
 * something right after an inbox read (to commit between a hello's read and its welcome).
 */
final class TestServerStore implements ServerStore {

    private final MapDbServerStore store;
    private final ArrayDeque<Runnable> held = new ArrayDeque<>();
    private Predicate<ServerCommit> holding = c -> false;
    private RuntimeException throwOnNextCommit;
    private Runnable afterNextInboxRead;
    int commits;
    int inboxReads;
    int trims;

    TestServerStore(Path dir) {
        this.store = MapDbServerStore.open(dir);
    }

    /** Commits from now on wait for {@link #release}. */
    void hold() {
        holding = c -> true;
    }

    /** Commits of device states (watermarks) from now on wait for {@link #release}; appends commit at once. */
    void holdWatermarks() {
        holding = c -> !c.devices().isEmpty();
    }

    /** Carries out the held commits, oldest first, and commits at once from now on. */
    void release() {
        holding = c -> false;
        while (!held.isEmpty()) {
            held.poll().run();
        }
    }

    /** Carries out the oldest held commit; later commits stay held. */
    void releaseOne() {
        held.poll().run();
    }

    int heldCommits() {
        return held.size();
    }

    /** The next call of {@link #commit} or {@link #startEpoch} throws this instead of returning a stage. */
    void throwOnNextCommit(RuntimeException e) {
        throwOnNextCommit = e;
    }

    /** Runs {@code action} right after the next inbox read returned its state. */
    void afterNextInboxRead(Runnable action) {
        afterNextInboxRead = action;
    }

    /**
     * Whether a commit only records when devices were seen (the engine writes one at each welcome and session end):
     * those pass through at once and are not counted, so that tests hold and count the commits of halves and sends.
     */
    private static boolean seenOnly(ServerCommit commit) {
        return commit.submissions().isEmpty() && !commit.devices().isEmpty()
                && commit.devices().stream().allMatch(d -> d.lastSeen() > 0);
    }

    @Override
    public CompletionStage<List<Accepted>> commit(ServerCommit commit) {
        if (seenOnly(commit)) {
            return CompletableFuture.completedFuture(store.commit(commit).toCompletableFuture().join());
        }
        if (throwOnNextCommit != null) {
            RuntimeException e = throwOnNextCommit;
            throwOnNextCommit = null;
            throw e;
        }
        commits++;
        if (!holding.test(commit)) {
            return CompletableFuture.completedFuture(store.commit(commit).toCompletableFuture().join());
        }
        CompletableFuture<List<Accepted>> later = new CompletableFuture<>();
        held.add(() -> later.complete(store.commit(commit).toCompletableFuture().join()));
        return later;
    }

    @Override
    public List<Message> read(String user, long fromSeq, int limit) {
        return store.read(user, fromSeq, limit);
    }

    @Override
    public InboxState inbox(String user) {
        inboxReads++;
        InboxState state = store.inbox(user);
        Runnable after = afterNextInboxRead;
        afterNextInboxRead = null;
        if (after != null) {
            after.run();
        }
        return state;
    }

    @Override
    public Optional<DeviceState> device(String user, String device) {
        return store.device(user, device);
    }

    @Override
    public List<DeviceState> devices(String user) {
        return store.devices(user);
    }

    @Override
    public List<String> users(String after, int limit) {
        return store.users(after, limit);
    }

    @Override
    public long firstSeqSince(String user, long millis) {
        return store.firstSeqSince(user, millis);
    }

    @Override
    public CompletionStage<InboxState> trim(String user, long below) {
        trims++;
        return CompletableFuture.completedFuture(store.trim(user, below).toCompletableFuture().join());
    }

    @Override
    public Optional<Message> findBySender(String sender, String clientId) {
        return store.findBySender(sender, clientId);
    }

    @Override
    public String generation() {
        return store.generation();
    }

    @Override
    public boolean vouches(String user, long seq, String id, String generation) {
        return store.vouches(user, seq, id, generation);
    }

    @Override
    public void close() {
        store.close();
    }
}
