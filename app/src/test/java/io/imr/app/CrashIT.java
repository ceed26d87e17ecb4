package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes of real processes: a server, an {@code imr receive} and an {@code imr send}, each in its
 * own JVM. The receiver is killed with SIGKILL twice and restarted, the sender killed and rerun
 * with the same data folder; in the end the receiver's store holds every message of the
 * sender's manifest exactly once, in order, with the same sha256. {@code -Dimr.crash.messages=N}
 * makes a longer run (default 20,000).
 */
@DisplayName("Crashes of real processes")
class CrashIT {

    static final Duration T = Duration.ofMinutes(3);
    static final Pattern MANIFEST = Pattern.compile("\\{\"clientId\":\"([^\"]+)\",\"seq\":(\\d+),\"sha256\":\"([0-9a-f]{64})\"}");
    static final Pattern STORED = Pattern.compile("\\{\"seq\":(\\d+),\"id\":\"[^\"]+\",\"from\":\"alice\","
            + "\"clientId\":\"([^\"]+)\",\"sha256\":\"([0-9a-f]{64})\"}");

    @TempDir
    Path dir;

    @Test
    @Timeout(600)
    @DisplayName("receiver killed twice and sender killed once: every confirmed message stored once, in order, intact")
    void killNineAndRestart() throws Exception {
        int n = Integer.getInteger("imr.crash.messages", 20_000);
        Random random = new Random(7);
        try (ServerProc server = new ServerProc(dir.resolve("server"))) {
            Path manifest = dir.resolve("manifest.jsonl");
            String bobToken = server.tokenFile(dir, "bob", "phone").toString();
            String aliceToken = server.tokenFile(dir, "alice", "laptop").toString();
            String[] receiveArgs = {"receive", "--server", server.address, "--user", "bob", "--device", "phone",
                "--token-file", bobToken, "--data", dir.resolve("bob").toString(), "--until", Integer.toString(n)};
            String[] sendArgs = {"send", "--server", server.address, "--user", "alice", "--device", "laptop",
                "--token-file", aliceToken, "--to", "bob", "--count", Integer.toString(n), "--data",
                dir.resolve("alice").toString(), "--manifest", manifest.toString()};

            Proc receiver = Proc.start(receiveArgs);
            Proc sender = Proc.start(sendArgs);
            int receiverKills = 0;
            boolean senderKilled = false;
            List<String> log = new ArrayList<>();
            while (receiverKills < 2 || !senderKilled) {
                Thread.sleep(800 + random.nextInt(1200));
                if (!senderKilled && sender.process.isAlive() && lines(manifest) > n / 5) {
                    sender.kill9();
                    senderKilled = true;
                    log.add("sender killed at " + lines(manifest) + " manifest lines");
                    sender = Proc.start(sendArgs);
                } else if (receiverKills < 2 && receiver.process.isAlive()) {
                    receiver.kill9();
                    receiverKills++;
                    log.add("receiver killed");
                    receiver = Proc.start(receiveArgs);
                } else if (!sender.process.isAlive() && !senderKilled) {
                    senderKilled = true; // it finished before it could be killed; the receiver kills still count
                    log.add("sender finished before its kill");
                }
            }
            assertThat(sender.waitFor(T)).as("sender: " + sender.stderr()).isZero();
            assertThat(receiver.waitFor(T)).as("receiver: " + receiver.stderr()).isZero();

            Proc inspect = Proc.run(T, "inspect", "--data", dir.resolve("bob").toString(), "--messages", "--json");
            assertThat(inspect.exitCode()).isZero();
            Map<String, String> stored = new HashMap<>();
            long expected = 1;
            for (String l : inspect.outLines) {
                Matcher m = STORED.matcher(l);
                assertThat(m.matches()).as(l).isTrue();
                assertThat(Long.parseLong(m.group(1))).as("stored in order, no hole").isEqualTo(expected++);
                assertThat(stored.put(m.group(2), m.group(1) + " " + m.group(3))).as("stored once: " + l).isNull();
            }
            assertThat(stored).hasSize(n);
            int checked = 0;
            for (String l : Files.readAllLines(manifest)) {
                Matcher m = MANIFEST.matcher(l);
                if (!m.matches()) {
                    continue; // a line a kill cut short
                }
                assertThat(stored.get(m.group(1))).as("manifest line " + l).isEqualTo(m.group(2) + " " + m.group(3));
                checked++;
            }
            assertThat(checked).as("manifest lines checked; " + log).isGreaterThanOrEqualTo(n);
            assertThat(server.stop()).isZero();
        }
    }

    private static long lines(Path file) throws java.io.IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (var s = Files.lines(file)) {
            return s.count();
        }
    }
}
