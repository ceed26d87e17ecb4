package io.imr.embed;

import io.imr.engine.metrics.MetricNames;
import io.imr.store.mapdb.SyncingStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * {@link MetricNames#STORE_SYNCS} of one side on one registry: the syncs of the stores that the
 * servers (or clients) using that registry opened, summed, as the engine's counters sum over the
 * engines that share a registry. A store's syncs stay in the sum once it is closed, so the counter
 * never goes back when a client is closed and another started on the same registry.
 */
final class StoreSyncsMeter {

    private static final String DESCRIPTION = "Syncs (fsync/fdatasync) the store made to make its commits durable";

    /** One meter per registry and side; weak keys, so a registry dropped by its owner is not kept. */
    private static final Map<MeterRegistry, Map<String, StoreSyncsMeter>> METERS = new WeakHashMap<>();

    private final Set<SyncingStore> open = Collections.newSetFromMap(new IdentityHashMap<>());
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
            }
        }
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
