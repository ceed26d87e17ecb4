package io.imr.testkit;

import java.util.Locale;

/**
 * The report of many seeds of one strategy under one fault profile (section 8 of the
 * specification): sums of the seeds' counters, delivery latency percentiles in virtual time, and the
 * first violation. It holds no per-message data (latencies go into a histogram of whole
 * milliseconds), so a run of any length fits in memory. Its text depends only on the seeds it was
 * given, never on the wall clock: the same seeds print the same bytes.
 */
public final class SimulationReport {

    /** Latencies up to this many virtual milliseconds are counted exactly; longer ones in the last bucket. */
    private static final int MAX_MILLIS = 600_000;

    private final String strategy;
    private final String profile;
    private final long[] histogram = new long[MAX_MILLIS + 1];
    private long firstSeed = Long.MAX_VALUE;
    private long lastSeed = Long.MIN_VALUE;
    private long seeds;
    private long failedSeeds;
    private long messages;
    private long confirmed;
    private long delivered;
    private long lost;
    private long duplicates;
    private long orderViolations;
    private long corruptStored;
    private long controlBytes;
    private long confirmationBytes;
    private long swaps;
    private long expired;
    private long pulls;
    private long retransmits;
    private long latencies;
    private int maxUnconfirmed;
    private int maxBuffered;
    private Violation firstViolation;

    public SimulationReport(String strategy, String profile) {
        this.strategy = strategy;
        this.profile = profile;
    }

    /** Adds one seed's result. */
    public void add(SeedResult r) {
        seeds++;
        firstSeed = Math.min(firstSeed, r.seed());
        lastSeed = Math.max(lastSeed, r.seed());
        messages += r.messages();
        confirmed += r.confirmed();
        delivered += r.delivered();
        lost += r.lost();
        duplicates += r.duplicates();
        orderViolations += r.orderViolations();
        corruptStored += r.corruptStored();
        controlBytes += r.controlBytes();
        confirmationBytes += r.confirmationBytes();
        swaps += r.swaps();
        expired += r.expired();
        pulls += r.pulls();
        retransmits += r.retransmits();
        maxUnconfirmed = Math.max(maxUnconfirmed, r.maxUnconfirmed());
        maxBuffered = Math.max(maxBuffered, r.maxBuffered());
        for (long l : r.latenciesMillis()) {
            histogram[(int) Math.max(0, Math.min(MAX_MILLIS, l))]++;
            latencies++;
        }
        if (r.violation() != null) {
            failedSeeds++;
            if (firstViolation == null || r.seed() < firstViolation.seed()) {
                firstViolation = r.violation();
            }
        }
    }

    public long seeds() {
        return seeds;
    }

    public long failedSeeds() {
        return failedSeeds;
    }

    /** The violation of the lowest failing seed, or null. */
    public Violation firstViolation() {
        return firstViolation;
    }

    /** The latency below which this share (0 to 1) of deliveries fell, in virtual milliseconds. */
    public long latencyPercentile(double share) {
        if (latencies == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(share * latencies);
        long seen = 0;
        for (int i = 0; i <= MAX_MILLIS; i++) {
            seen += histogram[i];
            if (seen >= rank) {
                return i;
            }
        }
        return MAX_MILLIS;
    }

    private String controlPerDelivered() {
        return perDelivered(controlBytes);
    }

    private String perDelivered(long bytes) {
        // As the comparison table shows it, so that the two agree figure for figure.
        return delivered == 0 ? "0" : StrategyComparison.bytesPerMessage((double) bytes / delivered);
    }

    public String strategy() {
        return strategy;
    }

    public String profile() {
        return profile;
    }

    public long delivered() {
        return delivered;
    }

    public long lost() {
        return lost;
    }

    public long duplicates() {
        return duplicates;
    }

    public long orderViolations() {
        return orderViolations;
    }

    public long pulls() {
        return pulls;
    }

    public long retransmits() {
        return retransmits;
    }

    /** Server restarts with another strategy ({@code server-swap}): figures after one mix strategies. */
    public long swaps() {
        return swaps;
    }

    /** Seqs devices recorded as expired: trimmed by retention before they got them (the away fault). */
    public long expired() {
        return expired;
    }

    /** Control bytes (all that is not payload) per delivered message. */
    public double controlBytesPerDelivered() {
        return delivered == 0 ? 0 : (double) controlBytes / delivered;
    }

    /** Confirmation bytes (ack, ack-up-to, pull, notify) per delivered message. */
    public double confirmationBytesPerDelivered() {
        return delivered == 0 ? 0 : (double) confirmationBytes / delivered;
    }

    /** The seeds added, as {@code first..last}, one seed alone, or {@code none}. */
    public String seedRange() {
        return seeds == 0 ? "none" : firstSeed == lastSeed ? String.valueOf(firstSeed) : firstSeed + ".." + lastSeed;
    }

    /** The report for people, one figure a line. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        sb.append("strategy ").append(strategy).append(", faults ").append(profile).append(", seeds ").append(seedRange())
                .append(" (").append(seeds).append(")\n");
        line(sb, "messages sent", messages);
        line(sb, "confirmed to senders", confirmed);
        line(sb, "delivered (to devices)", delivered);
        line(sb, "lost", lost);
        line(sb, "duplicates", duplicates);
        line(sb, "order violations", orderViolations);
        line(sb, "corrupt stored", corruptStored);
        sb.append(String.format(Locale.ROOT, "  %-26s %s%n", "control bytes / delivered", controlPerDelivered()));
        sb.append(String.format(Locale.ROOT, "  %-26s %s%n", "confirmation B / delivered", perDelivered(confirmationBytes)));
        line(sb, "pulls", pulls);
        line(sb, "retransmits", retransmits);
        line(sb, "strategy swaps (server)", swaps);
        line(sb, "expired seqs (retention)", expired);
        sb.append(String.format(Locale.ROOT, "  %-26s %d ms / %d ms (virtual)%n", "latency p50 / p99",
                latencyPercentile(0.5), latencyPercentile(0.99)));
        line(sb, "max unconfirmed (server)", maxUnconfirmed);
        line(sb, "max buffered (device)", maxBuffered);
        line(sb, "seeds with a violation", failedSeeds);
        return sb.toString();
    }

    private static void line(StringBuilder sb, String name, long value) {
        sb.append(String.format(Locale.ROOT, "  %-26s %d%n", name, value));
    }

    /** The report as one JSON object on one line. */
    public String json() {
        StringBuilder sb = new StringBuilder("{");
        str(sb, "strategy", strategy).append(',');
        str(sb, "faults", profile).append(',');
        num(sb, "firstSeed", seeds == 0 ? 0 : firstSeed).append(',');
        num(sb, "seeds", seeds).append(',');
        num(sb, "messages", messages).append(',');
        num(sb, "confirmed", confirmed).append(',');
        num(sb, "delivered", delivered).append(',');
        num(sb, "lost", lost).append(',');
        num(sb, "duplicates", duplicates).append(',');
        num(sb, "orderViolations", orderViolations).append(',');
        num(sb, "corruptStored", corruptStored).append(',');
        sb.append("\"controlBytesPerDelivered\":").append(controlPerDelivered()).append(',');
        sb.append("\"confirmationBytesPerDelivered\":").append(perDelivered(confirmationBytes)).append(',');
        num(sb, "swaps", swaps).append(',');
        num(sb, "expired", expired).append(',');
        num(sb, "pulls", pulls).append(',');
        num(sb, "retransmits", retransmits).append(',');
        num(sb, "latencyP50Millis", latencyPercentile(0.5)).append(',');
        num(sb, "latencyP99Millis", latencyPercentile(0.99)).append(',');
        num(sb, "maxUnconfirmed", maxUnconfirmed).append(',');
        num(sb, "maxBuffered", maxBuffered).append(',');
        num(sb, "failedSeeds", failedSeeds).append(',');
        if (firstViolation == null) {
            sb.append("\"violation\":null");
        } else {
            sb.append("\"violation\":{");
            str(sb, "guarantee", firstViolation.guarantee()).append(',');
            num(sb, "seed", firstViolation.seed()).append(',');
            str(sb, "detail", firstViolation.detail()).append(',');
            sb.append("\"trail\":[");
            for (int i = 0; i < firstViolation.trail().size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                quote(sb, firstViolation.trail().get(i));
            }
            sb.append("]}");
        }
        return sb.append('}').toString();
    }

    private static StringBuilder str(StringBuilder sb, String name, String value) {
        quote(sb, name);
        sb.append(':');
        quote(sb, value);
        return sb;
    }

    private static StringBuilder num(StringBuilder sb, String name, long value) {
        quote(sb, name);
        return sb.append(':').append(value);
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
