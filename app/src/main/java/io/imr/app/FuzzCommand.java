package io.imr.app;

import io.imr.api.strategy.StrategyRegistry;
import io.imr.bench.ProcessProbe;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.engine.auth.SecretFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code imr fuzz}: a live fuzzer against a real server, beside a legitimate pair whose delivery must stay whole. */
@Command(name = "fuzz", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Starts an imr server (a process of its own, TCP and WebSocket on loopback) and attacks it over"
            + " real sockets, TCP and WebSocket, every attack at once: random bytes, frames of the real codec with"
            + " mutated bytes (before a hello, and after a hello with a real token), truncated and oversized frames,"
            + " length prefixes of 2 GiB, frames before the hello, hellos of bad protocol versions, thousands of idle"
            + " connections, slow-loris writers (one byte a second) and clients that never read; meanwhile a"
            + " legitimate sender and receiver (real clients on MapDB stores) exchange paced messages through it.",
            "Checks: the server stays up and stops cleanly; every bad frame is answered with an error frame and a close"
                + " (probes check the exact code the real codec predicts); every held connection is closed by the"
                + " server within its hello timeout; the legitimate delivery is whole (none lost, none twice, in"
                + " order) and the server's store holds exactly the legitimate messages; no open file is left behind.",
            "Prints fuzz frames per class and second, connections, the server's heap and threads before and after,"
                + " and the pair's latency quiet and under attack. Exits 0 when every check held, 1 otherwise."})
final class FuzzCommand implements Callable<Integer> {

    @Option(names = "--seed", paramLabel = "N", description = "the seed of every fuzz input (default: a random one,"
            + " printed; the same seed makes the same bytes on each connection thread)")
    Long seed;

    @Option(names = "--frames", paramLabel = "N", description = "stop the attack once this many fuzz frames were"
            + " written, 0 for no bound (default 10000000; 200000 with --quick)")
    Long frames;

    @Option(names = "--duration", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "the longest the attack lasts, like 90s or 10m (default 10m)")
    Duration duration = Duration.ofMinutes(10);

    @Option(names = "--quick", description = "a short run for tests: 200000 frames, 300 idle connections, 2 slow-loris"
            + " connections of each kind, a 3 s quiet phase, a hello timeout of 3 s and a heartbeat of 2 s (flags"
            + " given as well win)")
    boolean quick;

    @Option(names = "--attacks", paramLabel = "NAME", split = ",", description = "the attacks to run, by name:"
            + " random-bytes, mutated, truncated, oversized, length-2GiB, before-hello, bad-version, idle, slow-loris,"
            + " never-read (default: all)")
    List<String> attacks;

    @Option(names = "--idle-connections", paramLabel = "N", description = "connections opened and left idle in each"
            + " wave while the attack lasts: half TCP, a quarter to the WebSocket port never upgraded, a quarter"
            + " upgraded with no hello (default 2000; mind ulimit -n)")
    Integer idle;

    @Option(names = "--slow-loris", paramLabel = "N", description = "slow-loris connections of each kind (a TCP hello,"
            + " a WebSocket upgrade request, a WebSocket hello message, one byte a second) in each wave (default 10)")
    Integer slowLoris;

    @Option(names = "--never-readers", paramLabel = "N", description = "clients that say hello, then write pulls and"
            + " pings and never read, per transport (default 2)")
    int neverReaders = 2;

    @Option(names = "--threads", paramLabel = "N", description = "connection threads of each frame attack class per"
            + " transport (default 2)")
    int threads = 2;

    @Option(names = "--batch", paramLabel = "N", description = "fuzz frames a pipelined connection writes before it"
            + " ends its side (default 256)")
    int batch = 256;

    @Option(names = "--probe-every", paramLabel = "N", description = "one connection in N writes a single bad frame"
            + " and checks the server's answer against the one predicted (default 16)")
    int probeEvery = 16;

    @Option(names = "--rate", paramLabel = "MSG/S", description = "messages a second the legitimate pair exchanges"
            + " (default 200)")
    double rate = 200;

    @Option(names = "--quiet", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "the quiet phase before the attack, whose latency is the reference (default 10s)")
    Duration quiet;

    @Option(names = "--hello-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "the server's hello timeout (imr.server.hello-timeout; default 10s, its own default)")
    Duration helloTimeout;

    @Option(names = "--heartbeat", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "the server's heartbeat (imr.server.heartbeat; default 10s, its own default)")
    Duration heartbeat;

    @Option(names = "--strategy", paramLabel = "NAME", description = "the server's strategy (default hybrid)")
    String strategy = "hybrid";

    @Option(names = "--server-heap", paramLabel = "SIZE", description = "the server JVM's -Xmx (default 1g)")
    String serverHeap = "1g";

    @Option(names = "--warm-up", paramLabel = "DURATION", converter = Converters.ZeroOrMoreDurationConverter.class,
            description = "how long the frame attacks run before the quiet phase, so that the server's JIT has"
                    + " compiled their paths before anything is measured (0s: none; default 20s, --quick 5s)")
    Duration warmUp;

    @Option(names = "--server-option", paramLabel = "NAME=VALUE", description = "a setting of the server under"
            + " attack, as imr.server.NAME (repeatable), e.g. connection-rate=20 to attack a server with the limits a"
            + " deployment facing the internet sets (default: none, every limit off)")
    Map<String, String> serverOptions = new java.util.LinkedHashMap<>();

    @Option(names = "--share-cpus", description = "run the server, the legitimate pair and the attackers on every CPU"
            + " (default: on Linux with 2 CPUs or more, the server alone on half of them and the pair beside the"
            + " attackers, which run at the lowest priority, on the other half, as if the attackers were machines of"
            + " their own)")
    boolean shareCpus;

    @Option(names = "--data", paramLabel = "DIR", description = "where the server and the pair keep their data and the"
            + " server its log (default: a new temporary folder, deleted after a run that passed)")
    Path data;

    @Override
    public Integer call() throws Exception {
        long frameBound = frames != null ? frames : quick ? 200_000 : 10_000_000;
        int idleCount = idle != null ? idle : quick ? 300 : 2000;
        int slow = slowLoris != null ? slowLoris : quick ? 2 : 10;
        Duration quietPhase = quiet != null ? quiet : Duration.ofSeconds(quick ? 3 : 10);
        Duration hello = helloTimeout != null ? helloTimeout : Duration.ofSeconds(quick ? 3 : 10);
        Duration warm = warmUp != null ? warmUp : Duration.ofSeconds(quick ? 5 : 20);
        Duration beat = heartbeat != null ? heartbeat : Duration.ofSeconds(quick ? 2 : 10);
        require(frameBound >= 0, "--frames must be 0 or more, got " + frameBound);
        require(idleCount >= 0, "--idle-connections must be 0 or more, got " + idleCount);
        require(slow >= 0, "--slow-loris must be 0 or more, got " + slow);
        require(neverReaders >= 0, "--never-readers must be 0 or more, got " + neverReaders);
        require(threads >= 1 && threads <= 64, "--threads must be 1 to 64, got " + threads);
        require(batch >= 1 && batch <= 100_000, "--batch must be 1 to 100000, got " + batch);
        require(probeEvery >= 1, "--probe-every must be 1 or more, got " + probeEvery);
        require(rate > 0 && rate <= 10_000, "--rate must be above 0 and at most 10000, got " + rate);
        require(!serverHeap.isBlank() && serverHeap.matches("\\d+[kKmMgG]?"),
                "--server-heap must be a JVM size like 512m or 1g, got \"" + serverHeap + "\"");
        List<String> known = FuzzRun.attackNames();
        Set<String> chosen = new LinkedHashSet<>(attacks == null || attacks.isEmpty() ? known : attacks);
        for (String a : chosen) {
            require(known.contains(a), "--attacks: unknown attack \"" + a + "\"; the attacks are "
                    + String.join(", ", known));
        }
        List<String> engineOptions = new java.util.ArrayList<>();
        io.imr.engine.ServerEngineConfig.OPTIONS.forEach(o -> engineOptions.add(o.name()));
        io.imr.embed.TransportOptions.OPTIONS.forEach(o -> engineOptions.add(o.name()));
        for (String name : serverOptions.keySet()) {
            require(engineOptions.contains(name), "--server-option: unknown option \"" + name + "\"; the server's"
                    + " options are " + String.join(", ", engineOptions));
            require(!name.equals("hello-timeout") && !name.equals("heartbeat"), "--server-option: " + name + " is"
                    + " set with --" + name + ", whose value the fuzzer's checks use");
        }
        StrategyRegistry.load().get(strategy); // an unknown name is a usage error naming those there are
        long needed = idleCount + 3L * slow + 512;
        long limit = ProcessProbe.raiseOpenFileLimit(needed);
        if (limit < needed) {
            System.err.printf("imr: %,d held connections need %,d open files per process; this one may open %,d"
                    + " (ulimit -n): lower --idle-connections or raise the limit%n", idleCount + 3L * slow, needed, limit);
            return Imr.FAILED;
        }
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong(1, 1L << 40);
        Path dir = data != null ? Files.createDirectories(data) : Files.createTempDirectory("imr-fuzz-");
        boolean passed = false;
        try {
            passed = new FuzzRun(new FuzzRun.Settings(s, frameBound, duration, idleCount, slow, neverReaders, threads,
                    batch, probeEvery, rate, quietPhase, hello, beat, strategy, serverHeap, dir, chosen, shareCpus,
                    warm, serverOptions), this::token,
                    System.out).run();
        } finally {
            if (data == null && passed) {
                Folders.deleteTree(dir);
            } else if (data == null) {
                System.out.println("imr fuzz: the data and the server's log are kept in " + dir);
            }
        }
        return passed ? Imr.OK : Imr.FAILED;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new Imr.UsageError(message);
        }
    }

    /** The one place this command mints tokens: from the server's secret file, valid for a day. */
    private String token(Path secretFile, String user, String device) throws IOException {
        return new HmacTokens(SecretFile.read(secretFile)).mint(new Principal(user, device), Duration.ofDays(1),
                System.currentTimeMillis());
    }
}
