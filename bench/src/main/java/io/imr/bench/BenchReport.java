package io.imr.bench;

import io.imr.bench.profile.StageProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The bench's report: per scenario, one row per target with its figures and its ratios to the peers measured
 * in the same run (to the first target when no peer ran), as text for people and as JSON for scripts.
 */
public final class BenchReport {

    private BenchReport() {
    }

    /** A number with thousands separators, at most one decimal below 100. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (Math.abs(v) >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }

    static String ratio(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "-" : String.format(Locale.ROOT, "%.2fx", v);
    }

    /** The targets the others are compared with: the peers in the run, else the first target. */
    static List<Outcome> references(List<Outcome> rows) {
        List<Outcome> peers = rows.stream().filter(o -> !o.target().startsWith("imr:")).toList();
        return peers.isEmpty() ? rows.subList(0, 1) : peers;
    }

    /** The options every JVM of the run got: the bench's own, then {@code --jvm-option}s. */
    private static List<String> jvmOptions(BenchSettings s) {
        List<String> all = new java.util.ArrayList<>(Bench.JVM_ARGS);
        all.addAll(s.jvmOptions());
        return all;
    }

    public static String text(Bench.Result r) {
        StringBuilder sb = new StringBuilder();
        BenchSettings s = r.settings();
        sb.append("imr bench on ").append(r.machine()).append('\n');
        sb.append("Every JVM started with ").append(String.join(" ", jvmOptions(s))).append('\n');
        sb.append("Every receiving device commits each message to its local database (durable) before it confirms;")
                .append('\n').append("latency runs from the intended send to the receiver's commit. Ratios compare")
                .append(" targets measured in this run").append(s.runs() > 1 ? " (median of " + s.runs() + " runs)" : "")
                .append(".\n");
        for (Bench.ScenarioResult sr : r.scenarios()) {
            Scenario.Plan p = sr.plan();
            List<Outcome> rows = sr.medians();
            List<Outcome> refs = references(rows);
            sb.append('\n').append(p.title()).append(": ").append(String.format(Locale.ROOT, "%,d", p.sent()))
                    .append(" messages of ").append(s.size()).append(" B")
                    .append(p.rate() > 0 ? "" : p.offlineFirst() ? "" : ", saturating")
                    .append(p.receivers().size() > 1 ? ", " + String.format(Locale.ROOT, "%,d", p.deliveries())
                            + " deliveries" : "")
                    .append("; 3 processes: ").append(clients(p.senders().size(), "sender"))
                    .append(", the broker, ").append(clients(p.receivers().size(), "receiving device"))
                    .append(p.offlineFirst() ? (s.warmup() > 0 ? " offline (warmed up catching up) and back once all were sent"
                            : " started once all were sent") : "").append('\n');
            boolean latency = p.scenario() == Scenario.LATENCY;
            List<String> header = new ArrayList<>(List.of("target", latency ? "p99 ms" : "msg/s"));
            for (Outcome ref : refs) {
                header.add("vs " + ref.target());
            }
            if (p.offlineFirst()) {
                header.addAll(List.of("receiver heap MiB", "CPU s/M snd+brk+rcv"));
            } else {
                header.addAll(List.of(latency ? "msg/s" : "p99 ms", "p50 ms", "p999 ms", "CPU s/M snd+brk+rcv",
                        "ctrl B/msg", "conf B/msg", "fsyncs/1000 snd+brk+rcv"));
                if (latency) {
                    header.add("late wake-ups p99/p999 ms");
                    header.add("syncs p99/slowest ms snd, brk, rcv");
                }
            }
            List<List<String>> table = new ArrayList<>();
            table.add(header);
            for (Outcome o : rows) {
                List<String> row = new ArrayList<>();
                row.add(o.target() + (o.whole() ? "" : " (BROKEN: " + o.duplicates() + " duplicates, "
                        + o.outOfOrder() + " out of order)"));
                row.add(number(latency ? o.p99Ms() : o.throughput()));
                for (Outcome ref : refs) {
                    row.add(ratio(latency ? o.p99Ms() / ref.p99Ms() : o.throughput() / ref.throughput()));
                }
                if (p.offlineFirst()) {
                    row.add(number(o.heapMiB().getOrDefault("receiver", Double.NaN)));
                    row.add(parts(o.cpuPerMillion()));
                } else {
                    row.add(number(latency ? o.throughput() : o.p99Ms()));
                    row.add(number(o.p50Ms()));
                    row.add(number(o.p999Ms()));
                    row.add(parts(o.cpuPerMillion()));
                    row.add(number(o.controlBytes()));
                    row.add(number(o.confirmationBytes()));
                    row.add(syncs(o.syncsPerThousand()));
                    if (latency) {
                        row.add(number(o.wakeUps().p99Ms()) + "/" + number(o.wakeUps().p999Ms()));
                        row.add(syncTails(o.syncTails()));
                    }
                }
                table.add(row);
            }
            render(sb, table);
        }
        r.profiles().forEach((target, profiles) -> sb.append("\nWhere ").append(target)
                .append("'s processes spent their CPU in the measured part of 1to1 (% of samples):\n\n")
                .append(StageProfile.toMarkdown(profiles)));
        sb.append("\nfsyncs: imr counts its stores' syncs; the peers' receivers sync twice per MapDB commit; '?' is a")
                .append(" broker\nwhose syncs are not counted (Mosquitto keeps messages in memory, JetStream 2.9 syncs")
                .append(" every 2 minutes).\n");
        if (r.scenarios().stream().anyMatch(sr -> sr.plan().scenario() == Scenario.LATENCY)) {
            sb.append("late wake-ups: how late a thread of the bench's own process woke from 1 ms sleeps during the")
                    .append(" measurement,\nthe machine's scheduling under the run's load; a message crosses a dozen")
                    .append(" or more such wake-ups\n(network threads, engines, store writers) on its way.\n");
            sb.append("syncs p99/slowest: how long imr's stores' syncs took during the measurement, per process (the")
                    .append(" bound of the\nhistogram bucket that holds them; 0: no sync; '-': not timed, the peers'); a message")
                    .append(" waits for one sync in each\nprocess, and for any slow one its commit queued behind.\n");
        }
        return sb.toString();
    }

    private static String clients(int n, String what) {
        return n == 1 ? "1 " + what : String.format(Locale.ROOT, "%,d %ss (a connection each)", n, what);
    }

    private static String parts(Map<String, Double> byProcess) {
        double sum = byProcess.values().stream().mapToDouble(Double::doubleValue).sum();
        return number(sum) + " (" + String.join("+", byProcess.values().stream().map(BenchReport::number).toList())
                + ")";
    }

    private static String syncTails(Map<String, SyncTimes.Tail> byProcess) {
        List<String> parts = new ArrayList<>();
        for (String process : List.of("sender", "broker", "receiver")) {
            SyncTimes.Tail t = byProcess.get(process);
            parts.add(t == null ? "-" : t.count() == 0 ? "0" : slowest(t.p99Ms()) + "/" + slowest(t.maxMs()));
        }
        return String.join(", ", parts);
    }

    /** A sync bound; infinite: slower than the histogram's last bound (10 s). */
    private static String slowest(double ms) {
        return Double.isInfinite(ms) ? ">10,000" : number(ms);
    }

    private static String syncs(Map<String, Double> byProcess) {
        String broker = byProcess.containsKey("broker") ? number(byProcess.get("broker")) : "?";
        return number(byProcess.values().stream().mapToDouble(Double::doubleValue).sum()) + " ("
                + number(byProcess.getOrDefault("sender", 0.0)) + "+" + broker + "+"
                + number(byProcess.getOrDefault("receiver", 0.0)) + ")";
    }

    private static void render(StringBuilder sb, List<List<String>> table) {
        int[] width = new int[table.get(0).size()];
        for (List<String> row : table) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        for (List<String> row : table) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                if (i == 0) {
                    line.append(cell).append(" ".repeat(width[i] - cell.length()));
                } else {
                    line.append("  ").append(" ".repeat(width[i] - cell.length())).append(cell);
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
    }

    /** One JSON object: the machine, the settings, and every run of every target in every scenario. */
    public static String json(Bench.Result r) {
        Json j = new Json();
        j.open();
        j.field("machine", () -> {
            j.open();
            j.field("cpu", r.machine().cpu());
            j.field("cores", r.machine().cores());
            j.field("memoryMiB", r.machine().memoryMiB());
            j.field("os", r.machine().os());
            j.field("java", r.machine().java());
            j.field("diskSyncsPerSecond", r.machine().syncsPerSecond());
            j.close();
        });
        BenchSettings s = r.settings();
        j.field("jvmOptions", () -> {
            j.openArray();
            for (String o : jvmOptions(s)) {
                j.element(() -> j.value(o));
            }
            j.closeArray();
        });
        j.field("size", s.size());
        j.field("runs", s.runs());
        j.field("scenarios", () -> {
            j.openArray();
            for (Bench.ScenarioResult sr : r.scenarios()) {
                j.element(() -> scenario(j, sr));
            }
            j.closeArray();
        });
        j.field("profiles", () -> {
            j.open();
            r.profiles().forEach((target, profiles) -> j.field(target, () -> j.raw(StageProfile.toJson(profiles))));
            j.close();
        });
        j.close();
        return j.toString();
    }

    private static void scenario(Json j, Bench.ScenarioResult sr) {
        Scenario.Plan p = sr.plan();
        j.open();
        j.field("scenario", p.scenario().id());
        j.field("title", p.title());
        j.field("senders", p.senders().size());
        j.field("devices", p.receivers().size());
        j.field("sent", p.sent());
        j.field("deliveries", p.deliveries());
        j.field("rate", p.rate());
        List<Outcome> medians = sr.medians();
        List<Outcome> refs = references(medians);
        j.field("results", () -> {
            j.openArray();
            for (Outcome o : medians) {
                j.element(() -> {
                    outcome(j, o);
                    j.field("ratios", () -> {
                        j.open();
                        for (Outcome ref : refs) {
                            j.field(ref.target(), () -> {
                                j.open();
                                j.field("throughput", o.throughput() / ref.throughput());
                                j.field("p99", o.p99Ms() / ref.p99Ms());
                                j.field("cpu", o.cpuTotalPerMillion() / ref.cpuTotalPerMillion());
                                j.close();
                            });
                        }
                        j.close();
                    });
                    j.field("runs", () -> {
                        j.openArray();
                        for (Outcome run : sr.runs().get(o.target())) {
                            j.element(() -> j.value(run.throughput()));
                        }
                        j.closeArray();
                    });
                    j.close();
                });
            }
            j.closeArray();
        });
        j.close();
    }

    /** Opens the outcome's object and writes its fields; the caller adds more and closes it. */
    private static void outcome(Json j, Outcome o) {
        j.open();
        j.field("target", o.target());
        j.field("sent", o.sent());
        j.field("deliveries", o.deliveries());
        j.field("seconds", o.seconds());
        j.field("throughput", o.throughput());
        j.field("latencyMs", () -> {
            j.open();
            percentiles(j, o.p50Ms(), o.p99Ms(), o.p999Ms(), o.maxMs());
            j.close();
        });
        j.field("wakeUpLatenessMs", () -> {
            j.open();
            Outcome.Lateness w = o.wakeUps();
            percentiles(j, w.p50Ms(), w.p99Ms(), w.p999Ms(), w.maxMs());
            j.field("count", w.count());
            j.close();
        });
        j.field("cpuSecondsPerMillion", map(j, o.cpuPerMillion()));
        j.field("controlBytesPerMessage", o.controlBytes());
        j.field("confirmationBytesPerMessage", o.confirmationBytes());
        j.field("syncsPerThousand", map(j, o.syncsPerThousand()));
        j.field("syncMs", () -> {
            j.open();
            o.syncTails().forEach((process, t) -> j.field(process, () -> {
                j.open();
                j.field("p99", t.p99Ms());
                j.field("max", t.maxMs());
                j.field("count", t.count());
                j.close();
            }));
            j.close();
        });
        j.field("peakHeapMiB", map(j, o.heapMiB()));
        j.field("duplicates", o.duplicates());
        j.field("outOfOrder", o.outOfOrder());
        j.field("brokerCounters", map(j, o.brokerCounters()));
    }

    private static void percentiles(Json j, double p50, double p99, double p999, double max) {
        j.field("p50", p50);
        j.field("p99", p99);
        j.field("p999", p999);
        j.field("max", max);
    }

    private static Runnable map(Json j, Map<String, Double> m) {
        return () -> {
            j.open();
            m.forEach(j::field);
            j.close();
        };
    }

    /** A small JSON writer: objects, arrays, strings, numbers (NaN and infinities as null). */
    static final class Json {
        private final StringBuilder sb = new StringBuilder();
        private boolean first = true;

        void open() {
            sb.append('{');
            first = true;
        }

        void close() {
            sb.append('}');
            first = false;
        }

        void openArray() {
            sb.append('[');
            first = true;
        }

        void closeArray() {
            sb.append(']');
            first = false;
        }

        private void key(String k) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            quote(k);
            sb.append(':');
        }

        void field(String k, String v) {
            key(k);
            quote(v);
        }

        void field(String k, double v) {
            key(k);
            number(v);
        }

        void field(String k, long v) {
            key(k);
            sb.append(v);
        }

        void field(String k, Double v) {
            field(k, v.doubleValue());
        }

        void field(String k, Runnable nested) {
            key(k);
            nested.run();
            first = false;
        }

        void element(Runnable nested) {
            if (!first) {
                sb.append(',');
            }
            nested.run();
            first = false;
        }

        /** Writes JSON made elsewhere as it is. */
        void raw(String json) {
            sb.append(json);
        }

        void value(double v) {
            number(v);
        }

        void value(String v) {
            quote(v);
        }

        private void number(double v) {
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                sb.append("null");
            } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
                sb.append((long) v);
            } else {
                sb.append(String.format(Locale.ROOT, "%.4g", v));
            }
        }

        private void quote(String s) {
            sb.append('"');
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
