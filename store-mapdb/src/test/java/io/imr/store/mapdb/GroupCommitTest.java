package io.imr.store.mapdb;

import static io.imr.store.mapdb.TestData.await;
import static io.imr.store.mapdb.TestData.messages;
import static io.imr.store.mapdb.TestData.submission;
import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.store.Accepted;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientState;
import io.imr.api.store.ServerCommit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer, group commit: every stage completes only after the DB commit that holds its
 * operation returned, commits are really grouped, and a slow callback never stalls the writer.
 */
@DisplayName("Group commit")
class GroupCommitTest {

    private static final int THREADS = 8;
    private static final int COMMITS_PER_THREAD = 500;

    @TempDir
    Path dir;

    /** One submitted operation and its stage. */
    private record Submitted<T>(Object operation, CompletionStage<T> stage) {
    }

    /**
     * Runs {@code THREADS} threads that each submit {@code COMMITS_PER_THREAD} operations, one at a
     * time, waiting for each before the next (as a session waits for its commit before it
     * confirms), so that up to {@code THREADS} commits are in flight; checks in each stage's
     * callback that the DB commit its operation went into had returned by then.
     *
     * @return every operation's result
     */
    private static <T> List<T> hammer(FaultPlan plan, Function<Integer, Submitted<T>> submit) throws Exception {
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<T> results = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> threads = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                threads.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < COMMITS_PER_THREAD; i++) {
                        Submitted<T> s = submit.apply(thread * COMMITS_PER_THREAD + i);
                        await(s.stage().thenApply(result -> {
                            Long commit = plan.commitOf(s.operation());
                            long returned = plan.lastCommitted();
                            if (commit == null || commit > returned) {
                                violations.add(s.operation() + " completed in DB commit " + commit + " while "
                                        + returned + " had returned");
                            }
                            results.add(result);
                            return result;
                        }));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : threads) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(violations).isEmpty();
        return new ArrayList<>(results);
    }

    @Test
    @DisplayName("server: 8 threads x 500 commits complete after their own durable commit, in fewer DB commits")
    void server() throws Exception {
        FaultPlan plan = new FaultPlan();
        try (MapDbServerStore store = MapDbServerStore.open(dir, plan.options())) {
            List<List<Accepted>> results = hammer(plan, n -> {
                ServerCommit c = ServerCommit.append(List.of(submission("s" + (n % THREADS), "a1b2c3d4e5f60718-" + (n + 1),
                        "u" + (n % 4))));
                return new Submitted<>(c, store.commit(c));
            });
            // Seqs were given in the writer: per recipient they are exactly 1..n, none twice.
            int perUser = THREADS * COMMITS_PER_THREAD / 4;
            Map<String, List<Long>> seqs = new TreeMap<>();
            results.forEach(r -> r.forEach(a -> seqs.computeIfAbsent(a.message().recipient(), u -> new ArrayList<>())
                    .add(a.message().seq())));
            assertThat(seqs).hasSize(4);
            seqs.values().forEach(list -> assertThat(list).hasSize(perUser).doesNotHaveDuplicates()
                    .allMatch(s -> s >= 1 && s <= perUser));
            assertThat(store.inbox("u0").maxSeq()).isEqualTo(perUser);
        }
        report("server", THREADS * COMMITS_PER_THREAD, plan);
    }

    @Test
    @DisplayName("client: 8 threads x 500 commits complete after their own durable commit, in fewer DB commits")
    void client() throws Exception {
        FaultPlan plan = new FaultPlan();
        Object order = new Object();
        long[] next = {1};
        try (MapDbClientStore store = MapDbClientStore.open(dir, "alice", "phone", plan.options())) {
            // Messages must follow the cursor: a seq is taken and its commit queued under one lock,
            // so the queue order is the seq order, while threads still race to submit.
            List<ClientState> results = hammer(plan, n -> {
                synchronized (order) {
                    long seq = next[0]++;
                    ClientCommit c = TestData.received(messages("alice", 1, seq, seq));
                    return new Submitted<>(c, store.commit(c));
                }
            });
            assertThat(results).hasSize(THREADS * COMMITS_PER_THREAD);
            assertThat(store.state().cursor()).isEqualTo(THREADS * COMMITS_PER_THREAD);
            assertThat(store.read(1, 10_000)).isEqualTo(messages("alice", 1, 1, THREADS * COMMITS_PER_THREAD));
        }
        report("client", THREADS * COMMITS_PER_THREAD, plan);
    }

    private static void report(String which, int submissions, FaultPlan plan) {
        long commits = plan.lastCommitted();
        List<Integer> sizes = plan.groupSizes();
        int largest = sizes.stream().mapToInt(Integer::intValue).max().orElse(0);
        assertThat(commits).isLessThan(submissions);
        System.out.printf("group commit, %s: %d submissions in %d DB commits (%.1f per commit, largest group %d)%n",
                which, submissions, commits, (double) submissions / commits, largest);
    }

    @Test
    @DisplayName("a callback that blocks does not stall the writer: later commits are still made durable")
    void slowCallback() throws Exception {
        FaultPlan plan = new FaultPlan();
        try (MapDbServerStore store = MapDbServerStore.open(dir, plan.options())) {
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletionStage<List<Accepted>> first = store.commit(ServerCommit.append(List.of(submission("a", "a-1", "b"))))
                    .thenApply(r -> {
                        blocked.countDown();
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return r;
                    });
            assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();
            long before = plan.lastCommitted();
            List<CompletionStage<List<Accepted>>> later = new ArrayList<>();
            for (int i = 2; i <= 4; i++) {
                later.add(store.commit(ServerCommit.append(List.of(submission("a", "a-" + i, "b")))));
                plan.awaitCommit(before + i - 1);
            }
            assertThat(store.inbox("b").maxSeq()).isEqualTo(4);
            release.countDown();
            await(first);
            for (CompletionStage<List<Accepted>> s : later) {
                assertThat(await(s)).hasSize(1);
            }
        }
    }
}
