package io.imr.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.store.ClientCommit;
import io.imr.store.mapdb.MapDbClientStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The listener's hand-over")
class DispatcherTest {

    @TempDir
    Path dir;

    private final ExecutorService listenerThread = Executors.newSingleThreadExecutor();
    private final LinkedBlockingQueue<Long> handedOver = new LinkedBlockingQueue<>();

    @AfterEach
    void stop() {
        listenerThread.shutdownNow();
    }

    private static List<Message> messages(int from, int to) {
        List<Message> list = new ArrayList<>();
        for (int seq = from; seq <= to; seq++) {
            byte[] p = ("m" + seq).getBytes();
            list.add(Message.of("alice", "c-" + seq, "bob", seq, 1, 0, p, Checksums.crc32c(p)));
        }
        return list;
    }

    private MapDbClientStore storeWith(int count) {
        MapDbClientStore store = MapDbClientStore.open(dir, "bob", "phone");
        store.commit(ClientCommit.rebase(new ClientCommit.Rebase("g1-test", 1, 0))).toCompletableFuture().join();
        store.commit(ClientCommit.messages("g1-test", messages(1, count))).toCompletableFuture().join();
        return store;
    }

    private long awaitHandedOver(long seq) throws InterruptedException {
        long last = 0;
        while (last < seq) {
            Long next = handedOver.poll(10, TimeUnit.SECONDS);
            assertThat(next).as("hand-over progressed to " + seq).isNotNull();
            assertThat(next).as("hand-over never moves back").isGreaterThanOrEqualTo(last);
            last = next;
        }
        return last;
    }

    @Test
    @DisplayName("replays from the store what was committed but not handed over, then takes new commits in order")
    void replayThenNew() throws Exception {
        try (MapDbClientStore store = storeWith(300)) {
            List<Long> seen = new ArrayList<>();
            Dispatcher d = new Dispatcher(store, listenerThread, m -> seen.add(m.seq()), handedOver::add);
            d.start(100, 300); // 1..100 were handed over before a crash
            awaitHandedOver(300);
            store.commit(ClientCommit.messages("g1-test", messages(301, 310))).toCompletableFuture().join();
            d.committed(messages(301, 310));
            awaitHandedOver(310);
            List<Long> expected = new ArrayList<>();
            for (long s = 101; s <= 310; s++) {
                expected.add(s);
            }
            assertThat(seen).isEqualTo(expected);
        }
    }

    @Test
    @DisplayName("retries a listener that throws, and moves on after the third failure without losing order")
    void listenerFailures() throws Exception {
        try (MapDbClientStore store = storeWith(3)) {
            AtomicInteger calls = new AtomicInteger();
            List<Long> seen = new ArrayList<>();
            Dispatcher d = new Dispatcher(store, listenerThread, m -> {
                calls.incrementAndGet();
                if (m.seq() == 1 && calls.get() <= 2) {
                    throw new IllegalStateException("transient");
                }
                if (m.seq() == 2) {
                    throw new IllegalStateException("always");
                }
                seen.add(m.seq());
            }, handedOver::add);
            d.start(0, 3);
            awaitHandedOver(3);
            assertThat(seen).containsExactly(1L, 3L);
            assertThat(calls.get()).as("2 failures + 1 success for seq 1, 3 failures for seq 2, 1 for seq 3")
                    .isEqualTo(7);
        }
    }
}
