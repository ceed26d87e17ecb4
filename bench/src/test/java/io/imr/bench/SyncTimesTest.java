package io.imr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SyncTimesTest {

    private static SyncTimes of(double[] bounds, long[] cumulative) {
        TreeMap<Double, Long> m = new TreeMap<>();
        for (int i = 0; i < bounds.length; i++) {
            m.put(bounds[i], cumulative[i]);
        }
        return new SyncTimes(m);
    }

    private static final double[] BOUNDS = {0.0005, 0.001, 0.005, 0.1, 10};

    @Test
    void theTailIsTheBucketThatHolds99PercentAndTheOneThatHoldsAll() {
        // 1,000 syncs: 900 within 0.5 ms, 985 within 1 ms, 995 within 5 ms, all within 100 ms.
        SyncTimes.Tail t = of(BOUNDS, new long[] {900, 985, 995, 1000, 1000}).tail();
        assertThat(t.p99Ms()).isEqualTo(5.0);
        assertThat(t.maxMs()).isEqualTo(100.0);
        assertThat(t.count()).isEqualTo(1000);
        assertThat(of(BOUNDS, new long[] {990, 1000, 1000, 1000, 1000}).tail().p99Ms()).isEqualTo(0.5);
        assertThat(of(BOUNDS, new long[] {989, 1000, 1000, 1000, 1000}).tail().p99Ms()).isEqualTo(1.0);
    }

    @Test
    void onlyTheSyncsBetweenTwoReadingsCount() {
        SyncTimes before = of(BOUNDS, new long[] {10, 10, 10, 11, 11});
        SyncTimes after = of(BOUNDS, new long[] {110, 110, 110, 111, 111});
        // The slow sync came before: between the readings all 100 took at most 0.5 ms.
        SyncTimes.Tail t = after.minus(before).tail();
        assertThat(t.count()).isEqualTo(100);
        assertThat(t.maxMs()).isEqualTo(0.5);
        assertThat(SyncTimes.NONE.tail()).isEqualTo(SyncTimes.Tail.NONE);
        assertThat(after.minus(after).tail()).isEqualTo(SyncTimes.Tail.NONE);
    }

    @Test
    void sumsEncodesAndReadsTheBrokersBuckets() {
        SyncTimes a = of(BOUNDS, new long[] {1, 2, 3, 4, 5});
        SyncTimes sum = a.plus(a).plus(SyncTimes.NONE);
        assertThat(sum.cumulative()).containsEntry(0.1, 8L).containsEntry(10.0, 10L);
        assertThat(SyncTimes.decode(sum.encode())).isEqualTo(sum);
        assertThat(SyncTimes.decode("")).isEqualTo(SyncTimes.NONE);
        Map<String, Double> counters = Map.of("store_sync_duration_seconds_bucket|0.001", 98.0,
                "store_sync_duration_seconds_bucket|0.05", 100.0, "store_sync_duration_seconds_bucket|+Inf", 100.0,
                "store_syncs", 100.0);
        SyncTimes broker = SyncTimes.ofCounters(counters);
        assertThat(broker.cumulative()).containsOnlyKeys(0.001, 0.05, Double.POSITIVE_INFINITY);
        assertThat(broker.tail()).isEqualTo(new SyncTimes.Tail(50.0, 50.0, 100));
        // Two syncs slower than the last bound: in the total only.
        SyncTimes stalled = SyncTimes.ofCounters(Map.of("store_sync_duration_seconds_bucket|0.001", 98.0,
                "store_sync_duration_seconds_bucket|10", 98.0, "store_sync_duration_seconds_bucket|+Inf", 100.0));
        assertThat(stalled.tail()).isEqualTo(new SyncTimes.Tail(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
                100));
        assertThat(SyncTimes.decode(stalled.encode())).isEqualTo(stalled);
    }
}
