package io.imr.testkit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A table comparing strategies that ran through the same faults (one fault profile of the simulator,
 * or one run of the demo), and the one line that says which cost least. Users choose a strategy by
 * these figures, so the table holds only what was measured and its text depends only on its rows:
 * the same rows give the same bytes.
 *
 * <p>"Cost least" means: of the strategies that lost, duplicated and reordered nothing, the one with
 * the fewest confirmation bytes per delivered message (what a strategy pays to confirm and repair;
 * every strategy moves the same payload), ties broken by control bytes per message, then by name. A
 * strategy that broke a guarantee never wins, however cheap it was.
 */
public final class StrategyComparison {

    /**
     * One strategy's figures.
     *
     * @param strategy                    the strategy's name
     * @param delivered                   messages stored on devices
     * @param lost                        confirmed messages missing at the end
     * @param duplicates                  messages stored a second time
     * @param orderViolations             commits after which a store was not contiguous, or messages out of seq order
     * @param controlBytesPerMessage      bytes on the wire that are not payload, per delivered message
     * @param confirmationBytesPerMessage bytes of ack, ack-up-to, pull and notify frames, per delivered message
     * @param pulls                       pull frames the devices sent
     * @param retransmits                 messages the server sent again
     * @param latencyP50Millis            median delivery latency (server accept to device commit), milliseconds
     * @param latencyP99Millis            99th percentile of the same, milliseconds
     */
    public record Row(String strategy, long delivered, long lost, long duplicates, long orderViolations,
                      double controlBytesPerMessage, double confirmationBytesPerMessage, long pulls, long retransmits,
                      double latencyP50Millis, double latencyP99Millis) {

        public Row {
            if (strategy == null || strategy.isEmpty()) {
                throw new IllegalArgumentException("a row needs the strategy's name");
            }
        }

        /** The figures of a simulation report (all its seeds of one strategy and profile). */
        public static Row of(SimulationReport r) {
            return new Row(r.strategy(), r.delivered(), r.lost(), r.duplicates(), r.orderViolations(),
                    r.controlBytesPerDelivered(), r.confirmationBytesPerDelivered(), r.pulls(), r.retransmits(),
                    r.latencyPercentile(0.5), r.latencyPercentile(0.99));
        }

        /** Nothing lost, duplicated or reordered. */
        public boolean clean() {
            return lost == 0 && duplicates == 0 && orderViolations == 0;
        }
    }

    private static final String[] HEADERS = {"strategy", "delivered", "lost", "dup", "order", "control B/msg",
        "confirm B/msg", "pulls", "retransmits", "p50 ms", "p99 ms"};

    private static final Comparator<Row> CHEAPEST = Comparator.comparingDouble(Row::confirmationBytesPerMessage)
            .thenComparingDouble(Row::controlBytesPerMessage).thenComparing(Row::strategy);

    private final String title;
    private final List<Row> rows = new ArrayList<>();

    /** @param title the first line of the table, saying what ran (e.g. the fault profile and the seeds) */
    public StrategyComparison(String title) {
        this.title = title;
    }

    /** The comparison of the reports of one profile, one row per report, in the order given. */
    public static StrategyComparison of(String title, List<SimulationReport> reports) {
        StrategyComparison c = new StrategyComparison(title);
        reports.forEach(r -> c.add(Row.of(r)));
        return c;
    }

    public StrategyComparison add(Row row) {
        rows.add(row);
        return this;
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** The strategy that cost least (see the class comment), or empty when none ran clean. */
    public Optional<Row> cheapest() {
        return rows.stream().filter(Row::clean).min(CHEAPEST);
    }

    /** The table: its title, a header and one line per strategy, columns aligned, each line ending in a newline. */
    public String text() {
        List<String[]> cells = new ArrayList<>();
        cells.add(HEADERS);
        for (Row r : rows) {
            cells.add(new String[] {r.strategy(), num(r.delivered()), num(r.lost()), num(r.duplicates()),
                num(r.orderViolations()), bytesPerMessage(r.controlBytesPerMessage()),
                bytesPerMessage(r.confirmationBytesPerMessage()), num(r.pulls()), num(r.retransmits()),
                millis(r.latencyP50Millis()), millis(r.latencyP99Millis())});
        }
        int[] width = new int[HEADERS.length];
        for (String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                width[i] = Math.max(width[i], line[i].length());
            }
        }
        StringBuilder sb = new StringBuilder(title).append('\n');
        for (String[] line : cells) {
            StringBuilder l = new StringBuilder("  ");
            for (int i = 0; i < line.length; i++) {
                if (i == 0) {
                    l.append(line[i]).append(" ".repeat(width[i] - line[i].length()));
                } else {
                    l.append("  ").append(" ".repeat(width[i] - line[i].length())).append(line[i]);
                }
            }
            sb.append(l).append('\n');
        }
        return sb.toString();
    }

    /**
     * One line saying which strategy cost least and why: its confirmation bytes per message against
     * the others', that it lost, duplicated and reordered nothing, and what it paid in p99 latency when
     * another strategy was faster. Names the strategies that broke a guarantee.
     */
    public String verdict() {
        List<String> broken = rows.stream().filter(r -> !r.clean()).map(Row::strategy).toList();
        Optional<Row> best = cheapest();
        if (best.isEmpty()) {
            return rows.isEmpty() ? "cheapest: nothing ran"
                    : "cheapest: none, every strategy lost, duplicated or reordered messages (" + String.join(", ", broken)
                    + ")";
        }
        Row w = best.get();
        StringBuilder sb = new StringBuilder("cheapest: ").append(w.strategy())
                .append(", fewest confirmation bytes per message (").append(bytesPerMessage(w.confirmationBytesPerMessage()));
        List<Row> others = rows.stream().filter(r -> r != w).toList();
        if (!others.isEmpty()) {
            sb.append(" against ");
            for (int i = 0; i < others.size(); i++) {
                Row o = others.get(i);
                sb.append(i == 0 ? "" : ", ").append(o.strategy()).append(' ')
                        .append(bytesPerMessage(o.confirmationBytesPerMessage()));
            }
        }
        sb.append(") with 0 lost, 0 duplicates, 0 order violations; control bytes per message ")
                .append(bytesPerMessage(w.controlBytesPerMessage()));
        Row fastest = rows.stream().filter(Row::clean).min(Comparator.comparingDouble(Row::latencyP99Millis)
                .thenComparing(Row::strategy)).orElseThrow();
        if (fastest.latencyP99Millis() < w.latencyP99Millis()) {
            sb.append("; p99 latency ").append(millis(w.latencyP99Millis())).append(" ms against ")
                    .append(millis(fastest.latencyP99Millis())).append(" ms for ").append(fastest.strategy());
        }
        if (!broken.isEmpty()) {
            sb.append("; broke a guarantee: ").append(String.join(", ", broken));
        }
        return sb.toString();
    }

    private static String num(long v) {
        return Long.toString(v);
    }

    /**
     * Bytes per message as the table, the verdict and the demo show them: one decimal from 1 up, two
     * significant digits below (the strategies that confirm by ranges spend a few hundredths of a byte
     * a message, which one decimal would show as 0.0 for all of them).
     */
    public static String bytesPerMessage(double v) {
        if (v == 0 || Math.abs(v) >= 1 || !Double.isFinite(v)) {
            return oneDecimal(v);
        }
        int scale = 1 - (int) Math.floor(Math.log10(Math.abs(v)));
        return java.math.BigDecimal.valueOf(v).setScale(scale, java.math.RoundingMode.HALF_UP).toPlainString();
    }

    private static String oneDecimal(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Whole milliseconds as they are (the simulator's), fractions to one decimal (a timer's). */
    private static String millis(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
                : String.format(Locale.ROOT, "%.1f", v);
    }
}
