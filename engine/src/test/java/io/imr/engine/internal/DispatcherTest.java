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

    @Test
    @DisplayName("tells the listener of an expired range once every message before it was handed over, before the"
            + " messages after it, also when it is told of the range while it is behind")
    void expiredInOrder() throws Exception {
        try (MapDbClientStore store = storeWith(200)) {
            List<String> told = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
            Dispatcher d = new Dispatcher(store, listenerThread, new io.imr.engine.MessageListener() {
                @Override
                public void onMessage(Message m) throws Exception {
                    gate.await(); // behind: the range is reported while message 1 is being handed over
                    told.add("m" + m.seq());
                }

                @Override
                public void expired(long from, long to) {
                    told.add("expired " + from + ".." + to);
                }
            }, handedOver::add);
            d.start(0, 100);
            d.expired(new io.imr.api.store.ExpiredRange(1, 101, 150), 100);
            d.storedUpTo(200);
            gate.countDown();
            awaitHandedOver(200);
            List<String> expected = new ArrayList<>();
            for (int s = 1; s <= 100; s++) {
                expected.add("m" + s);
            }
            expected.add("expired 101..150");
            for (int s = 101; s <= 200; s++) {
                expected.add("m" + s);
            }
            assertThat(told).isEqualTo(expected);
        }
    }

    @Test
    @DisplayName("tells the listener of an expired range at once when it is up to date")
    void expiredAtOnce() throws Exception {
        try (MapDbClientStore store = storeWith(3)) {
            LinkedBlockingQueue<String> told = new LinkedBlockingQueue<>();
            Dispatcher d = new Dispatcher(store, listenerThread, new io.imr.engine.MessageListener() {
                @Override
                public void onMessage(Message m) {
                    told.add("m" + m.seq());
                }

                @Override
                public void expired(long from, long to) {
                    told.add("expired " + from + ".." + to);
                }
            }, handedOver::add);
            d.start(0, 3);
            awaitHandedOver(3);
            d.expired(new io.imr.api.store.ExpiredRange(1, 4, 9), 3);
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                seen.add(told.poll(10, TimeUnit.SECONDS));
            }
            assertThat(seen).containsExactly("m1", "m2", "m3", "expired 4..9");
        }
    }
}
