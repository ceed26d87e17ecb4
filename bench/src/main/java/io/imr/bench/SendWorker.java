package io.imr.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The senders of a measurement, one thread each. At a fixed offered rate each message has an intended send
 * time on a fixed schedule, and that intended time is what its stamp carries, so a sender held up by
 * back-pressure does not hide the wait from the latency (no coordinated omission). Saturating, each sends as
 * fast as its client takes messages, and the stamp carries the moment of the send.
 */
final class SendWorker {

    private final Target target;
    private final List<ClientSpec> clients;
    private final List<String> to;
    private final int count;
    private final int warmup;
    private final int pacedWarmup;
    private final int size;
    private final double ratePerSender;
    private final WorkerLink link;
    private final HeapTracker heap;
    private final AtomicLong confirmed = new AtomicLong();
    private final AtomicLong firstSend = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastConfirm = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /**
     * @param to    the recipients: sender i sends to {@code to[i % to.size()]}
     * @param count messages per sender
     * @param warmup messages per sender before the measured ones, saturating
     * @param pacedWarmup messages per sender after those, at the offered rate, not measured either
     * @param rate  messages per second for all senders together; 0 saturates
     */
    SendWorker(Target target, List<ClientSpec> clients, List<String> to, int count, int warmup, int pacedWarmup,
               int size, double rate, WorkerLink link, HeapTracker heap) {
        if (size < Stamp.BYTES) {
            throw new IllegalArgumentException("messages need at least " + Stamp.BYTES + " bytes, got " + size);
        }
        this.target = target;
        this.clients = clients;
        this.to = to;
        this.count = count;
        this.warmup = warmup;
        this.pacedWarmup = pacedWarmup;
        this.size = size;
        this.ratePerSender = rate / clients.size();
        this.link = link;
        this.heap = heap;
    }

    void run() throws Exception {
        List<Sender> senders = new ArrayList<>();
        for (ClientSpec c : clients) {
            senders.add(target.openSender(c));
        }
        link.ready();
        link.awaitGo();
        if (warmup > 0 || pacedWarmup > 0) {
            if (warmup > 0) {
                sendEach(senders, warmup, 0, Stamp.WARMUP, false);
            }
            if (pacedWarmup > 0 && ratePerSender > 0) {
                confirmed.set(0);
                sendEach(senders, pacedWarmup, ratePerSender, Stamp.WARMUP, false);
            }
            confirmed.set(0);
            firstSend.set(Long.MAX_VALUE);
            lastConfirm.set(0);
        }
        link.warm();
        link.awaitGo();
        // What the warm-up cost is not the measurement's.
        WireCount wireBefore = wire(senders);
        long syncsBefore = syncs(senders);
        SyncTimes syncTimesBefore = syncTimes(senders);
        long total = sendEach(senders, count, ratePerSender, 0, true);
        WireCount wire = wire(senders).minus(wireBefore);
        long syncs = syncs(senders) - syncsBefore;
        SyncTimes syncTimes = syncTimes(senders).minus(syncTimesBefore);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("messages", total);
        r.put("firstSend", firstSend.get());
        r.put("lastConfirm", lastConfirm.get());
        r.put("wireTotal", wire.total());
        r.put("wirePayload", wire.payload());
        r.put("wireConfirmation", wire.confirmation());
        r.put("syncs", syncs);
        r.put("syncTimes", syncTimes.encode());
        r.put("heapAfterGc", heap.peakAfterGc());
        r.put("heapUsed", heap.peakUsed());
        link.result(r);
        link.awaitExit();
        for (Sender s : senders) {
            s.close();
        }
    }

    private static WireCount wire(List<Sender> senders) {
        WireCount wire = WireCount.ZERO;
        for (Sender s : senders) {
            wire = wire.plus(s.wire());
        }
        return wire;
    }

    private static SyncTimes syncTimes(List<Sender> senders) {
        SyncTimes sum = SyncTimes.NONE;
        for (Sender s : senders) {
            sum = sum.plus(s.syncTimes());
        }
        return sum;
    }

    private static long syncs(List<Sender> senders) {
        long syncs = 0;
        for (Sender s : senders) {
            syncs += s.syncs();
        }
        return syncs;
    }

    /** Every sender sends {@code n} messages on its own thread; returns once all were confirmed. */
    private long sendEach(List<Sender> senders, int n, double rate, int flag, boolean report) throws Exception {
        long start = System.nanoTime();
        long total = (long) n * senders.size();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < senders.size(); i++) {
            int index = i;
            Thread t = new Thread(() -> sendAll(senders.get(index), index | flag, to.get(index % to.size()), n, rate,
                    start), "sender-" + i);
            t.start();
            threads.add(t);
        }
        while (confirmed.get() < total) {
            Throwable f = failure.get();
            if (f != null) {
                throw new IllegalStateException("a sender failed: " + f.getMessage(), f);
            }
            if (report) {
                link.progress(confirmed.get());
            }
            Thread.sleep(report ? 200 : 20);
        }
        if (report) {
            link.progress(total);
        }
        for (Thread t : threads) {
            t.join();
        }
        return total;
    }

    private void sendAll(Sender sender, int senderIndex, String recipient, int n, double rate, long start) {
        long interval = rate > 0 ? (long) (1e9 / rate) : 0;
        try {
            for (int i = 1; i <= n; i++) {
                long intended;
                if (interval > 0) {
                    intended = start + (i - 1) * interval;
                    long wait;
                    while ((wait = intended - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                } else {
                    intended = System.nanoTime();
                }
                firstSend.accumulateAndGet(System.nanoTime(), Math::min);
                sender.send(recipient, Stamp.payload(size, intended, senderIndex, i), () -> {
                    lastConfirm.accumulateAndGet(System.nanoTime(), Math::max);
                    confirmed.incrementAndGet();
                });
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }
}
