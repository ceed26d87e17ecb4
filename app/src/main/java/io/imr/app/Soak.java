package io.imr.app;

import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.engine.auth.SecretFile;
import io.imr.store.mapdb.MapDbClientStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A crash soak of real processes: an {@code imr server}, three receiving devices (two of bob's, one of carol's) and
 * three senders (alice and dave to bob, erin to carol), each in its own JVM. Kills drawn from the seed
 * ({@link SoakSchedule}) hit any of them with SIGKILL, the server one time in three; each comes back on its own data
 * folder, a server with the strategy its kill names (so restarts swap strategies). A sender that has sent all its
 * messages is followed by a new device of the same user (a generation), so messages flow for as long as the kills
 * last. Then the kills stop, every sender finishes, every device is run until its store holds all its user was sent,
 * and each store is checked against the senders' manifests ({@link SoakCheck}).
 */
final class Soak {

    /**
     * @param seed       the seed of the kills (the same seed, the same kills)
     * @param kills      how many kills
     * @param every      the mean time between two kills
     * @param strategies the strategies the server may run
     * @param perSender  messages per sender generation
     * @param rate       messages per second each sender hands to its outbox
     * @param size       payload bytes
     * @param dir        where the processes keep their data and logs
     */
    record Settings(long seed, int kills, Duration every, List<String> strategies, long perSender, double rate,
                    int size, Path dir) {
    }

    /**
     * What a soak found.
     *
     * @param tally    the departures found in the devices' stores
     * @param failures everything else that went wrong: a process that exited unasked, a device that did not catch
     *                 up, a store that holds another number of messages than its user was sent
     */
    record Result(SoakCheck.Tally tally, long failures) {
        boolean passed() {
            return tally.clean() && failures == 0;
        }
    }

    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration FINISH = Duration.ofMinutes(5);
    private static final Pattern LISTENING = Pattern.compile("listening on (127\\.0\\.0\\.1:\\d+)");
    private static final Pattern MANIFEST =
            Pattern.compile("\\{\"clientId\":\"([^\"]+)\",\"seq\":(\\d+),\"sha256\":\"([0-9a-f]{64})\"}");

    private record Device(String user, String device) {
        String name() {
            return user + "/" + device;
        }
    }

    private record SenderSpec(String user, String device, String to) {
    }

    private static final List<Device> RECEIVERS =
            List.of(new Device("bob", "phone"), new Device("bob", "tablet"), new Device("carol", "watch"));
    private static final List<SenderSpec> SENDERS = List.of(new SenderSpec("alice", "laptop", "bob"),
            new SenderSpec("dave", "desktop", "bob"), new SenderSpec("erin", "tablet", "carol"));

    /** A sender device that ran to its end: its user, its recipient and its manifest. */
    private record Generation(String user, String to, Path manifest, long count) {
    }

    private final Settings s;
    private final PrintStream out;
    private final Path logs;
    private final Map<String, Long> serverRuns = new TreeMap<>();
    private final List<Generation> finished = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private HmacTokens tokens;
    private String address;
    private SoakProcess server;
    private final SoakProcess[] receivers = new SoakProcess[RECEIVERS.size()];
    private final SoakProcess[] senders = new SoakProcess[SENDERS.size()];
    private final int[] generation = new int[SENDERS.size()];
    private long failures;
    private long serverKills;
    private long swaps;
    private long receiverKills;
    private long senderKills;
    private String strategy;

    Soak(Settings settings, PrintStream out) throws IOException {
        this.s = settings;
        this.out = out;
        this.logs = Files.createDirectories(settings.dir().resolve("logs"));
    }

    Result run() throws Exception {
        SoakSchedule schedule = new SoakSchedule(s.seed(), RECEIVERS.size() + SENDERS.size(), s.strategies(), s.every());
        long t0 = System.nanoTime();
        // Ctrl-C or SIGTERM of the soak takes its processes with it (the finally below does not run then).
        Thread reaper = new Thread(() -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly),
                "soak-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            startServer(schedule.firstStrategy(), "127.0.0.1:0");
            tokens = new HmacTokens(SecretFile.read(s.dir().resolve("server").resolve("secret")));
            for (int i = 0; i < receivers.length; i++) {
                receivers[i] = startReceiver(i, null);
            }
            // Retention trims what every device the server knows confirmed: a receiver it has not seen yet holds
            // nothing back, so the senders start once every receiver said hello.
            for (SoakProcess r : receivers) {
                if (!r.awaitLog("imr: connected", START)) {
                    throw new IllegalStateException(r.name + " did not connect within " + START.toSeconds() + " s");
                }
            }
            for (int i = 0; i < senders.length; i++) {
                senders[i] = startSender(i);
            }
            long lastReport = System.nanoTime();
            for (int k = 1; k <= s.kills(); k++) {
                SoakSchedule.Kill kill = schedule.next();
                tend(kill.after(), true);
                kill(kill);
                if (System.nanoTime() - lastReport > 10_000_000_000L || k == s.kills()) {
                    lastReport = System.nanoTime();
                    out.printf("imr soak: %s  kills %,d/%,d (server %,d, swaps %,d)  %,d messages confirmed%n",
                            clock(System.nanoTime() - t0), k, s.kills(), serverKills, swaps, confirmed());
                }
            }
            long killsDone = System.nanoTime();
            long confirmedByThen = confirmed();
            out.printf("imr soak: kills done; letting the senders finish and the devices catch up%n");
            finishSenders();
            Map<String, Long> perUser = new LinkedHashMap<>();
            for (Generation g : finished) {
                perUser.merge(g.to(), g.count(), Long::sum);
            }
            for (int i = 0; i < receivers.length; i++) {
                finishReceiver(i, perUser.getOrDefault(RECEIVERS.get(i).user(), 0L));
            }
            Integer serverExit = server.terminate(Duration.ofSeconds(30));
            if (serverExit == null || serverExit != 0) {
                fail("the server exited " + serverExit + " on SIGTERM; see " + log("server"));
            }
            double seconds = (killsDone - t0) / 1e9;
            SoakCheck.Tally total = check(perUser);
            long sent = finished.stream().mapToLong(Generation::count).sum();
            out.printf("kills: %,d in %s: server %,d (%,d restarts with another strategy), receivers %,d, senders %,d%n",
                    serverKills + receiverKills + senderKills, clock(killsDone - t0), serverKills, swaps, receiverKills, senderKills);
            out.printf("server runs by strategy: %s%n", serverRuns);
            out.printf("sent: %,d messages by %,d sender devices, every one confirmed; %,.0f msg/s confirmed while"
                    + " the kills went on%n", sent, finished.size(), confirmedByThen / seconds);
            out.printf("stored: %,d messages at %d devices; lost %,d, duplicates %,d, altered %,d, holes %,d,"
                    + " out of order %,d, unexpected %,d; other failures %,d%n", total.stored(), RECEIVERS.size(),
                    total.lost(), total.duplicates(), total.altered(), total.holes(), total.outOfOrder(),
                    total.unexpected(), failures);
            for (String p : problems) {
                out.println("  " + p);
            }
            return new Result(total, failures);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs
            }
            for (SoakProcess p : receivers) {
                stopQuietly(p);
            }
            for (SoakProcess p : senders) {
                stopQuietly(p);
            }
            stopQuietly(server);
        }
    }

    private static void stopQuietly(SoakProcess p) throws InterruptedException {
        if (p != null && p.alive()) {
            p.kill9();
        }
    }

    // --- processes ---

    private void startServer(String strategy, String listen) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (true) {
            SoakProcess p = SoakProcess.start("server", log("server"), List.of("server", "--listen", listen,
                    "--data", s.dir().resolve("server").toString(), "--strategy", strategy));
            String first = p.nextLine(START);
            Matcher m = first == null ? null : LISTENING.matcher(first);
            if (m != null && m.matches()) {
                server = p;
                address = m.group(1);
                if (this.strategy != null && !this.strategy.equals(strategy)) {
                    swaps++;
                }
                this.strategy = strategy;
                serverRuns.merge(strategy, 1L, Long::sum);
                return;
            }
            // A port a killed server held may still be taken for a moment: try again.
            p.waitFor(Duration.ofSeconds(10));
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server did not start on " + listen + " within " + START
                        + "; see " + log("server"));
            }
            Thread.sleep(100);
        }
    }

    private SoakProcess startReceiver(int i, Long until) throws IOException {
        Device d = RECEIVERS.get(i);
        List<String> args = new ArrayList<>(clientArgs("receive", d.user(), d.device()));
        if (until != null) {
            args.addAll(List.of("--until", Long.toString(until)));
        }
        return SoakProcess.start(d.name(), log(d.user() + "-" + d.device()), args);
    }

    private SoakProcess startSender(int i) throws IOException {
        SenderSpec spec = SENDERS.get(i);
        if (generation[i] == 0) {
            generation[i] = 1;
        }
        String device = spec.device() + "-" + generation[i];
        List<String> args = new ArrayList<>(clientArgs("send", spec.user(), device));
        args.addAll(List.of("--to", spec.to(), "--count", Long.toString(s.perSender()), "--size",
                Integer.toString(s.size()), "--rate", Double.toString(s.rate()), "--manifest",
                manifest(spec.user(), device).toString()));
        return SoakProcess.start(spec.user() + "/" + device, log(spec.user() + "-" + device), args);
    }

    private List<String> clientArgs(String command, String user, String device) throws IOException {
        Path token = s.dir().resolve("tokens").resolve(user + "-" + device);
        if (!Files.exists(token)) {
            Files.createDirectories(token.getParent());
            Files.writeString(token, tokens.mint(new Principal(user, device), Duration.ofDays(7),
                    System.currentTimeMillis()) + "\n");
        }
        return List.of(command, "--server", address, "--user", user, "--device", device, "--token-file",
                token.toString(), "--data", s.dir().resolve("devices").resolve(user + "-" + device).toString());
    }

    private Path manifest(String user, String device) {
        return s.dir().resolve("devices").resolve(user + "-" + device + ".manifest.jsonl");
    }

    private Path log(String name) {
        return logs.resolve(name + ".log");
    }

    // --- the kills ---

    /**
     * Waits this long, meanwhile starting the next generation of each sender that finished (when {@code more}) and
     * restarting any process that ended unasked (counted: none should).
     */
    private void tend(Duration wait, boolean more) throws Exception {
        long until = System.nanoTime() + wait.toNanos();
        do {
            if (!server.alive()) {
                unexpected("server", server.exitCode());
                startServer(strategy, address);
            }
            for (int i = 0; i < receivers.length; i++) {
                if (!receivers[i].alive()) {
                    unexpected(receivers[i].name, receivers[i].exitCode());
                    receivers[i] = startReceiver(i, null);
                }
            }
            for (int i = 0; i < senders.length; i++) {
                SoakProcess p = senders[i];
                if (p == null || p.alive()) {
                    continue;
                }
                if (p.exitCode() == 0) {
                    finish(i, more);
                } else {
                    unexpected(p.name, p.exitCode());
                    senders[i] = startSender(i);
                }
            }
            Thread.sleep(Math.max(0, Math.min(50, (until - System.nanoTime()) / 1_000_000)));
        } while (System.nanoTime() < until);
    }

    /** Sender {@code i}'s generation ended with 0: it counts, and (with {@code more}) the next one starts. */
    private void finish(int i, boolean more) throws IOException {
        SenderSpec spec = SENDERS.get(i);
        finished.add(new Generation(spec.user(), spec.to(), manifest(spec.user(), spec.device() + "-" + generation[i]),
                s.perSender()));
        senders[i] = null;
        if (more) {
            generation[i]++;
            senders[i] = startSender(i);
        }
    }

    private void unexpected(String name, Integer code) {
        fail(name + " exited " + code + " without being killed; see " + logs);
    }

    private void fail(String line) {
        failures++;
        problem(line);
    }

    private void problem(String line) {
        if (problems.size() < 50) {
            problems.add(line);
        }
    }

    /**
     * Makes one kill: SIGKILL to the victim, a pause, and a start on the same data folder. A victim found dead is
     * no kill: one that exited by itself with an error is a failure (and is started again); a sender that finished
     * is followed by its successor, which the kill then takes as it starts.
     */
    private void kill(SoakSchedule.Kill kill) throws Exception {
        if (kill.victim() == SoakSchedule.SERVER) {
            if (killed(server)) {
                serverKills++;
            }
            Thread.sleep(kill.down().toMillis());
            startServer(kill.strategy(), address);
            return;
        }
        int c = kill.victim() - 1;
        if (c < receivers.length) {
            if (killed(receivers[c])) {
                receiverKills++;
            }
            Thread.sleep(kill.down().toMillis());
            receivers[c] = startReceiver(c, null);
            return;
        }
        int i = c - receivers.length;
        if (!senders[i].alive() && senders[i].exitCode() == 0) {
            finish(i, true);
        }
        if (killed(senders[i])) {
            senderKills++;
        }
        Thread.sleep(kill.down().toMillis());
        senders[i] = startSender(i);
    }

    /** SIGKILL if it runs (true); if it ended by itself with an error, that is a failure (false either way). */
    private boolean killed(SoakProcess p) throws InterruptedException {
        if (p.alive()) {
            p.kill9();
            return true;
        }
        unexpected(p.name, p.exitCode());
        return false;
    }

    // --- the end ---

    private void finishSenders() throws Exception {
        long deadline = System.nanoTime() + FINISH.toNanos();
        while (java.util.Arrays.stream(senders).anyMatch(p -> p != null)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the senders did not finish within " + FINISH + " after the kills;"
                        + " see " + logs);
            }
            tend(Duration.ofMillis(100), false);
        }
    }

    /** Stops the device and runs it again until its store holds {@code total} messages. */
    private void finishReceiver(int i, long total) throws Exception {
        Integer stopped = receivers[i].terminate(Duration.ofSeconds(30));
        if (stopped == null || stopped != 0) {
            fail(receivers[i].name + " exited " + stopped + " on SIGTERM; see " + logs);
        }
        receivers[i] = startReceiver(i, total);
        Integer exit = receivers[i].waitFor(FINISH);
        if (exit == null || exit != 0) {
            fail(receivers[i].name + " did not store its " + total + " messages within " + FINISH + " (exit "
                    + exit + "); see " + logs);
        }
    }

    private long confirmed() throws IOException {
        long n = 0;
        for (Path f : manifests()) {
            try (var lines = Files.lines(f)) {
                n += lines.count();
            }
        }
        return n;
    }

    private List<Path> manifests() throws IOException {
        Path devices = s.dir().resolve("devices");
        if (!Files.isDirectory(devices)) {
            return List.of();
        }
        try (var files = Files.list(devices)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".manifest.jsonl")).toList();
        }
    }

    private SoakCheck.Tally check(Map<String, Long> perUser) throws IOException {
        Map<String, List<SoakCheck.Confirmed>> confirmed = new LinkedHashMap<>();
        for (Generation g : finished) {
            List<SoakCheck.Confirmed> to = confirmed.computeIfAbsent(g.to(), k -> new ArrayList<>());
            for (String line : Files.readAllLines(g.manifest())) {
                Matcher m = MANIFEST.matcher(line);
                if (m.matches()) { // else a line a kill cut short; the message was confirmed again after it
                    to.add(new SoakCheck.Confirmed(g.user(), m.group(1), Long.parseLong(m.group(2)), m.group(3)));
                }
            }
        }
        SoakCheck.PayloadOracle oracle = (sender, clientId) -> {
            int dash = clientId.lastIndexOf('-');
            long counter = Long.parseLong(clientId.substring(dash + 1));
            return counter >= 1 && counter <= s.perSender() ? Payloads.sha256(Payloads.payload(counter, s.size())) : null;
        };
        SoakCheck.Tally total = SoakCheck.Tally.ZERO;
        for (Device d : RECEIVERS) {
            List<SoakCheck.Stored> stored = new ArrayList<>();
            try (MapDbClientStore store = MapDbClientStore.openExisting(s.dir().resolve("devices")
                    .resolve(d.user() + "-" + d.device()))) {
                StoredMessages.forEach(store, m -> stored.add(new SoakCheck.Stored(m.seq(), m.sender(), m.clientId(),
                        Payloads.sha256(m.payload()))));
            }
            List<String> found = new ArrayList<>();
            SoakCheck.Tally t = SoakCheck.check(stored, confirmed.getOrDefault(d.user(), List.of()), oracle, found);
            long expected = perUser.getOrDefault(d.user(), 0L);
            if (t.stored() != expected) {
                fail(d.name() + " stores " + t.stored() + " messages, " + expected + " were sent to " + d.user());
            }
            out.printf("%s: %,d stored%s%n", d.name(), t.stored(), t.clean() ? "" : ", " + t);
            for (String f : found) {
                problem(d.name() + ": " + f);
            }
            total = total.plus(t);
        }
        return total;
    }

    static String clock(long nanos) {
        long sec = nanos / 1_000_000_000L;
        return String.format("%d:%02d:%02d", sec / 3600, sec / 60 % 60, sec % 60);
    }
}
