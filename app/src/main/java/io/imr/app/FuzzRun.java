package io.imr.app;

import io.imr.api.Message;
import io.imr.bench.ProcessProbe;
import io.imr.wire.FrameCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One run of {@code imr fuzz}: starts the server, the legitimate pair and its quiet phase, then every attack at once
 * until the frame bound or the duration, waits for what the server owes (its answers, the closes of held
 * connections, the pair's last messages), stops the server, reads its store back, prints the figures and says
 * whether every check held.
 */
final class FuzzRun {

    /** Mints a token for a user and device from the server's secret file. */
    @FunctionalInterface
    interface Tokens {
        String mint(Path secretFile, String user, String device) throws IOException;
    }

    /**
     * What a run does.
     *
     * @param frames         stop once this many fuzz frames were written (0: only the duration bounds the attack)
     * @param duration       the longest the attack lasts
     * @param idle           idle connections opened in each wave
     * @param slowLoris      slow-loris connections of each kind (tcp, ws-upgrade, ws) in each wave
     * @param neverReaders   clients that never read, per transport
     * @param threads        threads of each frame attack class per transport
     * @param batch          frames a pipelined connection writes
     * @param probeEvery     every this many connections of a frame attack, one is a probe
     * @param rate           the legitimate pair's messages a second
     * @param quiet          the quiet phase before the attack
     * @param helloTimeout   the server's hello timeout
     * @param heartbeat      the server's heartbeat
     * @param shareCpus      every process on every CPU, rather than the {@link Placement#split() split} placement
     * @param warmUp         how long the frame attacks warm the server up before the quiet phase (0: no warm-up)
     * @param serverOptions  more of the server's settings ({@code imr.server.} options by name, as limits)
     */
    record Settings(long seed, long frames, Duration duration, int idle, int slowLoris, int neverReaders, int threads,
                    int batch, int probeEvery, double rate, Duration quiet, Duration helloTimeout, Duration heartbeat,
                    String strategy, String heap, Path dir, Set<String> attacks, boolean shareCpus, Duration warmUp,
                    Map<String, String> serverOptions) {
    }

    /** The names of the attacks that are not frame attacks. */
    static final List<String> HELD = List.of("idle", "slow-loris", "never-read");

    /** Every attack's name, as {@code --attacks} takes them. */
    static List<String> attackNames() {
        List<String> names = new ArrayList<>();
        for (AttackInputs.Kind k : AttackInputs.Kind.values()) {
            names.add(k.label);
        }
        names.addAll(HELD);
        return names;
    }

    /** How long the pair exchanges messages before its quiet phase is measured. */
    static final Duration WARM_UP = Duration.ofSeconds(3);

    /**
     * The threads of every chosen frame attack class, over TCP and WebSocket, not started; their connections are
     * tallied in {@code tally} and end when {@code stop} says so.
     */
    private List<Thread> frameAttacks(long seed, FuzzServer server, FrameAttack.Target target, FrameCodec codec,
                                      FuzzTally tally, AtomicBoolean stop) throws IOException {
        List<Thread> threads = new ArrayList<>();
        int n = 0;
        for (AttackInputs.Kind kind : AttackInputs.Kind.values()) {
            if (!s.attacks().contains(kind.label)) {
                continue;
            }
            for (boolean ws : new boolean[] {false, true}) {
                for (int i = 0; i < s.threads(); i++, n++) {
                    String device = "w" + n;
                    FrameMutator m = new FrameMutator(seed * 1_000_003L + n, codec,
                            tokens.mint(server.secretFile(), "fuzz", device), "fuzz", device);
                    FrameAttack attack = new FrameAttack(kind, ws, target, m, s.batch(), tally, stop::get,
                            s.probeEvery(), source(n), s.helloTimeout().plus(Duration.ofSeconds(10)));
                    threads.add(daemon(attack, "fuzz-" + FrameAttack.name(kind, ws).replace(' ', '-') + "-" + i));
                }
            }
        }
        return threads;
    }

    /**
     * The warm-up: the frame attacks for {@link Settings#warmUp()} (with inputs of another seed, tallied apart and
     * not reported), then a wait until the server's JIT compilers have settled: a JVM compiles the code of each
     * path its input takes, and on the few CPUs of one machine that work would otherwise land in the quiet phase
     * or the attack and be measured as their latency. Settled: less than 5% of a CPU over a second; waited for at most
     * three times the warm-up (15 s at least).
     */
    private void warmUp(FuzzServer server, FrameAttack.Target target, FrameCodec codec) throws Exception {
        if (s.warmUp().isZero()) {
            return;
        }
        long t0 = System.nanoTime();
        FuzzTally warm = new FuzzTally(connectionLimits());
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = frameAttacks(~s.seed(), server, target, codec, warm, stop);
        threads.forEach(Thread::start);
        Thread.sleep(s.warmUp().toMillis());
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        double attacked = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        long last = ProcessProbe.compilerCpuMillis(server.pid());
        boolean settled = last < 0;
        long bound = Math.max(15_000_000_000L, 3 * s.warmUp().toNanos());
        while (!settled && System.nanoTime() - t1 < bound) {
            Thread.sleep(1000);
            long now = ProcessProbe.compilerCpuMillis(server.pid());
            settled = now - last < 50;
            last = now;
        }
        out.printf("warm-up: frame attacks for %.1f s (%,d frames, not counted below), then %.1f s until the server's"
                + " JIT compilers %s%n", attacked, warm.totalFrames(), (System.nanoTime() - t1) / 1e9,
                last < 0 ? "(not readable here)" : settled ? "settled (under 5% of a CPU)"
                : "still compiled (waited " + bound / 1_000_000_000L + " s)");
    }

    /** Loopback addresses the fuzz connections come from: about 28,000 ephemeral ports each. */
    private static final int SOURCES = 8;

    private final Settings s;
    private final Tokens tokens;
    private final PrintStream out;
    private final List<String> failures = new ArrayList<>();

    FuzzRun(Settings settings, Tokens tokens, PrintStream out) {
        this.s = settings;
        this.tokens = tokens;
        this.out = out;
    }

    /** Runs it; true when every check held. */
    boolean run() throws Exception {
        FrameCodec codec = new FrameCodec();
        Duration slack = Duration.ofSeconds(10);
        Placement placement = s.shareCpus() ? Placement.shared() : Placement.split();
        Map<String, String> settings = new java.util.LinkedHashMap<>(Map.of(
                "imr.server.hello-timeout", s.helloTimeout().toMillis() + "ms",
                "imr.server.heartbeat", s.heartbeat().toMillis() + "ms",
                "imr.wire.max-frame-bytes", Integer.toString(codec.maxFrameBytes())));
        s.serverOptions().forEach((k, v) -> settings.put("imr.server." + k, v));
        try (FuzzServer server = FuzzServer.start(s.dir().resolve("server"), s.strategy(), s.heap(), settings,
                placement)) {
            String[] hp = server.tcp.split(":");
            FrameAttack.Target target = new FrameAttack.Target(hp[0], Integer.parseInt(hp[1]),
                    Integer.parseInt(server.ws.substring(server.ws.lastIndexOf(':') + 1)));
            out.printf("imr fuzz: seed %d; server pid %d (%s) at tcp %s, ws ws://%s/imr, metrics %s; hello timeout %d ms,"
                    + " heartbeat %d ms, max frame %,d bytes; open-file limit %,d%n", s.seed(), server.pid(), s.strategy(),
                    server.tcp, server.ws, server.metrics, s.helloTimeout().toMillis(), s.heartbeat().toMillis(),
                    codec.maxFrameBytes(), ProcessProbe.openFileLimit());
            RemotePair pair = new RemotePair(s.dir().resolve("devices"), server.tcp, "ws://" + server.ws + "/imr",
                    tokens.mint(server.secretFile(), LegitPair.SENDER, LegitPair.SENDER_DEVICE),
                    tokens.mint(server.secretFile(), LegitPair.RECEIVER, LegitPair.RECEIVER_DEVICE), placement);
            String notPlaced = placement.applyToAttackers();
            out.printf("placement: %s%s%n", placement.describe(), notPlaced.isEmpty() ? ""
                    : " (could not be applied: " + notPlaced + ")");
            if (!s.serverOptions().isEmpty()) {
                out.printf("server options: %s%n", s.serverOptions());
            }
            FuzzTally tally = new FuzzTally(connectionLimits());
            List<HeldConnections.Ended> idle = new CopyOnWriteArrayList<>();
            List<HeldConnections.Ended> slow = new CopyOnWriteArrayList<>();
            NeverReaders never;
            ProcessProbe.Sample before;
            ProcessProbe.Sample after;
            double attackSeconds;
            boolean aliveAfterAttack;
            try {
                pair.start();
                before = ProcessProbe.sample(server.pid());
                out.printf("server before: heap after GC %s, %d threads, %,d open files, resident %s%n",
                        ProcessProbe.mib(before.heapAfterGc()), before.threads(), before.openFiles(),
                        ProcessProbe.mib(before.rss()));
                pair.offer(s.rate());
                // The first messages of a JVM run interpreted code: not the reference.
                Thread.sleep(WARM_UP.toMillis());
                warmUp(server, target, codec);
                pair.quietPhase();
                Thread.sleep(s.quiet().toMillis());
                out.printf("quiet phase %d s: %d messages, latency p50 %.1f ms, p99 %.1f ms%n", s.quiet().toSeconds(),
                        pair.latencyCount(0), pair.latencyMillis(0, 0.5), pair.latencyMillis(0, 0.99));

                // The attack: everything at once.
                pair.attackPhase();
                AtomicBoolean stop = new AtomicBoolean();
                AtomicBoolean giveUp = new AtomicBoolean();
                long t0 = System.nanoTime();
                List<Thread> threads = frameAttacks(s.seed(), server, target, codec, tally, stop);
                int n = threads.size();
                FrameMutator helloMaker = new FrameMutator(s.seed(), codec,
                        tokens.mint(server.secretFile(), "fuzz", "held"), "fuzz", "held");
                Duration heldFor = s.helloTimeout().plus(slack);
                int idleCount = s.attacks().contains("idle") ? s.idle() : 0;
                int slowCount = s.attacks().contains("slow-loris") ? s.slowLoris() : 0;
                threads.add(daemon(() -> waves(target, codec, idleCount, 0, new byte[0], heldFor, stop, idle),
                        "fuzz-idle"));
                byte[] slowHello = helloMaker.helloBody();
                threads.add(daemon(() -> waves(target, codec, 0, slowCount, slowHello, heldFor, stop, slow),
                        "fuzz-slow-loris"));
                List<FrameMutator> neverMutators = new ArrayList<>();
                for (int i = 0; i < 2 * s.neverReaders(); i++) {
                    neverMutators.add(new FrameMutator(s.seed() + 1 + i, codec,
                            tokens.mint(server.secretFile(), "fuzz", "never" + i), "fuzz", "never" + i));
                }
                never = new NeverReaders(target, i -> neverMutators.get(Math.min(i, neverMutators.size() - 1)),
                        source(n + 1));
                if (s.neverReaders() > 0 && s.attacks().contains("never-read")) {
                    never.start(s.neverReaders(), stop::get, giveUp::get);
                }
                threads.forEach(Thread::start);
                long deadline = t0 + s.duration().toNanos();
                long nextReport = t0 + 5_000_000_000L;
                while (System.nanoTime() < deadline && (s.frames() == 0 || tally.totalFrames() < s.frames())
                        && server.alive()) {
                    Thread.sleep(50);
                    if (System.nanoTime() >= nextReport) {
                        nextReport += 5_000_000_000L;
                        double secs = (System.nanoTime() - t0) / 1e9;
                        out.printf("attack %.0f s: %,d fuzz frames (%,.0f/s)%n", secs, tally.totalFrames(),
                                tally.totalFrames() / secs);
                    }
                }
                stop.set(true);
                attackSeconds = (System.nanoTime() - t0) / 1e9;
                aliveAfterAttack = server.alive();
                out.printf("attack ended after %.1f s: %,d fuzz frames (%,.0f/s)%s%n", attackSeconds,
                        tally.totalFrames(), tally.totalFrames() / attackSeconds,
                        aliveAfterAttack ? "" : "; THE SERVER PROCESS ENDED");
                // What the server still owes: answers (bounded by the answer timeout), the closes of held
                // connections (each wave ends by its own bound), and of the clients that never read.
                Thread giveUpTimer = daemon(() -> {
                    try {
                        Thread.sleep(neverReadBound().toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                    giveUp.set(true);
                }, "fuzz-give-up");
                giveUpTimer.start();
                for (Thread t : threads) {
                    t.join();
                }
                never.join();
                giveUpTimer.interrupt();
                boolean delivered = pair.stopAndDrain(Duration.ofSeconds(60));
                if (!delivered) {
                    fail("the legitimate receiver did not commit all " + pair.sent() + " messages within 60 s of the end");
                }
                if (!server.alive()) {
                    fail("the server process ended during the run (exit code " + server.stop(Duration.ZERO)
                            + "); see " + server.log());
                    aliveAfterAttack = false;
                }
                after = server.alive() ? ProcessProbe.sample(server.pid()) : null;
            } finally {
                pair.close();
            }
            reportFrames(tally, attackSeconds);
            reportHeld("idle connections", idle, s.attacks().contains("idle") ? s.idle() : 0, true);
            reportHeld("slow-loris connections (one byte a second)", slow,
                    s.attacks().contains("slow-loris") ? 3 * s.slowLoris() : 0, true);
            reportNeverReaders(never.ended());
            long frameConnections = tally.lines().stream().mapToLong(l -> l.connections.sum()).sum();
            out.printf("connections opened in all: %,d (frame attacks %,d, idle %,d, slow-loris %,d, never-read %,d),"
                    + " at most about %,d at once; open-file limit %,d%n", frameConnections + idle.size() + slow.size()
                    + never.ended().size(), frameConnections, idle.size(), slow.size(), never.ended().size(),
                    (s.attacks().contains("idle") ? s.idle() : 0) + (s.attacks().contains("slow-loris")
                            ? 3 * s.slowLoris() : 0) + 2 * s.threads() * AttackInputs.Kind.values().length
                            + 2 * s.neverReaders(), ProcessProbe.openFileLimit());
            if (after != null) {
                out.printf("server after: heap after GC %s (%+.1f MiB), %d threads (%+d), %,d open files (%+d), resident"
                                + " %s%n", ProcessProbe.mib(after.heapAfterGc()),
                        (after.heapAfterGc() - before.heapAfterGc()) / 1048576.0, after.threads(),
                        after.threads() - before.threads(), after.openFiles(), after.openFiles() - before.openFiles(),
                        ProcessProbe.mib(after.rss()));
                if (after.openFiles() > before.openFiles() + 32) {
                    fail("the server holds " + (after.openFiles() - before.openFiles()) + " more open files than before"
                            + " the attack, after every attack connection ended (a leak)");
                }
            }
            double p99Quiet = pair.latencyMillis(0, 0.99);
            double p99Attack = pair.latencyMillis(1, 0.99);
            out.printf("legitimate pair (%s over TCP -> %s over WebSocket, %.0f msg/s): latency p50 / p99 quiet %.1f /"
                            + " %.1f ms (%d messages), under attack %.1f / %.1f ms (%d messages); p99 ratio %.2fx (target"
                            + " <= 2x)%n", LegitPair.SENDER, LegitPair.RECEIVER, s.rate(), pair.latencyMillis(0, 0.5),
                    p99Quiet, pair.latencyCount(0), pair.latencyMillis(1, 0.5), p99Attack, pair.latencyCount(1),
                    p99Attack / p99Quiet);
            LegitPair.Delivery d = pair.delivery();
            out.printf("legitimate delivery: sent %,d, committed by the receiver %,d; lost %d, duplicates %d, out of"
                            + " order %d, not from the sender %d%s%n", d.sent(), d.stored(), d.lost(), d.duplicates(),
                    d.outOfOrder(), d.foreign(), pair.sendFailures() > 0 ? "; sends refused by the outbox "
                            + pair.sendFailures() : "");
            if (!d.whole()) {
                fail("the legitimate delivery is not whole: " + d);
            }
            if (!aliveAfterAttack) {
                fail("the server process did not survive the attack");
            } else {
                int exit = server.stop(Duration.ofSeconds(60));
                out.printf("server stopped with SIGTERM: exit code %d%n", exit);
                if (exit != 0) {
                    fail("the server did not stop cleanly on SIGTERM (exit code " + exit + "); see " + server.log());
                }
                checkStore(server.storedInboxes(), pair.sent());
            }
            FuzzServer.Log log = server.readLog();
            out.printf("server log: %,d lines; %s%n", log.lines(), log.complaints().isEmpty()
                    ? "no exception escaped a handler and no thread was reported blocked"
                    : log.complaints().size() + " kinds of complaint: " + log.complaints());
            log.others().entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(5)
                    .forEach(e -> out.printf("  %,6d x %s%n", e.getValue(), e.getKey()));
            if (!log.complaints().isEmpty()) {
                fail("the server's log (" + server.log() + ") reports exceptions that escaped a handler or blocked"
                        + " threads: " + log.complaints());
            }
        }
        if (failures.isEmpty()) {
            out.println("imr fuzz: PASSED: the server stayed up, answered every bad frame with an error frame and a"
                    + " close (or a close), closed every held connection, delivered the legitimate messages whole and"
                    + " stored nothing else");
        } else {
            out.println("imr fuzz: FAILED:");
            failures.forEach(f -> out.println("  " + f));
        }
        return failures.isEmpty();
    }

    /**
     * How long after the attack's end a client that never reads may still be open: the server closes a session it
     * has heard nothing from for three heartbeats, checked once a heartbeat (so up to four after the last frame it
     * read), forced 2 s later when its queue cannot flush; the last one opened was still being read when the attack
     * ended, until its queue filled. Four heartbeats and 20 s.
     */
    private Duration neverReadBound() {
        return s.heartbeat().multipliedBy(4).plusSeconds(20);
    }

    /** Whether the server turns connections away by address: then RATE_LIMITED answers any connection rightly. */
    private boolean connectionLimits() {
        return isSet("connection-rate") || isSet("max-connections-per-address");
    }

    private boolean isSet(String option) {
        String v = s.serverOptions().get(option);
        return v != null && !v.isBlank() && !v.strip().equals("0");
    }

    private void fail(String what) {
        failures.add(what);
    }

    private static String source(int i) {
        return "127.0.0." + (2 + i % SOURCES);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Opens waves of held connections while the attack runs (at least one): {@code idle} idle ones of the three
     * kinds, or {@code slowLoris} of each kind dripping a hello (TCP, a WebSocket message) or the upgrade request.
     */
    private void waves(FrameAttack.Target target, FrameCodec codec, int idle, int slowLoris, byte[] hello,
                       Duration within, AtomicBoolean stop, List<HeldConnections.Ended> into) {
        if (idle == 0 && slowLoris == 0) {
            return;
        }
        int wave = 0;
        do {
            HeldConnections held;
            try {
                held = new HeldConnections(target, codec, source(100 + wave++));
            } catch (IOException e) {
                fail("could not open a selector: " + e);
                return;
            }
            try {
                for (int i = 0; i < idle; i++) {
                    HeldConnections.Kind kind = i % 2 == 0 ? HeldConnections.Kind.TCP
                            : i % 4 == 1 ? HeldConnections.Kind.WS_UPGRADE : HeldConnections.Kind.WS;
                    held.open(kind, new byte[0]);
                }
                for (int i = 0; i < slowLoris; i++) {
                    held.open(HeldConnections.Kind.TCP, FrameMutator.withLength(hello));
                    held.open(HeldConnections.Kind.WS_UPGRADE, RawWebSocket.upgradeRequest(target.host(),
                            target.wsPort(), "/imr"));
                    held.open(HeldConnections.Kind.WS, RawWebSocket.binary(hello));
                }
                into.addAll(held.hold(within));
            } catch (IOException e) {
                fail("could not open held connections (" + held.opened() + " open): " + e);
                return;
            }
        } while (!stop.get());
    }

    private void reportFrames(FuzzTally tally, double seconds) {
        out.println("frame attacks (every class over TCP and WebSocket at once; a probe is one bad frame whose answer"
                + " is predicted):");
        out.printf("  %-20s %13s %10s %11s %10s %8s %8s %9s %9s  %s%n", "class", "frames", "frames/s", "connections",
                "error+close", "close", "reset", "no-answer", "probes ok", "answers");
        long frames = 0;
        long connections = 0;
        for (FuzzTally.Line l : tally.lines()) {
            long f = l.frames.sum();
            frames += f;
            connections += l.connections.sum();
            long probes = l.probes.sum();
            out.printf("  %-20s %,13d %,10.0f %,11d %,10d %,8d %,8d %,9d %4d/%-4d  %s%n", l.name, f, f / seconds,
                    l.connections.sum(), l.count(ServerAnswer.Outcome.ERROR_AND_CLOSE),
                    l.count(ServerAnswer.Outcome.CLOSE), l.count(ServerAnswer.Outcome.RESET),
                    l.count(ServerAnswer.Outcome.NO_ANSWER), probes - l.probesWrong.sum(), probes, l.answers());
            l.wrong().forEach(w -> out.println("    WRONG: " + w));
            if (l.count(ServerAnswer.Outcome.NO_ANSWER) > 0 || l.count(ServerAnswer.Outcome.GARBLED) > 0
                    || l.probesWrong.sum() > 0) {
                fail(l.name + ": " + l.count(ServerAnswer.Outcome.NO_ANSWER) + " connections not answered, "
                        + l.count(ServerAnswer.Outcome.GARBLED) + " garbled answers, " + l.probesWrong.sum()
                        + " probes answered otherwise than predicted");
            }
            if (probes == 0) {
                fail(l.name + ": no probe ran (the attack ended too early to check this class)");
            }
        }
        out.printf("  %-20s %,13d %,10.0f %,11d%n", "total", frames, frames / seconds, connections);
        tally.crashes().forEach(c -> fail("a fuzz thread failed: " + c));
    }

    private void reportHeld(String what, List<HeldConnections.Ended> ended, int perWave, boolean errorFrameOwed) {
        if (perWave == 0) {
            return;
        }
        out.printf("%s: %,d opened (%,d at once, %d waves)%n", what, ended.size(), perWave,
                ended.size() / Math.max(1, perWave));
        HeldConnections.summary(ended).forEach((kind, line) -> out.printf("  %-10s %s%n", kind, line));
        long open = ended.stream().filter(e -> !e.closedByServer()).count();
        if (open > 0) {
            fail(what + ": " + open + " still open " + s.helloTimeout().plus(Duration.ofSeconds(10)).toSeconds()
                    + " s after they were opened (" + (s.helloTimeout().plus(Duration.ofSeconds(10))
                    .plus(HeldConnections.WS_CLOSING).toSeconds()) + " s for upgraded WebSockets; the hello timeout is "
                    + s.helloTimeout().toMillis() + " ms)");
        }
        long noError = ended.stream().filter(e -> e.closedByServer() && e.kind() != HeldConnections.Kind.WS_UPGRADE
                && e.answer().code() != io.imr.api.frame.ErrorFrame.Code.NOT_ALLOWED
                && !(connectionLimits() && e.answer().code() == io.imr.api.frame.ErrorFrame.Code.RATE_LIMITED)).count();
        if (errorFrameOwed && noError > 0) {
            fail(what + ": " + noError + " closed without the NOT_ALLOWED error frame of the hello timeout");
        }
    }

    private void reportNeverReaders(List<NeverReaders.Ended> ended) {
        if (s.neverReaders() == 0 || !s.attacks().contains("never-read")) {
            return;
        }
        for (boolean ws : new boolean[] {false, true}) {
            List<NeverReaders.Ended> of = ended.stream().filter(e -> e.webSocket() == ws).toList();
            double max = of.stream().mapToDouble(NeverReaders.Ended::heldSeconds).max().orElse(0);
            double[] held = of.stream().mapToDouble(NeverReaders.Ended::heldSeconds).sorted().toArray();
            double median = held.length == 0 ? 0 : held[held.length / 2];
            long bytes = of.stream().mapToLong(NeverReaders.Ended::bytesWritten).sum();
            long notClosed = of.stream().filter(e -> !e.closedByServer()).count();
            out.printf("clients that never read (%s): %d connections, %s written, closed by the server after %.1f s"
                    + " (median), %.1f s at most; %d not closed by the server%n", ws ? "ws" : "tcp", of.size(),
                    ProcessProbe.mib(bytes), median, max, notClosed);
            if (notClosed > 0) {
                fail("clients that never read (" + (ws ? "ws" : "tcp") + "): " + notClosed + " were still open "
                        + neverReadBound().toSeconds() + " s after the attack ended");
            }
        }
    }

    /**
     * The server's store must hold the legitimate messages, in order, once each, and nothing else: the receiver's inbox
     * gave exactly as many seqs as were sent, and each message it still holds (retention trims the confirmed ones) is
     * the sender's message of that index; no other inbox holds or ever held a message.
     */
    private void checkStore(Map<String, FuzzServer.Inbox> stored, int sent) {
        FuzzServer.Inbox inbox = stored.getOrDefault(LegitPair.RECEIVER, new FuzzServer.Inbox(0, List.of()));
        int right = 0;
        for (Message m : inbox.messages()) {
            if (m.sender().equals(LegitPair.SENDER) && m.payload().length == LegitPair.PAYLOAD
                    && ByteBuffer.wrap(m.payload()).getInt() == m.seq() - 1) {
                right++;
            }
        }
        long others = stored.entrySet().stream().filter(e -> !e.getKey().equals(LegitPair.RECEIVER))
                .mapToLong(e -> Math.max(e.getValue().maxSeq(), e.getValue().messages().size())).sum();
        out.printf("server store: %s's inbox gave %,d seqs for %,d messages sent and holds seqs %s (%,d messages, %,d of"
                        + " them the sent one of their seq; retention trimmed the rest); %d inboxes in all, %,d messages"
                        + " of any other user%n", LegitPair.RECEIVER, inbox.maxSeq(), sent,
                inbox.messages().isEmpty() ? "none" : inbox.messages().get(0).seq() + "-"
                        + inbox.messages().get(inbox.messages().size() - 1).seq(),
                inbox.messages().size(), right, stored.size(), others);
        if (inbox.maxSeq() != sent || right != inbox.messages().size() || others != 0) {
            fail("the server's store does not hold exactly the legitimate messages: " + LegitPair.RECEIVER
                    + "'s inbox gave " + inbox.maxSeq() + " seqs for " + sent + " sent, " + right + " of the "
                    + inbox.messages().size() + " held are the sent ones, " + others + " messages of other users");
        }
    }
}
