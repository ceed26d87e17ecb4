package io.imr.bench.profile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the time goes: records a JVM process with JDK Flight Recorder and turns the recording
 * into a {@link StageProfile}, the share of its CPU samples each {@link Stage} took.
 *
 * <p><b>Recording.</b> Start each process with {@link #jvmFlags(Path)} (or at least
 * {@link #jvmFlag(Path)}) and stop it normally (exit, or SIGTERM), never with SIGKILL: the
 * recording is written when the JVM exits. The flags sample each running Java thread every
 * {@link #SAMPLING_PERIOD} instead of the profile settings' 10 ms: on JDK 17 an event setting can
 * follow the settings file in {@code -XX:StartFlightRecording}
 * ({@code jdk.ExecutionSample#period=1ms}). JFR samples at most a few threads per period, and
 * sampling this often costs some CPU itself: profile in runs of their own, not in the runs
 * whose throughput is reported.
 *
 * <p><b>What the samples see.</b> {@code jdk.ExecutionSample} samples threads running Java code
 * (interpreted or compiled): the shares are of that CPU. It cannot see GC or JIT threads (their
 * cost shows as {@link StageProfile#gcPauses()} at best), time in native code (counted apart, as
 * {@code jdk.NativeMethodSample}, and left out: those are mostly threads blocked in
 * {@code epoll_wait}, socket reads or {@code fsync}), nor time in the JIT's intrinsic stubs: a
 * sample that lands in the CRC32/CRC32C instructions is dropped by JFR, so CRC is a lower bound
 * (a loop over 4 KiB CRC32C blocks got about 1 sample in 100; with the intrinsic switched off,
 * {@code -XX:-UseCRC32CIntrinsics}, every sample lands in {@code CRC32C.updateBytes}).
 * {@code -XX:+DebugNonSafepoints} makes samples in inlined code name the inlined method rather than
 * the nearest safepoint's.
 */
public final class StageProfiler {

    /** How often the recording samples each running Java thread. */
    public static final Duration SAMPLING_PERIOD = Duration.ofMillis(1);

    /** The stack depth the recording keeps (JFR's default is 64; Vert.x stacks come close). */
    public static final int STACK_DEPTH = 128;

    static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";
    static final String NATIVE_SAMPLE = "jdk.NativeMethodSample";
    static final String GARBAGE_COLLECTION = "jdk.GarbageCollection";
    static final String ACTIVE_SETTING = "jdk.ActiveSetting";

    private static final Pattern DURATION = Pattern.compile("\\s*(\\d+)\\s*(ns|us|ms|s|m|h|d)\\s*");
    /** A hidden class's address and what JFR adds after it: {@code /0x7f..}, {@code .0x7f..}, {@code +0x7f...123}. */
    private static final Pattern HIDDEN_CLASS_SUFFIX = Pattern.compile("[/.+]0x[0-9a-fA-F]+(\\.\\d+)?$");
    private static final Pattern LAMBDA_NUMBER = Pattern.compile("\\$\\$Lambda\\$\\d+$");

    private StageProfiler() {
    }

    /**
     * The one flag that records a process into {@code jfrFile} with the profile settings and
     * {@code jdk.ExecutionSample} every {@link #SAMPLING_PERIOD}, written when the JVM exits:
     * {@code -XX:StartFlightRecording=filename=FILE,settings=profile,dumponexit=true,jdk.ExecutionSample#period=1ms}.
     *
     * @throws IllegalArgumentException if the path holds a comma, which the option cannot carry
     */
    public static String jvmFlag(Path jfrFile) {
        String file = jfrFile.toAbsolutePath().toString();
        if (file.contains(",")) {
            throw new IllegalArgumentException("a JFR file name cannot contain a comma: " + file);
        }
        return "-XX:StartFlightRecording=filename=" + file + ",settings=profile,dumponexit=true,"
                + EXECUTION_SAMPLE + "#period=" + SAMPLING_PERIOD.toMillis() + "ms";
    }

    /**
     * All the flags a profiled process takes: {@link #jvmFlag(Path)}, the stack depth
     * ({@link #STACK_DEPTH}) and {@code -XX:+DebugNonSafepoints} (with the unlock it needs).
     * Any other diagnostic flag must come after these.
     */
    public static List<String> jvmFlags(Path jfrFile) {
        return List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints",
                "-XX:FlightRecorderOptions=stackdepth=" + STACK_DEPTH, jvmFlag(jfrFile));
    }

    /**
     * Reads a recording and counts its CPU samples by stage (see {@link StageRules}).
     *
     * @param processName the name the profile goes by, as a column of {@link StageProfile#toMarkdown}
     * @throws IOException if the file cannot be read or is not a recording
     */
    public static StageProfile analyze(Path jfrFile, String processName) throws IOException {
        return analyze(jfrFile, processName, null, null);
    }

    /**
     * As {@link #analyze(Path, String)}, counting only the samples taken from {@code from} (if not
     * null) until before {@code to} (if not null): the measured phase of a run, without the
     * process's start (class loading, the interpreter, the JIT's first compilations) and stop.
     */
    public static StageProfile analyze(Path jfrFile, String processName, Instant from, Instant to)
            throws IOException {
        Objects.requireNonNull(processName, "processName");
        StageTally tally = new StageTally(processName);
        // Within a chunk of the recording the parser hands out each method once: name it once.
        Map<RecordedMethod, String> names = new IdentityHashMap<>();
        Map<String, String> threads = new HashMap<>();
        Map<Long, Duration> periods = new HashMap<>();
        long executionSampleType = -1;
        try (RecordingFile file = new RecordingFile(jfrFile)) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                switch (e.getEventType().getName()) {
                    case EXECUTION_SAMPLE -> {
                        executionSampleType = e.getEventType().getId();
                        if (!within(e, from, to)) {
                            continue;
                        }
                        RecordedStackTrace trace = e.getStackTrace();
                        tally.sample(stack(trace, e.getThread("sampledThread"), names, threads),
                                trace != null && trace.isTruncated());
                    }
                    case NATIVE_SAMPLE -> {
                        if (within(e, from, to)) {
                            tally.nativeSample();
                        }
                    }
                    case GARBAGE_COLLECTION -> {
                        if (within(e, from, to)) {
                            tally.gcPause(e.getDuration("sumOfPauses"));
                        }
                    }
                    case ACTIVE_SETTING -> {
                        if ("period".equals(e.getString("name"))) {
                            Duration d = parseDuration(e.getString("value"));
                            if (d != null) {
                                periods.merge(e.getLong("id"), d, (a, b) -> a.compareTo(b) <= 0 ? a : b);
                            }
                        }
                    }
                    default -> {
                    }
                }
            }
        }
        tally.samplingPeriod(periods.get(executionSampleType));
        return tally.profile();
    }

    private static boolean within(RecordedEvent e, Instant from, Instant to) {
        Instant at = e.getStartTime();
        return (from == null || !at.isBefore(from)) && (to == null || at.isBefore(to));
    }

    /** The stack as {@link StageRules} reads it: frames innermost first, then the thread. */
    private static List<String> stack(RecordedStackTrace trace, RecordedThread thread,
                                      Map<RecordedMethod, String> names, Map<String, String> threads) {
        List<RecordedFrame> frames = trace == null ? List.of() : trace.getFrames();
        List<String> stack = new ArrayList<>(frames.size() + 1);
        for (RecordedFrame f : frames) {
            RecordedMethod m = f.getMethod();
            if (m != null) {
                stack.add(names.computeIfAbsent(m, StageProfiler::name));
            }
        }
        String threadName = thread == null ? null
                : thread.getJavaName() != null ? thread.getJavaName() : thread.getOSName();
        if (threadName != null) {
            stack.add(threads.computeIfAbsent(threadName, n -> StageRules.THREAD + n));
        }
        return stack;
    }

    /** {@code "Class.method"}, a lambda's class as {@code Outer$$Lambda} and other hidden classes without their address. */
    static String name(RecordedMethod m) {
        return className(m.getType() == null ? "?" : m.getType().getName()) + "." + m.getName();
    }

    static String className(String name) {
        if (name.contains("0x")) {
            name = HIDDEN_CLASS_SUFFIX.matcher(name).replaceFirst("");
        }
        if (name.contains("$$Lambda$")) {
            name = LAMBDA_NUMBER.matcher(name).replaceFirst(Matcher.quoteReplacement("$$Lambda"));
        }
        return name;
    }

    /** A JFR setting's duration ({@code "10 ms"}, {@code "1ms"}, {@code "20 s"}), or null for anything else. */
    static Duration parseDuration(String value) {
        Matcher m = value == null ? null : DURATION.matcher(value);
        if (m == null || !m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ns" -> Duration.ofNanos(n);
            case "us" -> Duration.ofNanos(n * 1000);
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
