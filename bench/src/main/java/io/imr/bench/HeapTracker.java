package io.imr.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * This JVM's peak heap: the most that was still in use right after a garbage collection (what the process
 * really needed), and the most in use at any sample (garbage included, which depends on the heap's size).
 */
final class HeapTracker {

    private final AtomicLong afterGc = new AtomicLong();
    private final AtomicLong used = new AtomicLong();

    HeapTracker() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((n, h) -> {
                    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                        return;
                    }
                    var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                    long total = 0;
                    for (MemoryUsage u : info.getGcInfo().getMemoryUsageAfterGc().values()) {
                        total += u.getUsed();
                    }
                    // The map holds non-heap pools too (metaspace, code cache): count the heap's alone.
                    total -= nonHeap(info);
                    long t = total;
                    afterGc.accumulateAndGet(t, Math::max);
                }, null, null);
            }
        }
        Thread sampler = new Thread(() -> {
            while (true) {
                sample();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private static long nonHeap(GarbageCollectionNotificationInfo info) {
        long sum = 0;
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.NON_HEAP) {
                MemoryUsage u = info.getGcInfo().getMemoryUsageAfterGc().get(pool.getName());
                if (u != null) {
                    sum += u.getUsed();
                }
            }
        }
        return sum;
    }

    private void sample() {
        used.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
    }

    /** The most heap in use right after a collection; the sampled maximum when no collection ran. */
    long peakAfterGc() {
        long a = afterGc.get();
        return a > 0 ? a : peakUsed();
    }

    /** Forgets the peaks so far: what follows is measured alone (the warm-up's devices are closed by then). */
    void reset() {
        afterGc.set(0);
        used.set(0);
    }

    long peakUsed() {
        sample();
        return used.get();
    }
}
