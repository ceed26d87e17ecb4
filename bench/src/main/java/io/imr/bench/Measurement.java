package io.imr.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;

/**
 * Runs one target on one scenario in real processes: the broker, one worker process with every sender and
 * one with every receiving device. The bench process itself only starts, watches and reads them.
 */
final class Measurement {

    /** A measurement in which no worker moves for this long has stalled and fails. */
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(120);

    private final Target target;
    private final Scenario.Plan plan;
    private final int size;
    private final Path dir;
    private final List<String> workerJvmArgs;
    private final LongConsumer progress;

    /**
     * @param workerJvmArgs options for the worker JVMs (profiling), empty for none
     * @param progress      told the deliveries so far, now and then
     */
    Measurement(Target target, Scenario.Plan plan, int size, Path dir, List<String> workerJvmArgs,
                LongConsumer progress) {
        this.target = target;
        this.plan = plan;
        this.size = size;
        this.dir = dir;
        this.workerJvmArgs = List.copyOf(workerJvmArgs);
        this.progress = progress;
    }

    Outcome run() throws Exception {
        Files.createDirectories(dir);
        try (Broker broker = target.startBroker(dir.resolve("broker"))) {
            Path secret = broker instanceof ImrBroker imr ? imr.secretFile() : null;
            for (String r : plan.receivers()) {
                String[] ud = r.split("/");
                target.register(new ClientSpec(broker.address(), ud[0], ud[1], dir.resolve("register"), secret, null));
            }
            List<String> common = new ArrayList<>(List.of("target=" + target.name(), "address=" + broker.address(),
                    "size=" + size));
            if (secret != null) {
                common.add("secret=" + secret);
            }
            List<String> receiveArgs = new ArrayList<>(common);
            receiveArgs.addAll(List.of("role=receive", "dir=" + dir.resolve("receivers"),
                    "clients=" + String.join(",", plan.receivers()), "expect=" + plan.perDevice(),
                    "warmup=" + plan.warmupPerDevice(),
                    "open-on-go=" + plan.offlineFirst()));
            List<String> sendArgs = new ArrayList<>(common);
            sendArgs.addAll(List.of("role=send", "dir=" + dir.resolve("senders"),
                    "clients=" + String.join(",", plan.senders()), "to=" + String.join(",", plan.to()),
                    "count=" + plan.perSender(), "warmup=" + plan.warmupPerSender(),
                    "paced-warmup=" + plan.pacedWarmupPerSender(), "rate=" + plan.rate()));
            try (WorkerProcess receivers = WorkerProcess.start("receiver", jvmArgs("receiver"), receiveArgs,
                    dir.resolve("receiver.log"));
                 WorkerProcess senders = WorkerProcess.start("sender", jvmArgs("sender"), sendArgs,
                         dir.resolve("sender.log"))) {
                receivers.awaitReady();
                senders.awaitReady();
                if (plan.offlineFirst()) {
                    // The devices warm up as they will be measured: catching up on what was sent while they were
                    // offline.
                    senders.go();
                    senders.awaitWarm();
                    receivers.go();
                    receivers.awaitWarm();
                } else {
                    receivers.go();
                    senders.go();
                    receivers.awaitWarm();
                    senders.awaitWarm();
                }
                Map<String, ProcessHandle> processes = new LinkedHashMap<>();
                processes.put("sender", senders.handle());
                processes.put("broker", broker.process());
                processes.put("receiver", receivers.handle());
                // What the warm-up cost is not the measurement's: the broker's counters too.
                Map<String, Double> countersBefore = broker.counters();
                Map<String, Double> cpuBefore = cpu(processes);
                Instant from = Instant.now();
                Map<String, String> sent;
                Map<String, String> received;
                Outcome.Lateness wakeUps;
                if (plan.offlineFirst()) {
                    senders.go();
                    sent = await(senders, senders, receivers, plan.sent(), false);
                    // Catch-up is the device's: its CPU and the broker's count from the device's start.
                    countersBefore = broker.counters();
                    cpuBefore = cpu(processes);
                    from = Instant.now();
                    try (WakeUpProbe probe = WakeUpProbe.start()) {
                        receivers.go();
                        received = await(receivers, senders, receivers, plan.deliveries(), true);
                        wakeUps = probe.stop();
                    }
                } else {
                    try (WakeUpProbe probe = WakeUpProbe.start()) {
                        receivers.go();
                        senders.go();
                        received = await(receivers, senders, receivers, plan.deliveries(), true);
                        wakeUps = probe.stop();
                    }
                    sent = senders.result().get(STALL_NANOS, TimeUnit.NANOSECONDS);
                }
                Map<String, Double> cpuAfter = cpu(processes);
                Outcome.Window window = new Outcome.Window(from, Instant.now());
                Map<String, Double> counters = minus(broker.counters(), countersBefore);
                return outcome(sent, received, cpuBefore, cpuAfter, counters, window, wakeUps);
            }
        }
    }

    private List<String> jvmArgs(String process) {
        List<String> args = new ArrayList<>();
        for (String a : workerJvmArgs) {
            args.add(a.replace("{process}", process));
        }
        return args;
    }

    /** Waits for {@code worker}'s result, failing when nothing moved for {@link #STALL_NANOS}. */
    private Map<String, String> await(WorkerProcess worker, WorkerProcess senders, WorkerProcess receivers,
                                      long expected, boolean deliveries) throws Exception {
        long lastMove = System.nanoTime();
        long last = -1;
        while (true) {
            try {
                return worker.result().get(200, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException notYet) {
                long moved = senders.progress() + receivers.progress();
                if (deliveries) {
                    progress.accept(receivers.progress());
                }
                if (moved != last) {
                    last = moved;
                    lastMove = System.nanoTime();
                } else if (System.nanoTime() - lastMove > STALL_NANOS) {
                    throw new IllegalStateException(target.name() + " stalled at " + receivers.progress() + " of "
                            + expected + " deliveries (" + senders.progress() + " confirmed to the senders); see "
                            + dir);
                }
            }
        }
    }

    private static Map<String, Double> minus(Map<String, Double> after, Map<String, Double> before) {
        Map<String, Double> d = new LinkedHashMap<>();
        after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0.0)));
        return d;
    }

    private static Map<String, Double> cpu(Map<String, ProcessHandle> processes) {
        Map<String, Double> cpu = new LinkedHashMap<>();
        processes.forEach((name, h) -> cpu.put(name,
                h.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN)));
        return cpu;
    }

    private Outcome outcome(Map<String, String> sent, Map<String, String> received, Map<String, Double> cpuBefore,
                            Map<String, Double> cpuAfter, Map<String, Double> counters, Outcome.Window window,
                            Outcome.Lateness wakeUps) {
        long deliveries = Long.parseLong(received.get("messages"));
        long start = plan.offlineFirst() ? Long.parseLong(received.get("go")) : Long.parseLong(sent.get("firstSend"));
        double seconds = (Long.parseLong(received.get("lastCommit")) - start) / 1e9;
        Histogram latency = ReceiveWorker.decode(received.get("latency"));
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpuAfter.forEach((name, after) -> cpu.put(name, (after - cpuBefore.get(name)) * 1e6 / deliveries));
        long wireTotal = l(sent, "wireTotal") + l(received, "wireTotal");
        long wirePayload = l(sent, "wirePayload") + l(received, "wirePayload");
        Map<String, Double> syncs = new LinkedHashMap<>();
        syncs.put("sender", l(sent, "syncs") * 1000.0 / deliveries);
        if (counters.containsKey("store_syncs")) {
            syncs.put("broker", counters.get("store_syncs") * 1000.0 / deliveries);
        }
        syncs.put("receiver", l(received, "syncs") * 1000.0 / deliveries);
        // A process whose syncs are not timed (the peers') reads no bucket at all: it is left out.
        Map<String, SyncTimes> syncTimes = new LinkedHashMap<>();
        syncTimes.put("sender", SyncTimes.decode(sent.get("syncTimes")));
        syncTimes.put("broker", SyncTimes.ofCounters(counters));
        syncTimes.put("receiver", SyncTimes.decode(received.get("syncTimes")));
        Map<String, SyncTimes.Tail> syncTails = new LinkedHashMap<>();
        syncTimes.forEach((process, times) -> {
            if (!times.cumulative().isEmpty()) {
                syncTails.put(process, times.tail());
            }
        });
        Map<String, Double> heap = new LinkedHashMap<>();
        heap.put("sender", l(sent, "heapAfterGc") / 1048576.0);
        heap.put("receiver", l(received, "heapAfterGc") / 1048576.0);
        boolean latencyMeans = !plan.offlineFirst();
        return new Outcome(target.name(), Long.parseLong(sent.get("messages")), deliveries, seconds,
                latencyMeans ? ms(latency.getValueAtPercentile(50)) : Double.NaN,
                latencyMeans ? ms(latency.getValueAtPercentile(99)) : Double.NaN,
                latencyMeans ? ms(latency.getValueAtPercentile(99.9)) : Double.NaN,
                latencyMeans ? ms(latency.getMaxValue()) : Double.NaN, cpu,
                (wireTotal - wirePayload) / (double) deliveries, l(received, "wireConfirmation") / (double) deliveries,
                syncs, heap, l(received, "duplicates"), l(received, "outOfOrder"), counters, window,
                wakeUps, syncTails);
    }

    private static long l(Map<String, String> m, String key) {
        return Long.parseLong(m.get(key));
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
