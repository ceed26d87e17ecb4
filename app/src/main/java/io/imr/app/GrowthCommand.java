package io.imr.app;

import io.imr.api.store.InboxState;
import io.imr.embed.HostPort;
import io.imr.embed.ImrClient;
import io.imr.embed.ImrServer;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code imr growth}: whether the server's data folder stops growing once devices confirm (retention). One server,
 * one sender and two receiving devices of one user, in this process over real sockets and real stores; the sizes
 * of the folders are printed as the messages go through.
 */
@Command(name = "growth", mixinStandardHelpOptions = true,
        description = {"Sends messages through a server to two devices of one user, in this process over 127.0.0.1,"
                + " and prints the size of the server's data folder (and of a device's) every --sample messages:"
                + " retention trims what both devices confirmed, so the server's folder stops growing while the"
                + " devices', which keep every message, grow.",
            "Exits 0 when every message reached both devices."})
final class GrowthCommand implements Callable<Integer> {

    @Option(names = "--messages", paramLabel = "N", defaultValue = "1000000",
            description = "messages to send (default: ${DEFAULT-VALUE})")
    long messages;

    @Option(names = "--sample", paramLabel = "N", defaultValue = "100000",
            description = "print the sizes every N messages (default: ${DEFAULT-VALUE})")
    long sample;

    @Option(names = "--payload", paramLabel = "BYTES", defaultValue = "256",
            description = "payload size in bytes (default: ${DEFAULT-VALUE})")
    int payload;

    @Option(names = "--strategy", paramLabel = "NAME", defaultValue = "hybrid",
            description = "the server's strategy (default: ${DEFAULT-VALUE})")
    String strategy;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "where the data folders go (default: a temporary folder, deleted at the end)")
    Path dir;

    /** Sends not yet confirmed, at most. */
    private static final int WINDOW = 16_384;

    @Override
    public Integer call() throws Exception {
        if (messages < 1 || sample < 1 || payload < 1 || payload > 1 << 20) {
            throw new Imr.UsageError("--messages and --sample must be 1 or more, --payload from 1 to 1048576");
        }
        boolean temporary = dir == null;
        Path root = temporary ? Files.createTempDirectory("imr-growth") : dir;
        if (!temporary && Files.exists(root)) {
            try (Stream<Path> s = Files.list(root)) {
                if (s.findAny().isPresent()) {
                    throw new Imr.UsageError("--dir " + root + " is not empty");
                }
            }
        }
        try {
            return run(root);
        } finally {
            if (temporary) {
                Folders.deleteTree(root);
            }
        }
    }

    private int run(Path root) throws Exception {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        HmacTokens tokens = new HmacTokens(secret);
        Path serverDir = root.resolve("server");
        ImrServer server = ImrServer.builder().dataDir(serverDir).secret(secret).strategy(strategy)
                .tcp(new HostPort("127.0.0.1", 0)).retentionSweep(Duration.ofSeconds(1)).build();
        server.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
        String address = "127.0.0.1:" + server.tcpAddress().getPort();
        ImrClient phone = client(tokens, address, root, "bob", "phone");
        ImrClient tablet = client(tokens, address, root, "bob", "tablet");
        ImrClient alice = client(tokens, address, root, "alice", "laptop");
        try {
            for (ImrClient c : List.of(phone, tablet, alice)) {
                c.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
            System.out.printf("imr growth: %,d messages of %d bytes, alice -> bob's phone and tablet, strategy %s%n",
                    messages, payload, strategy);
            System.out.printf("%12s %14s %12s %12s %16s%n", "messages", "server folder", "held", "trimmed",
                    "phone's folder");
            Semaphore window = new Semaphore(WINDOW);
            AtomicLong failed = new AtomicLong();
            long started = System.nanoTime();
            long nextSample = Math.min(sample, messages);
            for (long k = 1; k <= messages; k++) {
                window.acquire();
                alice.send("bob", Payloads.payload(k, payload)).whenComplete((seq, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                    }
                    window.release();
                });
                if (k == nextSample) {
                    awaitStored(k, phone, tablet);
                    sampleLine(k, server, serverDir, root.resolve("bob-phone"));
                    nextSample = Math.min(nextSample + sample, messages);
                }
            }
            window.acquire(WINDOW);
            double seconds = (System.nanoTime() - started) / 1e9;
            // Retention runs every second: give it two sweeps to trim what the devices confirmed last.
            Thread.sleep(2_500);
            sampleLine(messages, server, serverDir, root.resolve("bob-phone"));
            long phoneHeld = phone.state().count();
            long tabletHeld = tablet.state().count();
            System.out.printf("imr growth: %,d messages in %.1f s (%,.0f msg/s); phone holds %,d, tablet %,d; %d sends"
                    + " failed%n", messages, seconds, messages / seconds, phoneHeld, tabletHeld, failed.get());
            return phoneHeld == messages && tabletHeld == messages && failed.get() == 0 ? Imr.OK : Imr.FAILED;
        } finally {
            for (ImrClient c : List.of(alice, phone, tablet)) {
                c.close().toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
            server.close();
        }
    }

    private static ImrClient client(HmacTokens tokens, String address, Path root, String user, String device) {
        return ImrClient.builder().server(address).user(user).device(device)
                .token(tokens.mint(new Principal(user, device), Duration.ofDays(1), System.currentTimeMillis()))
                .dataDir(root.resolve(user + "-" + device)).build();
    }

    private static void awaitStored(long n, ImrClient... devices) throws InterruptedException {
        for (ImrClient d : devices) {
            while (d.state().count() < n) {
                Thread.sleep(20);
            }
        }
    }

    private static void sampleLine(long sent, ImrServer server, Path serverDir, Path phoneDir) {
        InboxState inbox = server.store().inbox("bob");
        long first = inbox.firstSeq() == 0 ? 1 : inbox.firstSeq();
        long held = inbox.maxSeq() - first + 1;
        System.out.printf("%,12d %,12.1f MB %,12d %,12d %,13.1f MB%n", sent, size(serverDir) / 1e6, held, first - 1,
                size(phoneDir) / 1e6);
    }

    /** The bytes of the files of a folder, as {@code du --apparent-size} counts them. */
    static long size(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0; // gone meanwhile (a journal file rotated)
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
