package io.imr.app;

import io.imr.api.Message;
import io.imr.embed.ImrClient;
import io.imr.store.mapdb.MapDbClientStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The legitimate pair the fuzzer's traffic runs beside: a sender ({@code alice/laptop} over TCP) and a receiver
 * ({@code bob/phone} over WebSocket), real {@link ImrClient}s on real MapDB stores, the sender offering messages at a
 * steady rate. Each payload carries its index and when it was sent, so the receiver's listener (called after the
 * commit) measures the latency of each, by phase; afterwards the receiver's store is read back and compared with what
 * was sent: nothing lost, nothing twice, in order.
 */
final class LegitPair implements AutoCloseable {

    static final String SENDER = "alice";
    static final String SENDER_DEVICE = "laptop";
    static final String RECEIVER = "bob";
    static final String RECEIVER_DEVICE = "phone";

    /** Bytes of a payload: its index, its send time, its phase, padding. */
    static final int PAYLOAD = 64;

    /** Latencies of one phase, in nanoseconds, sorted on read. */
    private final List<long[]> latencies = new ArrayList<>();
    private final int[] counts = new int[3];
    private final Path senderDir;
    private final Path receiverDir;
    private final ImrClient sender;
    private final ImrClient receiver;
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fuzz-legit-pacer");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger sendFailures = new AtomicInteger();
    private final AtomicInteger received = new AtomicInteger();
    /** 2 while warming up (not reported), then 0 (quiet), then 1 (under attack). */
    private volatile int phase = 2;

    /**
     * @param tcp the server's TCP address, HOST:PORT
     * @param ws  its WebSocket address, ws://HOST:PORT/imr
     */
    LegitPair(Path dir, String tcp, String ws, String senderToken, String receiverToken) {
        senderDir = dir.resolve("alice-laptop");
        receiverDir = dir.resolve("bob-phone");
        latencies.add(new long[1 << 16]);
        latencies.add(new long[1 << 16]);
        latencies.add(new long[1 << 10]);
        sender = ImrClient.builder().server(tcp).user(SENDER).device(SENDER_DEVICE).token(senderToken)
                .dataDir(senderDir).build();
        receiver = ImrClient.builder().server(ws).user(RECEIVER).device(RECEIVER_DEVICE).token(receiverToken)
                .dataDir(receiverDir).listener(this::committed).build();
    }

    /** Connects both (each to its first welcome). */
    void start() throws Exception {
        receiver.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
        sender.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    /** Starts offering {@code rate} messages a second. */
    void offer(double rate) {
        long period = Math.max(1, (long) (1e9 / rate));
        pacer.scheduleAtFixedRate(this::sendOne, 0, period, TimeUnit.NANOSECONDS);
    }

    /** Messages sent from now on count in phase 0 (quiet) rather than the warm-up, whose latency is not reported. */
    void quietPhase() {
        phase = 0;
    }

    /** Messages sent from now on count in phase 1 (under attack) rather than 0 (quiet). */
    void attackPhase() {
        phase = 1;
    }

    private void sendOne() {
        int index = sent.get();
        ByteBuffer b = ByteBuffer.allocate(PAYLOAD);
        b.putInt(index).putLong(System.nanoTime()).putInt(phase);
        try {
            sender.send(RECEIVER, b.array());
            sent.incrementAndGet();
        } catch (RuntimeException e) {
            sendFailures.incrementAndGet(); // an outbox that refuses: said in the report, retried at the next tick
        }
    }

    private void committed(Message m) {
        ByteBuffer b = ByteBuffer.wrap(m.payload());
        b.getInt();
        long latency = System.nanoTime() - b.getLong();
        int p = b.getInt();
        synchronized (latencies) {
            long[] l = latencies.get(p);
            if (counts[p] == l.length) {
                l = Arrays.copyOf(l, l.length * 2);
                latencies.set(p, l);
            }
            l[counts[p]++] = latency;
        }
        received.incrementAndGet();
    }

    /** Stops offering and waits until the receiver committed everything sent, at most {@code within}. */
    boolean stopAndDrain(Duration within) throws InterruptedException {
        pacer.shutdown();
        pacer.awaitTermination(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + within.toNanos();
        while (received.get() < sent.get() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return received.get() >= sent.get();
    }

    int sent() {
        return sent.get();
    }

    int sendFailures() {
        return sendFailures.get();
    }

    /** The quantile {@code q} of phase {@code p}'s latencies in milliseconds, NaN for none. */
    double latencyMillis(int p, double q) {
        synchronized (latencies) {
            int n = counts[p];
            if (n == 0) {
                return Double.NaN;
            }
            long[] sorted = Arrays.copyOf(latencies.get(p), n);
            Arrays.sort(sorted);
            return sorted[Math.min(n - 1, (int) Math.ceil(q * n) - 1)] / 1e6;
        }
    }

    int latencyCount(int p) {
        synchronized (latencies) {
            return counts[p];
        }
    }

    /** What the receiver's store holds, compared with what was sent: read after {@link #close()}. */
    record Delivery(int sent, int stored, int lost, int duplicates, int outOfOrder, int foreign) {
        boolean whole() {
            return lost == 0 && duplicates == 0 && outOfOrder == 0 && foreign == 0 && stored == sent;
        }
    }

    /** Reads the receiver's store back (closed by then) and compares it with what was sent. */
    Delivery delivery() {
        int n = sent.get();
        boolean[] seen = new boolean[n];
        int[] stored = new int[1];
        int[] duplicates = new int[1];
        int[] outOfOrder = new int[1];
        int[] foreign = new int[1];
        int[] last = {-1};
        try (MapDbClientStore store = MapDbClientStore.openExisting(receiverDir)) {
            StoredMessages.forEach(store, m -> {
                stored[0]++;
                int index = m.payload().length == PAYLOAD ? ByteBuffer.wrap(m.payload()).getInt() : -1;
                if (!m.sender().equals(SENDER) || index < 0 || index >= n) {
                    foreign[0]++;
                    return;
                }
                if (seen[index]) {
                    duplicates[0]++;
                }
                seen[index] = true;
                if (index <= last[0]) {
                    outOfOrder[0]++;
                }
                last[0] = index;
            });
        }
        int lost = 0;
        for (boolean s : seen) {
            if (!s) {
                lost++;
            }
        }
        return new Delivery(n, stored[0], lost, duplicates[0], outOfOrder[0], foreign[0]);
    }

    @Override
    public void close() throws Exception {
        pacer.shutdownNow();
        sender.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
        receiver.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
