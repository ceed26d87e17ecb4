package io.imr.app;

import io.imr.api.strategy.StrategyRegistry;
import io.imr.bench.ProcessProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code imr sessions}: what many idle sessions cost a server, and that delivery among them still works. */
@Command(name = "sessions", mixinStandardHelpOptions = true,
        description = {"Starts an imr server (a process of its own), opens N idle authenticated sessions to it from"
            + " several 127.0.0.x source addresses, holds them a while (pinging as devices do), and reports the"
            + " server's heap after a full GC, threads and open files per session; then sends 100 messages to a real"
            + " device connected among them and reports when it committed them.",
            "Raises the open-file limit of itself and the server with prlimit (root, where the hard limit is lower)."
                + " Exits 0 when every session was welcomed and held and every message arrived, 1 otherwise."})
final class SessionsCommand implements Callable<Integer> {

    /** Ephemeral ports one source address gives (the kernel's default range holds about 28,000). */
    private static final int PER_SOURCE = 20_000;

    @Option(names = "--count", paramLabel = "N", description = "idle sessions (default 50000)")
    int count = 50_000;

    @Option(names = "--strategy", paramLabel = "NAME", description = "the server's strategy (default hybrid)")
    String strategy = "hybrid";

    @Option(names = "--hold", paramLabel = "DURATION", converter = Converters.ZeroOrMoreDurationConverter.class,
            description = "how long all stay open before the server is measured (default 35s: more than three"
                    + " heartbeats, after which the server drops a silent session)")
    Duration hold = Duration.ofSeconds(35);

    @Option(names = "--data", paramLabel = "DIR", description = "where the server and the devices keep their data"
            + " (default: a new temporary folder, deleted after)")
    Path data;

    @Override
    public Integer call() throws Exception {
        if (count < 1) {
            throw new Imr.UsageError("--count must be 1 or more, got " + count);
        }
        StrategyRegistry.load().get(strategy); // an unknown name is a usage error listing the names available
        long needed = count + 512L;
        long limit = ProcessProbe.raiseOpenFileLimit(needed);
        if (limit < needed) {
            System.err.printf("imr: %,d sessions need %,d open files per process; this one may open %,d (ulimit -n)"
                    + " and could not raise it: run as root, or raise the limit first%n", count, needed, limit);
            return Imr.FAILED;
        }
        int sources = (count + PER_SOURCE - 1) / PER_SOURCE;
        Path dir = data != null ? Files.createDirectories(data) : Files.createTempDirectory("imr-sessions-");
        IdleSessions.Result x;
        try {
            x = new IdleSessions(new IdleSessions.Settings(count, strategy, hold, sources, dir), System.out).run();
        } finally {
            if (data == null) {
                Folders.deleteTree(dir);
            }
        }
        System.out.printf("imr sessions: %,d idle authenticated sessions on one server (%s) from 127.0.0.2-127.0.0.%d,"
                + " held %d s%n", count, strategy, 1 + sources, hold.toSeconds());
        System.out.printf("opened: %,d welcomed in %.1f s (%,.0f/s); %,d refused or dropped%n", x.opened(),
                x.openSeconds(), x.opened() / x.openSeconds(), x.refused());
        for (String reason : x.reasons()) {
            System.out.println("  " + reason);
        }
        int n = Math.max(1, x.opened());
        System.out.printf("server heap after GC: %s -> %s, %,.1f KiB per session%n", ProcessProbe.mib(x.before()
                .heapAfterGc()), ProcessProbe.mib(x.after().heapAfterGc()),
                (x.after().heapAfterGc() - x.before().heapAfterGc()) / 1024.0 / n);
        System.out.printf("server threads: %d -> %d, %+d for %,d sessions%n", x.before().threads(), x.after().threads(),
                x.after().threads() - x.before().threads(), x.opened());
        System.out.printf("server open files: %,d -> %,d, %.2f per session%n", x.before().openFiles(),
                x.after().openFiles(), (x.after().openFiles() - x.before().openFiles()) / (double) n);
        System.out.printf("server resident memory: %s -> %s, %,.1f KiB per session%n", ProcessProbe.mib(x.before().rss()),
                ProcessProbe.mib(x.after().rss()), (x.after().rss() - x.before().rss()) / 1024.0 / n);
        System.out.printf("delivery among them: %d of %d messages to probe/phone committed, the last %.0f ms after the"
                + " first was sent%n", x.delivered(), IdleSessions.PROBE_MESSAGES, x.deliveryMillis());
        boolean passed = x.opened() == count && x.refused() == 0 && x.delivered() == IdleSessions.PROBE_MESSAGES;
        return passed ? Imr.OK : Imr.FAILED;
    }
}
