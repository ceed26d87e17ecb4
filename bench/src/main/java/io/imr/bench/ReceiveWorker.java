package io.imr.bench;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The receiving devices of a measurement. Each records, for every message it is handed after its commit, the
 * time from the message's intended send to now, and checks that no message comes twice and that each
 * sender's messages come in order.
 */
final class ReceiveWorker {

    /** Latencies in microseconds, up to an hour, three significant digits. */
    static final long MAX_MICROS = 3_600_000_000L;

    private final Target target;
    private final List<ClientSpec> clients;
    private final long expectPerDevice;
    private final long warmupPerDevice;
    private final boolean openOnGo;
    private final WorkerLink link;
    private final HeapTracker heap;
    /*
     * Each of these is kept twice, [MEASURED] and [WARMUP], and a message is counted in the one its stamp says with
     * the same code either way: a branch on "warm-up or not" would be compiled for the warm-up's side only, and the
     * first measured message would make the JIT throw that code away (and every caller it was inlined into) while
     * the measurement runs. Only the measured counts are reported: a scenario may warm up twice (saturating, then at
     * its rate) with the same stamps, which the warm-up's counts would take for duplicates.
     */
    private static final int MEASURED = 0;
    private static final int WARMUP = 1;
    private final AtomicLong[] committed = pair(0);
    private final AtomicLong[] firstCommit = pair(Long.MAX_VALUE);
    private final AtomicLong[] lastCommit = pair(0);
    private final AtomicLong[] duplicates = pair(0);
    private final AtomicLong[] outOfOrder = pair(0);

    /**
     * @param openOnGo the devices are offline until the measured run starts; with a warm-up, they first catch up on
     *                 the warm-up (sent while they were offline) and go offline again, and the same devices open
     *                 again in this warm JVM
     */
    ReceiveWorker(Target target, List<ClientSpec> clients, long expectPerDevice, long warmupPerDevice,
                  boolean openOnGo, WorkerLink link, HeapTracker heap) {
        this.target = target;
        this.clients = clients;
        this.expectPerDevice = expectPerDevice;
        this.warmupPerDevice = warmupPerDevice;
        this.openOnGo = openOnGo;
        this.link = link;
        this.heap = heap;
    }

    /** One device's view: its latencies and what it got from each sender. Used by its delivering thread only. */
    private final class Device implements Receiver.Delivered {
        final Histogram[] latency = {new Histogram(MAX_MICROS, 3), new Histogram(MAX_MICROS, 3)};
        /** By sender number (the warm-up's have {@link Stamp#WARMUP} set, so they have entries of their own). */
        final Map<Integer, BitSet> seen = new HashMap<>();
        final Map<Integer, Integer> last = new HashMap<>();

        @Override
        public synchronized void committed(byte[] payload) {
            long now = System.nanoTime();
            Stamp s = Stamp.of(payload);
            int kind = s.kind();
            latency[kind].recordValue(Math.min(MAX_MICROS, Math.max(0, (now - s.intendedNanos()) / 1000)));
            BitSet got = seen.computeIfAbsent(s.sender(), k -> new BitSet());
            if (got.get(s.index())) {
                duplicates[kind].incrementAndGet();
            }
            got.set(s.index());
            Integer before = last.put(s.sender(), s.index());
            if (before != null && before >= s.index()) {
                outOfOrder[kind].incrementAndGet();
            }
            firstCommit[kind].accumulateAndGet(now, Math::min);
            lastCommit[kind].accumulateAndGet(now, Math::max);
            committed[kind].incrementAndGet();
        }
    }

    private static AtomicLong[] pair(long initial) {
        return new AtomicLong[] {new AtomicLong(initial), new AtomicLong(initial)};
    }

    void run() throws Exception {
        List<Device> devices = new ArrayList<>();
        List<Receiver> receivers = new ArrayList<>();
        boolean warmsOffline = openOnGo && warmupPerDevice > 0;
        if (!openOnGo) {
            open(devices, receivers);
        }
        link.ready();
        link.awaitGo();
        if (warmsOffline) {
            // The warm-up was sent while the devices were offline: they catch up on it, so that what a catch-up
            // runs (pulls, their reads and large commits) is compiled before the measured one.
            open(devices, receivers);
        }
        while (committed[WARMUP].get() < warmupPerDevice * clients.size()) {
            Thread.sleep(20);
        }
        if (warmsOffline) {
            // Warm, the devices go offline again; they open again (same stores, same names) when the measured run
            // starts.
            for (Receiver rc : receivers) {
                rc.close();
            }
            receivers.clear();
            devices.clear();
            System.gc();
            heap.reset();
        }
        link.warm();
        link.awaitGo();
        long go = System.nanoTime();
        // What the warm-up cost is not the measurement's.
        Totals before = Totals.of(receivers);
        if (openOnGo) {
            open(devices, receivers);
        }
        long total = expectPerDevice * clients.size();
        while (committed[MEASURED].get() < total) {
            link.progress(committed[MEASURED].get());
            Thread.sleep(200);
        }
        link.progress(committed[MEASURED].get());
        Histogram all = new Histogram(MAX_MICROS, 3);
        for (Device d : devices) {
            synchronized (d) {
                all.add(d.latency[MEASURED]);
            }
        }
        long peakAfterGc = heap.peakAfterGc();
        long peakUsed = heap.peakUsed();
        // The syncs' durations of the measurement, not of closing (a checkpoint, whose sync of the main file may be
        // the slowest of all).
        SyncTimes syncTimes = Totals.of(receivers).syncTimes().minus(before.syncTimes());
        // Closed, each device has sent what confirms its last commits (a peer's last acknowledgements follow its
        // last delivery): count those bytes too.
        for (Receiver rc : receivers) {
            rc.close();
        }
        Totals totals = Totals.of(receivers).minus(before);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("messages", committed[MEASURED].get());
        r.put("go", go);
        r.put("firstCommit", firstCommit[MEASURED].get());
        r.put("lastCommit", lastCommit[MEASURED].get());
        r.put("duplicates", duplicates[MEASURED].get());
        r.put("outOfOrder", outOfOrder[MEASURED].get());
        r.put("wireTotal", totals.wire().total());
        r.put("wirePayload", totals.wire().payload());
        r.put("wireConfirmation", totals.wire().confirmation());
        r.put("commits", totals.commits());
        r.put("syncs", totals.syncs());
        r.put("syncTimes", syncTimes.encode());
        r.put("heapAfterGc", peakAfterGc);
        r.put("heapUsed", peakUsed);
        r.put("latency", encode(all));
        link.result(r);
        link.awaitExit();
    }

    /** The receivers' counts added up. */
    private record Totals(WireCount wire, long commits, long syncs, SyncTimes syncTimes) {

        static Totals of(List<Receiver> receivers) {
            WireCount wire = WireCount.ZERO;
            long commits = 0;
            long syncs = 0;
            SyncTimes syncTimes = SyncTimes.NONE;
            for (Receiver r : receivers) {
                wire = wire.plus(r.wire());
                commits += r.commits();
                syncs += r.syncs();
                syncTimes = syncTimes.plus(r.syncTimes());
            }
            return new Totals(wire, commits, syncs, syncTimes);
        }

        Totals minus(Totals earlier) {
            return new Totals(wire.minus(earlier.wire), commits - earlier.commits, syncs - earlier.syncs,
                    syncTimes.minus(earlier.syncTimes));
        }
    }

    private void open(List<Device> devices, List<Receiver> receivers) throws Exception {
        for (ClientSpec c : clients) {
            Device d = new Device();
            devices.add(d);
            receivers.add(target.openReceiver(c, d));
        }
    }

    static String encode(Histogram h) {
        ByteBuffer b = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(b);
        byte[] bytes = new byte[n];
        b.flip();
        b.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    static Histogram decode(String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalArgumentException("a latency histogram that does not decode", e);
        }
    }
}
