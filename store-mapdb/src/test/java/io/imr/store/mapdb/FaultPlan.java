package io.imr.store.mapdb;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Test hooks: fail the next commit at a chosen point, and record which DB commit each operation
 * went into and the highest commit that returned.
 */
final class FaultPlan implements StoreFaults {

    private final AtomicReference<Point> failNext = new AtomicReference<>();
    private final AtomicReference<Hold> hold = new AtomicReference<>();
    private final AtomicInteger passes = new AtomicInteger();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong lastCommitted = new AtomicLong();
    private final Map<Object, Long> commitOf = Collections.synchronizedMap(new IdentityHashMap<>());
    private final List<Integer> groupSizes = Collections.synchronizedList(new ArrayList<>());

    private record Hold(CountDownLatch reached, CountDownLatch released) {
    }

    /** Makes the next commit that reaches {@code point} fail there with an IOException. */
    FaultPlan failNextAt(Point point) {
        return failAt(point, 0);
    }

    /** Lets {@code passes} commits pass {@code point}, then makes the next one fail there. */
    FaultPlan failAt(Point point, int passes) {
        this.passes.set(passes);
        failNext.set(point);
        return this;
    }

    /**
     * Makes the writer wait, before it applies its next group, until {@link #release()}; commits
     * submitted meanwhile queue up and form the group after it.
     */
    FaultPlan holdNextGroup() {
        hold.set(new Hold(new CountDownLatch(1), new CountDownLatch(1)));
        return this;
    }

    /** Waits until the writer is held. */
    void awaitHeld() throws InterruptedException {
        if (!hold.get().reached().await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the writer never reached the hold");
        }
    }

    void release() {
        Hold h = hold.getAndSet(null);
        if (h != null) {
            h.released().countDown();
        }
    }

    @Override
    public void at(Point point) throws IOException {
        Hold h = hold.get();
        if (point == Point.BEFORE_APPLY && h != null && h.reached().getCount() > 0) {
            h.reached().countDown();
            try {
                if (!h.released().await(30, TimeUnit.SECONDS)) {
                    throw new IOException("test never released the writer");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failNext.get() == point && passes.getAndDecrement() <= 0 && failNext.compareAndSet(point, null)) {
            failures.incrementAndGet();
            throw new IOException("injected fault at " + point);
        }
    }

    @Override
    public void committed(long commitNumber, List<Object> operations) {
        for (Object op : operations) {
            commitOf.put(op, commitNumber);
        }
        groupSizes.add(operations.size());
        synchronized (lastCommitted) {
            lastCommitted.set(commitNumber);
            lastCommitted.notifyAll();
        }
    }

    /** Waits until DB commit number {@code n} returned. */
    void awaitCommit(long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (lastCommitted) {
            while (lastCommitted.get() < n) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new IllegalStateException("commit " + n + " never came, last was " + lastCommitted.get());
                }
                lastCommitted.wait(left);
            }
        }
    }

    long injectedFailures() {
        return failures.get();
    }

    /** The DB commit an operation went into, or null. */
    Long commitOf(Object operation) {
        return commitOf.get(operation);
    }

    /** The number of the last DB commit that returned. */
    long lastCommitted() {
        return lastCommitted.get();
    }

    List<Integer> groupSizes() {
        synchronized (groupSizes) {
            return List.copyOf(groupSizes);
        }
    }

    StoreOptions options() {
        return StoreOptions.DEFAULTS.withFaults(this);
    }
}
