package io.imr.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The workloads of {@code imr bench}. Each plans who sends what to whom, given the run's settings. */
public enum Scenario {

    /** One sender, one receiving device, saturating. */
    ONE_TO_ONE("1to1", "1 sender -> 1 receiver"),
    /** Many senders (each its own connection and outbox, all in one process) to one receiving device. */
    FAN_IN("fan-in", "%d senders -> 1 receiver"),
    /** One sender to a user with several devices (all in one process), each of which gets every message. */
    DEVICES("devices", "1 sender -> 1 user with %d devices"),
    /** Many independent pairs: senders in one process, receivers in another. */
    PAIRS("pairs", "%d pairs"),
    /** One to one at a fixed offered rate: the latency that a steady load sees. */
    LATENCY("latency", "1 sender -> 1 receiver at %s msg/s"),
    /** A device offline while one sender sends, then started: how fast it catches up, and its heap. */
    CATCH_UP("catch-up", "a device offline for %s messages catches up");

    private final String id;
    private final String title;

    Scenario(String id, String title) {
        this.id = id;
        this.title = title;
    }

    public String id() {
        return id;
    }

    /** The scenario named {@code id}; throws naming the known ones. */
    public static Scenario byId(String id) {
        for (Scenario s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + id + "': " + ids());
    }

    public static String ids() {
        return Arrays.stream(values()).map(Scenario::id).collect(Collectors.joining(", "));
    }

    /** Who sends how many to whom in this scenario. */
    public Plan plan(BenchSettings s) {
        Plan p = planned(s);
        int warmup = Math.max(s.warmup() / p.senders().size(), s.warmup() > 0 ? 1 : 0);
        int paced = p.rate() > 0 ? (int) Math.round(p.rate() * s.latencyWarmupSeconds() / p.senders().size()) : 0;
        return new Plan(p.scenario(), p.title(), p.senders(), p.to(), p.perSender(), p.receivers(), p.perDevice(),
                p.rate(), p.offlineFirst(), warmup, paced);
    }

    private Plan planned(BenchSettings s) {
        return switch (this) {
            case ONE_TO_ONE -> new Plan(this, title, List.of("alice/laptop"), List.of("bob"), s.count(),
                    List.of("bob/phone"), s.count(), 0, false, 0, 0);
            case FAN_IN -> {
                int per = Math.max(1, s.count() / s.senders());
                yield new Plan(this, String.format(title, s.senders()), numbered("s", "laptop", s.senders()),
                        List.of("bob"), per, List.of("bob/phone"), (long) per * s.senders(), 0, false, 0, 0);
            }
            case DEVICES -> {
                List<String> devices = new ArrayList<>();
                for (int i = 1; i <= s.devices(); i++) {
                    devices.add("bob/device" + i);
                }
                yield new Plan(this, String.format(title, s.devices()), List.of("alice/laptop"), List.of("bob"),
                        s.count(), devices, s.count(), 0, false, 0, 0);
            }
            case PAIRS -> {
                int per = Math.max(1, s.count() / s.pairs());
                List<String> to = new ArrayList<>();
                for (int i = 1; i <= s.pairs(); i++) {
                    to.add("b" + i);
                }
                yield new Plan(this, String.format(title, s.pairs()), numbered("a", "laptop", s.pairs()), to, per,
                        numbered("b", "phone", s.pairs()), per, 0, false, 0, 0);
            }
            case LATENCY -> {
                int n = (int) Math.max(1, Math.round(s.rate() * s.latencySeconds()));
                yield new Plan(this, String.format(title, BenchReport.number(s.rate())), List.of("alice/laptop"),
                        List.of("bob"), n, List.of("bob/phone"), n, s.rate(), false, 0, 0);
            }
            case CATCH_UP -> new Plan(this, String.format(title, BenchReport.number(s.catchUp())),
                    List.of("alice/laptop"), List.of("bob"), s.catchUp(), List.of("bob/phone"), s.catchUp(), 0, true, 0,
                    0);
        };
    }

    private static List<String> numbered(String userPrefix, String device, int n) {
        List<String> list = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            list.add(userPrefix + i + "/" + device);
        }
        return list;
    }

    /**
     * @param senders         USER/DEVICE of each sender
     * @param to              sender i sends to {@code to[i % to.size()]}
     * @param perSender       messages each sender sends
     * @param receivers       USER/DEVICE of each receiving device
     * @param perDevice       messages each receiving device must commit
     * @param rate            offered messages per second of all senders together; 0 saturates
     * @param offlineFirst    the devices are offline (after their warm-up, if any) until every message was
     *                        confirmed to the senders
     * @param warmupPerSender messages each sender sends, saturating, before the measurement, so that every
     *                        process has compiled its hot code (0 for catch-up: a device comes online cold)
     * @param pacedWarmupPerSender messages each sender then sends at the scenario's rate, unmeasured (the
     *                        latency scenario's {@code --warmup-time}; 0 for the others)
     */
    public record Plan(Scenario scenario, String title, List<String> senders, List<String> to, int perSender,
                       List<String> receivers, long perDevice, double rate, boolean offlineFirst,
                       int warmupPerSender, int pacedWarmupPerSender) {

        /** Messages each device gets during the warm-up: as many per sender as it gets when measured. */
        public long warmupPerDevice() {
            return perDevice / perSender * ((long) warmupPerSender + pacedWarmupPerSender);
        }

        public long sent() {
            return (long) perSender * senders.size();
        }

        public long deliveries() {
            return perDevice * receivers.size();
        }
    }
}
