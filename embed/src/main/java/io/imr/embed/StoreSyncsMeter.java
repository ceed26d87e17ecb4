package io.imr.embed;

import io.imr.engine.metrics.MetricNames;
import io.imr.store.mapdb.SyncingStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@link MetricNames#STORE_SYNCS} of one side on one registry: the syncs of the stores that the
 * servers (or clients) using that registry opened, summed, as the engine's counters sum over the
 * engines that share a registry. A store's syncs stay in the sum once it is closed, so the counter
 * never goes back when a client is closed and another started on the same registry. With it,
 * {@link MetricNames#STORE_SYNC_DURATION}: how long each sync of those stores took, from their
 * registration on.
 */
final class StoreSyncsMeter {

    private static final String DESCRIPTION = "Syncs (fsync/fdatasync) the store made to make its commits durable";
    private static final String DURATION_DESCRIPTION = "How long each sync (fsync/fdatasync) of the store took: the"
            + " disk's share of every durable commit";

    /** One meter per registry and side; weak keys, so a registry dropped by its owner is not kept. */
    private static final Map<MeterRegistry, Map<String, StoreSyncsMeter>> METERS = new WeakHashMap<>();

    private final Set<SyncingStore> open = Collections.newSetFromMap(new IdentityHashMap<>());
    private Timer durations;

    /** The histogram's buckets (upper bounds). */
    static final Duration[] BUCKETS = buckets(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 20, 30,
            50, 75, 100, 150, 200, 300, 500, 1000, 2000, 5000, 10000);

    private static Duration[] buckets(double... millis) {
        Duration[] d = new Duration[millis.length];
        for (int i = 0; i < millis.length; i++) {
            d[i] = Duration.ofNanos(Math.round(millis[i] * 1e6));
        }
        return d;
    }
    /** The syncs of the stores closed already. */
    private long ofClosed;

    private StoreSyncsMeter() {
    }

    /** One store counted in the meter. */
    static final class Registration {
        private final StoreSyncsMeter meter;
        private final SyncingStore store;

        private Registration(StoreSyncsMeter meter, SyncingStore store) {
            this.meter = meter;
            this.store = store;
        }

        /** Keeps the closed store's syncs in the sum, but not the store. Calling it twice does nothing. */
        void storeClosed() {
            meter.closed(store);
        }
    }

    /**
     * Counts a store's syncs, from its opening on, in {@link MetricNames#STORE_SYNCS} tagged with
     * this side; registers the meter on first use. Call {@link Registration#storeClosed()} once the
     * store is closed.
     */
    static Registration register(MeterRegistry registry, String side, SyncingStore store) {
        StoreSyncsMeter meter;
        synchronized (METERS) {
            meter = METERS.computeIfAbsent(registry, r -> new HashMap<>()).get(side);
            if (meter == null) {
                meter = new StoreSyncsMeter();
                METERS.get(registry).put(side, meter);
                FunctionCounter.builder(MetricNames.STORE_SYNCS, meter, StoreSyncsMeter::total)
                        .tag(MetricNames.TAG_SIDE, side).description(DESCRIPTION).register(registry);
                // Buckets from 50 µs (a sync of a fast SSD) to 10 s (a stalled disk) at steps of 1.5 to 2, the same in
                // every registry (percentile histograms are Prometheus' only), so that the tail can be read and
                // summed across servers.
                meter.durations = Timer.builder(MetricNames.STORE_SYNC_DURATION).tag(MetricNames.TAG_SIDE, side)
                        .description(DURATION_DESCRIPTION).serviceLevelObjectives(BUCKETS)
                        .register(registry);
            }
        }
        Timer durations = meter.durations;
        store.observeSyncs(nanos -> durations.record(nanos, TimeUnit.NANOSECONDS));
        meter.opened(store);
        return new Registration(meter, store);
    }

    private synchronized void opened(SyncingStore store) {
        open.add(store);
    }

    private synchronized void closed(SyncingStore store) {
        if (open.remove(store)) {
            ofClosed += store.syncs();
        }
    }

    private synchronized double total() {
        long sum = ofClosed;
        for (SyncingStore s : open) {
            sum += s.syncs();
        }
        return sum;
    }
}
