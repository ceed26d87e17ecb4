package io.imr.bench.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.MessageLite;
import io.imr.api.frame.Frame;
import io.imr.wire.FrameCodec;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real recordings: child JVMs started with {@link StageProfiler#jvmFlags}, each hot in known code
 * ({@link StageWorkload}), analyzed; and the rendering on profiles made by hand.
 */
class StageProfilerTest {

    /**
     * CPU time each workload spends measured, after half as much to warm up; at a 1 ms period JFR
     * keeps a good part of its samples even on a crowded machine.
     */
    private static final long WORKLOAD_MILLIS = 700;

    /** Samples a recording must hold for its shares to be tested. */
    private static final long ENOUGH = 50;

    @TempDir
    static Path dir;

    private static final Pattern MEASURING_FROM = Pattern.compile("measuring from (\\S+)");

    /** Process name &rarr; its profile after its warm-up, in the order started. */
    private static final Map<String, StageProfile> PROFILES = new LinkedHashMap<>();

    @BeforeAll
    static void recordThreeProcesses() throws Exception {
        // CRC32C's intrinsic is switched off, or JFR would drop nearly every sample inside it.
        Map<String, List<String>> extra = new LinkedHashMap<>();
        extra.put("crc", List.of("-XX:-UseCRC32CIntrinsics"));
        extra.put("codec", List.of());
        extra.put("loop", List.of());
        Map<String, Process> running = new LinkedHashMap<>();
        for (var e : extra.entrySet()) {
            String name = e.getKey();
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(StageProfiler.jvmFlags(dir.resolve(name + ".jfr")));
            command.addAll(e.getValue());
            command.addAll(List.of("-Xmx128m", "-cp", classPath(), StageWorkload.class.getName(), name,
                    Long.toString(WORKLOAD_MILLIS)));
            running.put(name, new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve(name + ".out").toFile()).start());
        }
        for (var e : running.entrySet()) {
            Process p = e.getValue();
            String out = dir.resolve(e.getKey() + ".out").toString();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished; output in %s", e.getKey(), out).isTrue();
            String output = Files.readString(Path.of(out));
            assertThat(p.exitValue()).as("exit of %s: %s", e.getKey(), output).isZero();
            Matcher from = MEASURING_FROM.matcher(output);
            assertThat(from.find()).as(output).isTrue();
            PROFILES.put(e.getKey(), StageProfiler.analyze(dir.resolve(e.getKey() + ".jfr"), e.getKey(),
                    Instant.parse(from.group(1)), null));
        }
        System.out.println(StageProfile.toMarkdown(List.copyOf(PROFILES.values())));
        PROFILES.values().forEach(p -> System.out.println(p.toJson()));
    }

    /** What the workload needs: its own classes, imr's api and wire, protobuf. */
    private static String classPath() throws URISyntaxException {
        List<String> entries = new ArrayList<>();
        for (Class<?> c : List.of(StageWorkload.class, Frame.class, FrameCodec.class, MessageLite.class)) {
            entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    @Test
    void aCrcLoopIsCrc() {
        StageProfile p = PROFILES.get("crc");
        assertThat(p.samples()).isGreaterThan(ENOUGH);
        assertThat(p.share(Stage.CRC)).as(p.toJson()).isGreaterThan(80);
        assertThat(p.hotMethods().get(0).method()).startsWith("java.util.zip.CRC32C.");
        assertThat(p.hotMethods().get(0).stage()).isEqualTo(Stage.CRC);
    }

    @Test
    void theCodecIsEncodeAndDecode() {
        StageProfile p = PROFILES.get("codec");
        assertThat(p.samples()).isGreaterThan(ENOUGH);
        assertThat(p.share(Stage.ENCODE)).as(p.toJson()).isGreaterThan(15);
        assertThat(p.share(Stage.DECODE)).as(p.toJson()).isGreaterThan(15);
        assertThat(p.share(Stage.ENCODE) + p.share(Stage.DECODE) + p.share(Stage.CRC)).as(p.toJson())
                .isGreaterThan(70);
    }

    @Test
    void aLoopInTheBenchsOwnCodeIsTheListener() {
        StageProfile p = PROFILES.get("loop");
        assertThat(p.samples()).isGreaterThan(ENOUGH);
        assertThat(p.share(Stage.LISTENER)).as(p.toJson()).isGreaterThan(80);
        assertThat(p.hotMethods().get(0).method()).isEqualTo(StageWorkload.class.getName() + ".loop");
    }

    @Test
    void everyProfileAddsUpAndSampledEveryMillisecond() {
        PROFILES.values().forEach(p -> {
            assertThat(Arrays.stream(Stage.values()).mapToDouble(p::share).sum()).isCloseTo(100.0, within(1e-9));
            assertThat(Arrays.stream(Stage.values()).mapToLong(p::samples).sum()).isEqualTo(p.samples());
            assertThat(p.samplingPeriod()).isEqualTo(Duration.ofMillis(1));
            assertThat(p.hotMethods()).hasSizeBetween(1, StageTally.HOT_METHODS);
            assertThat(p.hotMethods().stream().mapToLong(StageProfile.HotMethod::samples).sum())
                    .isLessThanOrEqualTo(p.samples());
        });
    }

    @Test
    void aWindowCountsOnlyTheSamplesInIt() throws IOException {
        Path file = dir.resolve("loop.jfr");
        assertThat(StageProfiler.analyze(file, "loop", Instant.now(), null).samples()).isZero();
        assertThat(StageProfiler.analyze(file, "loop", null, Instant.EPOCH).samples()).isZero();
        StageProfile all = StageProfiler.analyze(file, "loop");
        assertThat(StageProfiler.analyze(file, "loop", Instant.EPOCH, Instant.now()).samples())
                .isEqualTo(all.samples());
        assertThat(all.samples()).isGreaterThan(PROFILES.get("loop").samples());
    }

    @Test
    void theTableHasAColumnPerProcess() {
        List<StageProfile> profiles = List.copyOf(PROFILES.values());
        String md = StageProfile.toMarkdown(profiles);
        List<String> rows = md.lines().filter(l -> l.startsWith("|")).toList();
        assertThat(rows.get(0)).isEqualTo("| stage | crc | codec | loop |");
        rows.forEach(r -> assertThat(r.chars().filter(c -> c == '|').count()).as(r).isEqualTo(5));
        assertThat(rows).anyMatch(r -> r.startsWith("| CRC | "));
        assertThat(rows.get(rows.size() - 1)).isEqualTo("| samples | " + profiles.get(0).samples() + " | "
                + profiles.get(1).samples() + " | " + profiles.get(2).samples() + " |");
        String json = StageProfile.toJson(profiles);
        assertThat(json).startsWith("[{\"process\":\"crc\",").contains("{\"process\":\"loop\",").endsWith("]}]");
    }

    // ---------------------------------------------------------------- rendering, without JFR

    private static StageProfile handMade(String process, int crc, int engine, int gcJvm) {
        StageTally t = new StageTally(process);
        for (int i = 0; i < crc; i++) {
            t.sample(List.of("java.util.zip.CRC32C.update", "io.imr.api.Checksums.crc32c"), false);
        }
        for (int i = 0; i < engine; i++) {
            t.sample(List.of("io.imr.engine.AppendPipeline.submit", "thread:imr-s-engine"), i == 0);
        }
        for (int i = 0; i < gcJvm; i++) {
            t.sample(List.of("jdk.jfr.internal.PlatformRecorder.periodicTask"), false);
        }
        return t.profile();
    }

    @Test
    void sharesOfHandMadeStacksRenderWithOneDecimal() {
        StageProfile a = handMade("server", 1, 2, 0);
        StageProfile empty = handMade("idle | client", 0, 0, 0);
        assertThat(a.share(Stage.CRC)).isCloseTo(100.0 / 3, within(1e-9));
        assertThat(a.truncatedStacks()).isEqualTo(1);
        assertThat(empty.share(Stage.CRC)).isZero();
        String md = StageProfile.toMarkdown(List.of(a, empty));
        assertThat(md).startsWith("| stage | server | idle \\| client |\n|:--|--:|--:|\n| encode | 0.0 | 0.0 |\n")
                .contains("\n| CRC | 33.3 | 0.0 |\n", "\n| engine | 66.7 | 0.0 |\n", "\n| samples | 3 | 0 |\n")
                .doesNotContain("GC and JVM");
        assertThat(StageProfile.toMarkdown(List.of(handMade("s", 0, 0, 1)))).contains("\n| GC and JVM | 100.0 |\n");
        assertThat(a.hotMethods()).containsExactly(
                new StageProfile.HotMethod("io.imr.engine.AppendPipeline.submit", 2, 200.0 / 3, Stage.ENGINE),
                new StageProfile.HotMethod("java.util.zip.CRC32C.update", 1, 100.0 / 3, Stage.CRC));
        assertThat(a.toJson()).startsWith("{\"process\":\"server\",\"samples\":3,\"nativeSamples\":0,"
                        + "\"truncatedStacks\":1,\"samplingPeriodMillis\":null,\"gcPauseMillis\":0,\"stages\":["
                        + "{\"stage\":\"encode\",\"samples\":0,\"share\":0},")
                .contains("{\"stage\":\"CRC\",\"samples\":1,\"share\":33.333}")
                .endsWith("{\"method\":\"java.util.zip.CRC32C.update\",\"samples\":1,\"share\":33.333,"
                        + "\"stage\":\"CRC\"}]}");
        assertThat(empty.toJson()).contains("\"process\":\"idle | client\"");
        assertThat(StageProfile.quote("a\"b\\c\nd\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001\"");
    }

    @Test
    void theFlagIsTheOneThisJdkTakes() {
        Path file = Path.of("/tmp/prof/server.jfr");
        assertThat(StageProfiler.jvmFlag(file)).isEqualTo("-XX:StartFlightRecording=filename=/tmp/prof/server.jfr,"
                + "settings=profile,dumponexit=true,jdk.ExecutionSample#period=1ms");
        assertThat(StageProfiler.jvmFlags(file)).containsExactly("-XX:+UnlockDiagnosticVMOptions",
                "-XX:+DebugNonSafepoints", "-XX:FlightRecorderOptions=stackdepth=128", StageProfiler.jvmFlag(file));
        assertThatThrownBy(() -> StageProfiler.jvmFlag(Path.of("/tmp/a,b.jfr")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(StageProfiler.parseDuration("10 ms")).isEqualTo(Duration.ofMillis(10));
        assertThat(StageProfiler.parseDuration("1ms")).isEqualTo(Duration.ofMillis(1));
        assertThat(StageProfiler.parseDuration("everyChunk")).isNull();
    }

    @Test
    void aFileThatIsNoRecordingFails() throws IOException {
        Path notJfr = Files.writeString(dir.resolve("not.jfr"), "hello");
        assertThatThrownBy(() -> StageProfiler.analyze(notJfr, "x")).isInstanceOf(IOException.class);
        assertThat(Stream.of("crc", "codec", "loop")).allMatch(n -> Files.exists(dir.resolve(n + ".jfr")));
    }
}
