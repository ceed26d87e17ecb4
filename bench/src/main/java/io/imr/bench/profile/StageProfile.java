package io.imr.bench.profile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where one process's CPU went: its CPU samples ({@code jdk.ExecutionSample}) per {@link Stage},
 * and its hottest methods. Shares are percentages of {@link #samples()}, so they sum to 100
 * (unless there are no samples at all, when every share is 0).
 *
 * @param process         the process's name, as the table's column header
 * @param samples         CPU samples in all
 * @param stageSamples    the samples of each stage (every stage present, 0 if none)
 * @param hotMethods      the methods most often on top of a sampled stack, hottest first
 * @param nativeSamples   {@code jdk.NativeMethodSample}s: threads found in native code, mostly blocked
 *                        (epoll_wait, socket reads, fsync); wall time, not CPU, so not in the shares
 * @param truncatedStacks samples whose stack was deeper than the recording kept (its outermost
 *                        frames are missing; the innermost, which decide, are there)
 * @param samplingPeriod  the period {@code jdk.ExecutionSample} ran at, or null if the recording
 *                        does not say
 * @param gcPauses        the summed pauses of the garbage collections ({@code jdk.GarbageCollection}):
 *                        wall time with the application stopped; GC threads themselves are never sampled
 */
public record StageProfile(String process, long samples, Map<Stage, Long> stageSamples, List<HotMethod> hotMethods,
                           long nativeSamples, long truncatedStacks, Duration samplingPeriod, Duration gcPauses) {

    /**
     * A method often on top of the stack.
     *
     * @param method  {@code "Class.method"}
     * @param samples the samples with it on top
     * @param share   those in percent of all the process's samples
     * @param stage   the stage most of those samples counted for
     */
    public record HotMethod(String method, long samples, double share, Stage stage) {
    }

    public StageProfile {
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(gcPauses, "gcPauses");
        EnumMap<Stage, Long> all = new EnumMap<>(Stage.class);
        for (Stage s : Stage.values()) {
            all.put(s, stageSamples.getOrDefault(s, 0L));
        }
        long sum = all.values().stream().mapToLong(Long::longValue).sum();
        if (sum != samples) {
            throw new IllegalArgumentException("the stages hold " + sum + " samples, not " + samples);
        }
        stageSamples = Collections.unmodifiableMap(all);
        hotMethods = List.copyOf(hotMethods);
    }

    /** The samples of one stage. */
    public long samples(Stage stage) {
        return stageSamples.get(stage);
    }

    /** The share of one stage, in percent of all samples (0 if there are none). */
    public double share(Stage stage) {
        return samples == 0 ? 0 : 100.0 * samples(stage) / samples;
    }

    /** This profile as a JSON object. */
    public String toJson() {
        StringBuilder b = new StringBuilder(1024);
        b.append("{\"process\":").append(quote(process))
                .append(",\"samples\":").append(samples)
                .append(",\"nativeSamples\":").append(nativeSamples)
                .append(",\"truncatedStacks\":").append(truncatedStacks)
                .append(",\"samplingPeriodMillis\":")
                .append(samplingPeriod == null ? "null" : number(samplingPeriod.toNanos() / 1e6))
                .append(",\"gcPauseMillis\":").append(number(gcPauses.toNanos() / 1e6))
                .append(",\"stages\":[");
        boolean first = true;
        for (Stage s : Stage.values()) {
            b.append(first ? "" : ",").append("{\"stage\":").append(quote(s.label()))
                    .append(",\"samples\":").append(samples(s))
                    .append(",\"share\":").append(number(share(s))).append('}');
            first = false;
        }
        b.append("],\"hotMethods\":[");
        first = true;
        for (HotMethod m : hotMethods) {
            b.append(first ? "" : ",").append("{\"method\":").append(quote(m.method()))
                    .append(",\"samples\":").append(m.samples())
                    .append(",\"share\":").append(number(m.share()))
                    .append(",\"stage\":").append(quote(m.stage().label())).append('}');
            first = false;
        }
        return b.append("]}").toString();
    }

    /** Profiles as a JSON array. */
    public static String toJson(List<StageProfile> profiles) {
        List<String> each = new ArrayList<>(profiles.size());
        profiles.forEach(p -> each.add(p.toJson()));
        return "[" + String.join(",", each) + "]";
    }

    /**
     * One Markdown table: a row per stage (in {@link Stage} order; the GC and JVM row only if a
     * process has samples there), a column per process, each cell the stage's share in percent
     * with one decimal; then a row with each process's samples, and a note on what the samples
     * cannot see.
     */
    public static String toMarkdown(List<StageProfile> profiles) {
        StringBuilder b = new StringBuilder(1024);
        b.append("| stage |");
        profiles.forEach(p -> b.append(' ').append(cell(p.process())).append(" |"));
        b.append("\n|:--|");
        profiles.forEach(p -> b.append("--:|"));
        b.append('\n');
        for (Stage s : Stage.values()) {
            if (s == Stage.GC_JVM && profiles.stream().allMatch(p -> p.samples(s) == 0)) {
                continue;
            }
            b.append("| ").append(s.label()).append(" |");
            profiles.forEach(p -> b.append(' ').append(String.format(Locale.ROOT, "%.1f", p.share(s))).append(" |"));
            b.append('\n');
        }
        b.append("| samples |");
        profiles.forEach(p -> b.append(' ').append(p.samples()).append(" |"));
        b.append("\n\n");
        List<String> periods = profiles.stream().map(StageProfile::samplingPeriod).filter(Objects::nonNull)
                .map(d -> number(d.toNanos() / 1e6) + " ms").distinct().toList();
        b.append("Shares of the CPU samples of each process's Java threads (JFR `jdk.ExecutionSample`");
        if (!periods.isEmpty()) {
            b.append(", every ").append(String.join(" / ", periods));
        }
        b.append("). JFR cannot sample inside JIT intrinsics (the CRC32/CRC32C instructions, array copies),"
                + " so CRC is a lower bound; nor GC or JIT threads");
        if (profiles.stream().anyMatch(p -> !p.gcPauses().isZero())) {
            b.append(" (GC pauses:");
            for (int i = 0; i < profiles.size(); i++) {
                StageProfile p = profiles.get(i);
                b.append(i == 0 ? " " : ", ").append(cell(p.process())).append(' ')
                        .append(number(p.gcPauses().toNanos() / 1e6)).append(" ms");
            }
            b.append(')');
        }
        return b.append(".\n").toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace('\n', ' ');
    }

    private static String number(double value) {
        String s = String.format(Locale.ROOT, "%.3f", value);
        s = s.contains(".") ? s.replaceAll("0+$", "") : s;
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    static String quote(String text) {
        StringBuilder b = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
