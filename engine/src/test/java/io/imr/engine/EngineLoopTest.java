package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The engine's loop")
class EngineLoopTest {

    private final EngineLoop loop = new EngineLoop("test-engine");

    @AfterEach
    void close() throws InterruptedException {
        loop.close(5, TimeUnit.SECONDS);
    }

    private void drain() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(done::countDown);
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    @DisplayName("tasks from many threads run one at a time, each thread's in its order, on the loop's thread")
    void orderAndOneThread() throws Exception {
        int threads = 4;
        int perThread = 20_000;
        List<List<Integer>> seen = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            seen.add(new ArrayList<>());
        }
        AtomicInteger running = new AtomicInteger();
        List<Thread> ran = Collections.synchronizedList(new ArrayList<>());
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread p = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    int n = i;
                    loop.execute(() -> {
                        assertThat(running.incrementAndGet()).isEqualTo(1);
                        seen.get(id).add(n);
                        if (n == 0) {
                            ran.add(Thread.currentThread());
                        }
                        running.decrementAndGet();
                    });
                }
            });
            p.start();
            producers.add(p);
        }
        for (Thread p : producers) {
            p.join();
        }
        drain();
        for (int t = 0; t < threads; t++) {
            assertThat(seen.get(t)).hasSize(perThread);
            for (int i = 0; i < perThread; i++) {
                assertThat(seen.get(t).get(i)).isEqualTo(i);
            }
        }
        assertThat(ran).extracting(Thread::getName).containsOnly("test-engine");
    }

    @Test
    @DisplayName("timers run when due, in deadline order; a cancelled one never runs")
    void timers() throws Exception {
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch last = new CountDownLatch(1);
        long start = System.nanoTime();
        loop.schedule(TimeUnit.MILLISECONDS.toNanos(60), () -> {
            order.add("60");
            last.countDown();
        });
        loop.schedule(TimeUnit.MILLISECONDS.toNanos(20), () -> order.add("20"));
        EngineRuntime.Cancellable off = loop.schedule(TimeUnit.MILLISECONDS.toNanos(40), () -> order.add("40"));
        loop.schedule(0, () -> order.add("0"));
        off.cancel();
        assertThat(last.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - start).as("not before its time").isGreaterThanOrEqualTo(
                TimeUnit.MILLISECONDS.toNanos(60));
        assertThat(order).containsExactly("0", "20", "60");
    }

    @Test
    @DisplayName("many cancelled timers do not pile up")
    void cancelledTimersArePurged() throws Exception {
        for (int i = 0; i < 10_000; i++) {
            loop.schedule(TimeUnit.HOURS.toNanos(1), () -> { }).cancel();
        }
        drain();
        assertThat(loop.timersWaiting()).isLessThan(200);
    }

    @Test
    @DisplayName("a task that throws is reported and the loop goes on")
    void throwingTask() throws Exception {
        List<Throwable> reported = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch handlerSet = new CountDownLatch(1);
        loop.execute(() -> {
            Thread.currentThread().setUncaughtExceptionHandler((t, e) -> reported.add(e));
            handlerSet.countDown();
        });
        assertThat(handlerSet.await(5, TimeUnit.SECONDS)).isTrue();
        loop.execute(() -> {
            throw new IllegalStateException("boom");
        });
        drain();
        assertThat(reported).singleElement().extracting(Throwable::getMessage).isEqualTo("boom");
    }

    @Test
    @DisplayName("after close nothing runs, and close returns once the thread ended")
    void closing() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        loop.schedule(TimeUnit.MILLISECONDS.toNanos(50), ran::incrementAndGet);
        assertThat(loop.close(5, TimeUnit.SECONDS)).isTrue();
        loop.execute(ran::incrementAndGet);
        Thread.sleep(100);
        assertThat(ran).hasValue(0);
        assertThat(loop.isStopped()).isTrue();
    }
}
