package io.imr.bench.profile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts one process's samples into a {@link StageProfile}: stacks in, stages and hottest
 * methods out. Separate from the JFR reading so that tests can feed it stacks of their own.
 */
final class StageTally {

    /** The hottest methods a profile lists. */
    static final int HOT_METHODS = 10;

    private static final int STAGES = Stage.values().length;

    private final String process;
    /** Stacks seen so far and their stage: a run repeats the same few thousand stacks. */
    private final Map<List<String>, Stage> stages = new HashMap<>();
    private final long[] perStage = new long[STAGES];
    /** Top frame &rarr; its samples per stage. */
    private final Map<String, long[]> tops = new HashMap<>();
    private long samples;
    private long nativeSamples;
    private long truncated;
    private Duration samplingPeriod;
    private Duration gcPauses = Duration.ZERO;

    StageTally(String process) {
        this.process = process;
    }

    /**
     * One CPU sample.
     *
     * @param stack     its frames, innermost first, then optionally the thread pseudo-frame (see
     *                  {@link StageRules}); not changed afterwards
     * @param truncated whether the recording cut the stack's outermost frames
     * @return the stage it counted for
     */
    Stage sample(List<String> stack, boolean truncated) {
        Stage stage = stages.computeIfAbsent(stack, StageRules::attribute);
        samples++;
        perStage[stage.ordinal()]++;
        if (truncated) {
            this.truncated++;
        }
        String top = stack.isEmpty() || stack.get(0).startsWith(StageRules.THREAD) ? "(no Java frame)" : stack.get(0);
        tops.computeIfAbsent(top, k -> new long[STAGES])[stage.ordinal()]++;
        return stage;
    }

    /** One {@code jdk.NativeMethodSample}: counted, not attributed. */
    void nativeSample() {
        nativeSamples++;
    }

    void gcPause(Duration pause) {
        if (pause != null && !pause.isNegative()) {
            gcPauses = gcPauses.plus(pause);
        }
    }

    /** The period the recording sampled at; the shortest wins, as in JFR when recordings overlap. */
    void samplingPeriod(Duration period) {
        if (period != null && (samplingPeriod == null || period.compareTo(samplingPeriod) < 0)) {
            samplingPeriod = period;
        }
    }

    StageProfile profile() {
        Map<Stage, Long> byStage = new EnumMap<>(Stage.class);
        for (Stage s : Stage.values()) {
            byStage.put(s, perStage[s.ordinal()]);
        }
        List<StageProfile.HotMethod> hot = new ArrayList<>();
        tops.forEach((method, counts) -> {
            long n = 0;
            int most = 0;
            for (int i = 0; i < STAGES; i++) {
                n += counts[i];
                if (counts[i] > counts[most]) {
                    most = i;
                }
            }
            hot.add(new StageProfile.HotMethod(method, n, 100.0 * n / samples, Stage.values()[most]));
        });
        hot.sort(Comparator.comparingLong(StageProfile.HotMethod::samples).reversed()
                .thenComparing(StageProfile.HotMethod::method));
        return new StageProfile(process, samples, byStage, hot.subList(0, Math.min(HOT_METHODS, hot.size())),
                nativeSamples, truncated, samplingPeriod, gcPauses);
    }
}
