package io.imr.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * What one {@code imr bench} run measures.
 *
 * @param scenarios      the workloads, in order
 * @param targets        {@code imr:STRATEGY} and peer names, measured in this order for each scenario
 * @param count          messages per saturating scenario (split among the senders of fan-in and pairs)
 * @param size           payload bytes per message (at least 16: the bench's stamp)
 * @param senders        senders of fan-in
 * @param devices        devices of the receiving user of devices
 * @param pairs          pairs of the pairs scenario
 * @param rate           offered messages per second of the latency scenario
 * @param latencySeconds how long the latency scenario offers its rate
 * @param latencyWarmupSeconds how long the latency scenario offers its rate unmeasured first, after the
 *                       saturating warm-up: the JIT compiles what a steady rate runs (its per-commit paths)
 *                       only after tens of seconds of it
 * @param catchUp        messages a device misses while offline in catch-up
 * @param warmup         messages sent (and delivered) before each measurement, split among its senders
 * @param runs           how often each measurement runs; the report takes each one's median run
 * @param dir            where the runs keep their stores (deleted afterwards unless {@code keep})
 * @param keep           keep the stores and logs
 * @param profileDir     when set, imr's processes record JDK Flight Recordings there and the report says
 *                       where each process spends its CPU
 * @param jvmOptions     options given to every JVM a measurement starts (imr's and the peers' alike), after
 *                       {@link Bench#JVM_ARGS}: each starts with {@code -}
 */
public record BenchSettings(List<Scenario> scenarios, List<String> targets, int count, int size, int senders,
                            int devices, int pairs, double rate, double latencySeconds, double latencyWarmupSeconds,
                            int catchUp, int warmup, int runs, Path dir, boolean keep, Path profileDir,
                            List<String> jvmOptions) {

    public BenchSettings {
        if (size < Stamp.BYTES) {
            throw new IllegalArgumentException("--size must be at least " + Stamp.BYTES + " (the bench's stamp), got "
                    + size);
        }
        if (count < 1 || senders < 1 || devices < 1 || pairs < 1 || runs < 1 || catchUp < 1) {
            throw new IllegalArgumentException("counts must be 1 or more");
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("--warmup must be 0 or more, got " + warmup);
        }
        if (rate <= 0 || latencySeconds <= 0) {
            throw new IllegalArgumentException("--rate and the latency duration must be positive");
        }
        if (latencyWarmupSeconds < 0) {
            throw new IllegalArgumentException("--warmup-time must be 0 or more, got " + latencyWarmupSeconds);
        }
        for (String o : jvmOptions) {
            if (!o.startsWith("-") || o.isBlank() || o.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("--jvm-option takes one JVM option starting with '-', such as"
                        + " -XX:+UseParallelGC, got '" + o + "'");
            }
        }
        jvmOptions = List.copyOf(jvmOptions);
        scenarios = List.copyOf(scenarios);
        targets = List.copyOf(targets);
    }
}
