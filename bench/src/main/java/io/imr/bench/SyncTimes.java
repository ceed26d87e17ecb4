package io.imr.bench;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How long a process's store syncs took: cumulative counts by bucket, each bucket's upper bound in seconds (the
 * {@code imr.store.sync.duration} histogram, read from a client's registry or from the broker's Prometheus text),
 * and the tail of the syncs between two readings. Immutable.
 *
 * @param cumulative syncs that took at most the key, in seconds, by key; {@link Double#POSITIVE_INFINITY}: all of
 *                   them, the slowest bucket's too
 */
record SyncTimes(TreeMap<Double, Long> cumulative) {

    /** No syncs timed (a peer's process, whose syncs the bench cannot time). */
    static final SyncTimes NONE = new SyncTimes(new TreeMap<>());

    /**
     * The tail of the syncs counted: bounds in milliseconds, each the upper bound of a bucket (infinite: slower than
     * the last bound); NaN without a sync.
     */
    record Tail(double p99Ms, double maxMs, long count) {
        static final Tail NONE = new Tail(Double.NaN, Double.NaN, 0);
    }

    SyncTimes {
        cumulative = new TreeMap<>(cumulative);
    }

    /** The syncs of this reading and another (one process's stores that share nothing). */
    SyncTimes plus(SyncTimes other) {
        TreeMap<Double, Long> sum = new TreeMap<>(cumulative);
        other.cumulative.forEach((le, n) -> sum.merge(le, n, Long::sum));
        return new SyncTimes(sum);
    }

    /** The syncs counted since {@code earlier}, a reading of the same histogram. */
    SyncTimes minus(SyncTimes earlier) {
        TreeMap<Double, Long> d = new TreeMap<>();
        cumulative.forEach((le, n) -> d.put(le, n - earlier.cumulative.getOrDefault(le, 0L)));
        return new SyncTimes(d);
    }

    /**
     * The 99th percentile and the slowest, as the smallest bucket bounds that hold 99% and all of the syncs;
     * {@link Tail#NONE} without a sync.
     */
    Tail tail() {
        long total = cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
        if (total <= 0) {
            return Tail.NONE;
        }
        double p99 = Double.NaN;
        double max = Double.NaN;
        long atP99 = (long) Math.ceil(total * 0.99);
        for (Map.Entry<Double, Long> e : cumulative.entrySet()) {
            if (Double.isNaN(p99) && e.getValue() >= atP99) {
                p99 = e.getKey() * 1000;
            }
            if (e.getValue() >= total) {
                max = e.getKey() * 1000;
                break;
            }
        }
        return new Tail(p99, max, total);
    }

    /** {@code le:count} pairs separated by commas, as a worker reports them ({@code Infinity} for the last). */
    String encode() {
        StringBuilder sb = new StringBuilder();
        cumulative.forEach((le, n) -> sb.append(sb.length() == 0 ? "" : ",")
                .append(String.format(Locale.ROOT, "%s:%d", le, n)));
        return sb.toString();
    }

    static SyncTimes decode(String text) {
        TreeMap<Double, Long> m = new TreeMap<>();
        if (text != null && !text.isEmpty()) {
            for (String pair : text.split(",")) {
                int colon = pair.indexOf(':');
                m.put(Double.parseDouble(pair.substring(0, colon)), Long.parseLong(pair.substring(colon + 1)));
            }
        }
        return new SyncTimes(m);
    }

    /**
     * The buckets of {@code imr_store_sync_duration_seconds} among a broker's counters, which {@link ImrBroker#parse}
     * keys {@code store_sync_duration_seconds_bucket|LE} ({@code +Inf} as {@link Double#POSITIVE_INFINITY}).
     */
    static SyncTimes ofCounters(Map<String, Double> counters) {
        String prefix = "store_sync_duration_seconds_bucket|";
        TreeMap<Double, Long> m = new TreeMap<>();
        counters.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                String le = k.substring(prefix.length());
                m.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), Math.round(v));
            }
        });
        return new SyncTimes(m);
    }
}
