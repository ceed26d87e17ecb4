package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One delivery run with real processes: a server (restartable on the same data folder and
 * address), {@code imr receive} as bob/phone with {@code --until N}, and {@code imr send} of N
 * messages from alice/laptop to bob with a manifest. Kills and restarts any of them, and checks
 * the end: every message of the manifest stored exactly once in the receiver's store, in order,
 * with its seq and sha256, and a summary with no gaps and no duplicates.
 */
final class Delivery implements AutoCloseable {

    static final Duration T = Duration.ofMinutes(3);
    static final Pattern MANIFEST = Pattern.compile("\\{\"clientId\":\"([^\"]+)\",\"seq\":(\\d+),\"sha256\":\"([0-9a-f]{64})\"}");
    static final Pattern STORED = Pattern.compile("\\{\"seq\":(\\d+),\"id\":\"[^\"]+\",\"from\":\"alice\","
            + "\"clientId\":\"([^\"]+)\",\"sha256\":\"([0-9a-f]{64})\"}");

    final Path dir;
    final int n;
    final Path manifest;
    final List<String> log = new ArrayList<>();
    ServerProc server;
    Proc receiver;
    Proc sender;
    private final String[] receiveArgs;
    private final String[] sendArgs;

    /** Starts a server with these flags (and {@code --metrics}) on a free port, then the receiver and the sender. */
    Delivery(Path dir, int n, String... serverFlags) throws Exception {
        this(dir, n, List.of(), serverFlags);
    }

    /** As above, with more flags for {@code imr send} (such as {@code --rate}). */
    Delivery(Path dir, int n, List<String> sendFlags, String... serverFlags) throws Exception {
        this.dir = dir;
        this.n = n;
        this.manifest = dir.resolve("manifest.jsonl");
        server = new ServerProc(dir.resolve("server"), "127.0.0.1:0", withMetrics(serverFlags));
        log.add("server " + String.join(" ", serverFlags) + " on " + server.address);
        String bobToken = server.tokenFile(dir, "bob", "phone").toString();
        String aliceToken = server.tokenFile(dir, "alice", "laptop").toString();
        receiveArgs = new String[] {"receive", "--server", server.address, "--user", "bob", "--device", "phone",
            "--token-file", bobToken, "--data", dir.resolve("bob").toString(), "--until", Integer.toString(n)};
        List<String> send = new ArrayList<>(List.of("send", "--server", server.address, "--user", "alice", "--device",
                "laptop", "--token-file", aliceToken, "--to", "bob", "--count", Integer.toString(n), "--data",
                dir.resolve("alice").toString(), "--manifest", manifest.toString()));
        send.addAll(sendFlags);
        sendArgs = send.toArray(new String[0]);
        receiver = Proc.start(receiveArgs);
        sender = Proc.start(sendArgs);
    }

    private static String[] withMetrics(String... flags) {
        List<String> all = new ArrayList<>(List.of(flags));
        all.add("--metrics");
        all.add("127.0.0.1:0");
        return all.toArray(new String[0]);
    }

    /** Waits until the manifest has this many lines or the sender ended; true while the sender still runs. */
    boolean awaitSent(long lines) throws Exception {
        long deadline = System.nanoTime() + T.toNanos();
        while (sender.process.isAlive() && lines(manifest) < lines) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the sender did not confirm " + lines + " messages within " + T + "; "
                        + log + "; sender: " + sender.stderr() + "; receiver: " + receiver.stderr());
            }
            Thread.sleep(20);
        }
        return sender.process.isAlive();
    }

    /** Kills the server with SIGKILL and starts it again with these flags, on the same data folder and address. */
    void killServer(String... flags) throws Exception {
        long at = lines(manifest);
        server.kill9();
        server = server.restart(withMetrics(flags));
        log.add("server killed at " + at + " manifest lines, restarted with " + String.join(" ", flags));
    }

    /** Kills the receiver with SIGKILL (when it still runs) and starts it again; waits until it connected. */
    boolean killReceiver() throws Exception {
        if (!receiver.process.isAlive()) {
            log.add("receiver had ended before its kill");
            return false;
        }
        receiver.kill9();
        log.add("receiver killed at " + lines(manifest) + " manifest lines");
        receiver = Proc.start(receiveArgs);
        receiver.awaitStderr("imr: connected", T);
        return true;
    }

    /** Kills the receiver with SIGKILL and leaves it down until {@link #startReceiver()}. */
    void stopReceiver() throws Exception {
        receiver.kill9();
        log.add("receiver killed at " + lines(manifest) + " manifest lines, left down");
    }

    /** Starts the receiver again on its data folder; waits until it connected. */
    void startReceiver() throws Exception {
        receiver = Proc.start(receiveArgs);
        receiver.awaitStderr("imr: connected", T);
        log.add("receiver started again");
    }

    /** Kills the sender with SIGKILL (when it still runs) and runs it again with the same data folder. */
    boolean killSender() throws Exception {
        if (!sender.process.isAlive()) {
            log.add("sender had ended before its kill");
            return false;
        }
        sender.kill9();
        log.add("sender killed at " + lines(manifest) + " manifest lines");
        sender = Proc.start(sendArgs);
        sender.awaitStderr("imr: connected", T);
        return true;
    }

    /**
     * Waits for the sender and the receiver to exit 0, then checks the receiver's store against the
     * manifest: every message stored once, seqs 1..N without a hole, each with the manifest's seq and
     * sha256; and the store's summary: N messages, no gaps, no duplicates.
     */
    void verify() throws Exception {
        assertThat(sender.waitFor(T)).as("sender exit; " + log + "; stderr: " + sender.stderr()).isZero();
        assertThat(receiver.waitFor(T)).as("receiver exit; " + log + "; stderr: " + receiver.stderr()).isZero();

        Proc inspect = Proc.run(T, "inspect", "--data", dir.resolve("bob").toString(), "--messages", "--json");
        assertThat(inspect.exitCode()).as(inspect.stderr()).isZero();
        Map<String, String> stored = new HashMap<>();
        long expected = 1;
        for (String l : inspect.outLines) {
            Matcher m = STORED.matcher(l);
            assertThat(m.matches()).as(l).isTrue();
            assertThat(Long.parseLong(m.group(1))).as("stored in order, no hole; " + log).isEqualTo(expected++);
            assertThat(stored.put(m.group(2), m.group(1) + " " + m.group(3))).as("stored once: " + l + "; " + log)
                    .isNull();
        }
        assertThat(stored).as("messages stored; " + log).hasSize(n);
        Set<String> confirmed = new HashSet<>();
        for (String l : Files.readAllLines(manifest)) {
            Matcher m = MANIFEST.matcher(l);
            if (!m.matches()) {
                continue; // a line a kill cut short
            }
            assertThat(stored.get(m.group(1))).as("manifest line " + l + "; " + log)
                    .isEqualTo(m.group(2) + " " + m.group(3));
            confirmed.add(m.group(1));
        }
        assertThat(confirmed).as("messages confirmed in the manifest; " + log).hasSize(n);

        Proc summary = Proc.run(T, "inspect", "--data", dir.resolve("bob").toString(), "--json");
        assertThat(summary.exitCode()).as(summary.stderr()).isZero();
        assertThat(summary.outLines).as("store summary; " + log).containsExactly("{\"user\":\"bob\",\"device\":\"phone\","
                + "\"cursor\":" + n + ",\"count\":" + n + ",\"firstSeq\":1,\"lastSeq\":" + n
                + ",\"gaps\":[],\"duplicates\":0,\"expired\":[]}");
    }

    /** The value of a server counter for this strategy, from the running server's metrics. */
    double serverCounter(String name, String strategy) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{side=\"server\",strategy=\"" + strategy + "\"}")
                + " (\\S+)$").matcher(server.scrape());
        assertThat(m.find()).as(name + " of strategy " + strategy + " in the server's metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }

    static long lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (var s = Files.lines(file)) {
            return s.count();
        }
    }

    @Override
    public void close() {
        receiver.close();
        sender.close();
        server.close();
    }
}
