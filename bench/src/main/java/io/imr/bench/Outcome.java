package io.imr.bench;

import java.time.Instant;
import java.util.Map;

/**
 * One measurement: one target on one scenario.
 *
 * @param target        {@code imr:STRATEGY} or a peer's name
 * @param sent          messages the senders sent (all confirmed)
 * @param deliveries    messages the receiving devices committed, one per device a message reached
 * @param seconds       from the first send (catch-up: from the device's start) to the last commit
 * @param p50Ms         latency from the intended send to the receiver's commit (not for catch-up: NaN)
 * @param cpuPerMillion CPU seconds per million deliveries, by process ({@code sender}, {@code broker},
 *                      {@code receiver})
 * @param controlBytes  bytes that are not payload on every client connection, both ways, per delivery
 * @param confirmationBytes bytes the receiving devices exchanged to confirm or repair, per delivery
 * @param syncsPerThousand  syncs per thousand deliveries, by process; a process whose syncs cannot be counted
 *                      is missing ({@code mqtt} and {@code jetstream} brokers)
 * @param heapMiB       peak heap after a collection, MiB, by worker process
 * @param duplicates    messages a device got twice (must be 0)
 * @param outOfOrder    messages a device got before an earlier one of the same sender (must be 0)
 * @param brokerCounters what the broker counted itself (imr: the server's meters)
 * @param measured      when the measured run started and ended (wall clock), to cut a profile to it
 * @param wakeUps       how late a thread of the bench's own process woke from 1 ms sleeps during the
 *                      measurement ({@link WakeUpProbe}): the machine's scheduling under the run's load
 * @param syncTails     how long the stores' syncs took during the measurement, by process; a process whose syncs
 *                      are not timed is missing (the peers')
 */
public record Outcome(String target, long sent, long deliveries, double seconds, double p50Ms, double p99Ms,
                      double p999Ms, double maxMs, Map<String, Double> cpuPerMillion, double controlBytes,
                      double confirmationBytes, Map<String, Double> syncsPerThousand, Map<String, Double> heapMiB,
                      long duplicates, long outOfOrder, Map<String, Double> brokerCounters,
                      Window measured, Lateness wakeUps, Map<String, SyncTimes.Tail> syncTails) {

    /** A stretch of wall-clock time. */
    public record Window(Instant from, Instant to) {
    }

    /** How late wake-ups came, in milliseconds, and how many were measured. */
    public record Lateness(double p50Ms, double p99Ms, double p999Ms, double maxMs, long count) {
        /** Nothing measured. */
        public static final Lateness NONE = new Lateness(Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
    }

    public double throughput() {
        return deliveries / seconds;
    }

    public double cpuTotalPerMillion() {
        return cpuPerMillion.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    public double syncsTotalPerThousand() {
        return syncsPerThousand.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Whether every device got every message once and in order. */
    public boolean whole() {
        return duplicates == 0 && outOfOrder == 0;
    }
}
