package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command-line contract of the specification's section 6, checked on the real jar as a separate process. */
@DisplayName("The imr command line")
@Timeout(180)
class CommandLineContractIT {

    static final Duration T = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "imr {0} --help")
    @ValueSource(strings = {"server", "token", "receive", "send", "inspect", "demo", "proxy", "soak"})
    @DisplayName("every command answers --help with exit 0")
    void help(String command) throws Exception {
        Proc p = Proc.run(T, command, "--help");
        assertThat(p.exitCode()).isZero();
        assertThat(String.join("\n", p.outLines)).contains("Usage: imr " + command);
    }

    @Test
    @DisplayName("server --help names hybrid as the default strategy")
    void serverHelpDefault() throws Exception {
        Proc p = Proc.run(T, "server", "--help");
        assertThat(p.exitCode()).isZero();
        assertThat(String.join(" ", p.outLines).replaceAll("\\s+", " ")).contains("(default: hybrid)")
                .doesNotContain("default: ack");
    }

    @ParameterizedTest(name = "imr proxy {0}")
    @ValueSource(strings = {"--drop 1.5", "--drop lots", "--cut-every -1", "--cut-every x", "--seed s", "--bogus",
        "--target nonsense"})
    @DisplayName("proxy: a bad flag is a one-line usage error, exit 2")
    void proxyBadFlag(String flag) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("proxy", "--listen", "127.0.0.1:0", "--target",
                "127.0.0.1:9"));
        args.addAll(List.of(flag.split(" ")));
        Proc p = Proc.run(T, args.toArray(new String[0]));
        assertThat(p.exitCode()).isEqualTo(2);
        assertThat(p.stderr().trim().lines()).hasSize(1).first().asString().contains(flag.split(" ")[0]);
        assertThat(p.outLines).isEmpty();
        Proc missing = Proc.run(T, "proxy", "--listen", "127.0.0.1:0");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.stderr().trim().lines()).hasSize(1).first().asString().contains("--target");
    }

    @ParameterizedTest(name = "imr soak {0}")
    @ValueSource(strings = {"--strategy nope", "--kills -1", "--rate 0", "--every 0s", "--messages 0", "--size 8",
        "--bogus", "--send-rate 5"})
    @DisplayName("soak: a bad flag is a one-line usage error naming it, exit 2, and nothing is started")
    void soakBadFlag(String flag) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("soak", "--data", dir.resolve("soak").toString()));
        args.addAll(List.of(flag.split(" ")));
        Proc p = Proc.run(T, args.toArray(new String[0]));
        assertThat(p.exitCode()).as(p.stderr()).isEqualTo(2);
        String name = flag.split(" ")[0];
        assertThat(p.stderr().trim().lines()).hasSize(1).first().asString()
                .contains(name.equals("--strategy") ? "nope" : name);
        assertThat(p.outLines).isEmpty();
    }

    @Test
    @DisplayName("soak refuses a data folder that holds something: a soak starts from nothing and deletes what it made")
    void soakNonEmptyData() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("mine"));
        java.nio.file.Files.writeString(dir.resolve("mine").resolve("precious.txt"), "keep me");
        Proc p = Proc.run(T, "soak", "--data", dir.resolve("mine").toString(), "--kills", "1");
        assertThat(p.exitCode()).isEqualTo(2);
        assertThat(p.stderr().trim().lines()).hasSize(1).first().asString().contains("not empty");
        assertThat(dir.resolve("mine").resolve("precious.txt")).hasContent("keep me");
    }

    @Test
    @DisplayName("proxy prints where it listens, carries a session while cutting connections, and stops on SIGTERM with 0")
    void proxy() throws Exception {
        try (ServerProc server = new ServerProc(dir.resolve("server"))) {
            Proc proxy = Proc.start("proxy", "--listen", "127.0.0.1:0", "--target", server.address, "--cut-every",
                    "40", "--seed", "3");
            try {
                String line = proxy.nextLine(T);
                assertThat(line).matches("proxying on 127\\.0\\.0\\.1:[1-9]\\d*");
                String address = line.substring("proxying on ".length());
                Proc receive = Proc.start("receive", "--server", address, "--user", "bob", "--device", "phone",
                        "--token", server.token("bob", "phone"), "--data", dir.resolve("bob").toString(), "--until",
                        "200");
                Proc send = Proc.run(T, "send", "--server", address, "--user", "alice", "--device", "laptop",
                        "--token", server.token("alice", "laptop"), "--to", "bob", "--count", "200", "--data",
                        dir.resolve("alice").toString());
                assertThat(send.exitCode()).as(send.stderr()).isZero();
                assertThat(receive.waitFor(T)).as(receive.stderr()).isZero();
                proxy.terminate();
                assertThat(proxy.waitFor(T)).isZero();
                assertThat(proxy.outLines).hasSize(1);
                // 200 sends and 200 deliveries counted once each, a cut every 40 of them: up to 10 cuts, fewer when
                // a frame carries two multiples of 40 (its connection is cut once). Protocol 3 batches sends as well
                // as deliveries, so 400 messages may take only a few frames: at least one cut, each but the last
                // one followed by a new connection.
                Matcher counts = Pattern.compile("imr: proxy accepted (\\d+) connections, forwarded \\d+ frames,"
                        + " dropped 0, counted 400 new messages, cut (\\d+) connections").matcher(proxy.stderr());
                assertThat(counts.find()).as("the proxy's counts on stderr: " + proxy.stderr()).isTrue();
                int cuts = Integer.parseInt(counts.group(2));
                assertThat(cuts).as("cuts").isBetween(1, 10);
                assertThat(Integer.parseInt(counts.group(1))).as("connections").isGreaterThanOrEqualTo(1 + cuts);
                Proc summary = Proc.run(T, "inspect", "--data", dir.resolve("bob").toString(), "--json");
                assertThat(summary.outLines).containsExactly("{\"user\":\"bob\",\"device\":\"phone\","
                        + "\"cursor\":200,\"count\":200,\"firstSeq\":1,\"lastSeq\":200,\"gaps\":[],\"duplicates\":0,\"expired\":[]}");
            } finally {
                proxy.close();
            }
            assertThat(server.stop()).isZero();
        }
    }

    @Test
    @DisplayName("an unknown flag is a one-line usage error, exit 2")
    void unknownFlag() throws Exception {
        Proc p = Proc.run(T, "token", "--secret-file", "x", "--user", "u", "--device", "d", "--bogus");
        assertThat(p.exitCode()).isEqualTo(2);
        assertThat(p.stderr().trim().lines()).hasSize(1).first().asString().contains("--bogus");
        Proc bad = Proc.run(T, "server", "--listen", "nonsense", "--data", dir.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.stderr()).contains("HOST:PORT");
    }

    @Test
    @DisplayName("an unknown strategy exits 2 naming the strategies available")
    void unknownStrategy() throws Exception {
        Proc p = Proc.run(T, "server", "--listen", "127.0.0.1:0", "--data", dir.resolve("s").toString(), "--strategy",
                "nope");
        assertThat(p.exitCode()).isEqualTo(2);
        assertThat(p.stderr().trim()).isEqualTo("imr: unknown strategy \"nope\"; available: ack, hybrid, seqid");
        assertThat(p.outLines).isEmpty();
    }

    @Test
    @DisplayName("server prints its addresses, makes an owner-only secret, serves metrics, and stops on SIGTERM with 0")
    void server() throws Exception {
        Path data = dir.resolve("server");
        Proc p = Proc.start("server", "--listen", "127.0.0.1:0", "--data", data.toString(), "--ws-listen",
                "127.0.0.1:0", "--metrics", "127.0.0.1:0");
        try {
            assertThat(p.nextLine(T)).matches("listening on 127\\.0\\.0\\.1:[1-9]\\d*");
            assertThat(p.nextLine(T)).matches("websocket on 127\\.0\\.0\\.1:[1-9]\\d*");
            String metrics = p.nextLine(T);
            assertThat(metrics).matches("metrics on 127\\.0\\.0\\.1:[1-9]\\d*");
            Path secret = data.resolve("secret");
            assertThat(secret).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://"
                    + metrics.substring("metrics on ".length()) + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).contains("imr_sessions{side=\"server\",strategy=\"hybrid\"}");
            p.process.destroy();
            assertThat(p.waitFor(T)).isZero();
            assertThat(p.outLines).hasSize(3);
        } finally {
            p.close();
        }
    }

    @Test
    @DisplayName("token refuses a missing secret file with exit 2")
    void tokenWithoutSecret() throws Exception {
        Proc p = Proc.run(T, "token", "--secret-file", dir.resolve("none").toString(), "--user", "bob", "--device",
                "phone");
        assertThat(p.exitCode()).isEqualTo(2);
        assertThat(p.stderr()).contains("does not exist");
    }

    @Test
    @DisplayName("send, receive and inspect agree: the manifest and the receiver's store hold the same messages")
    void sendReceiveInspect() throws Exception {
        try (ServerProc server = new ServerProc(dir.resolve("server"))) {
            Path manifest = dir.resolve("manifest.jsonl");
            Proc receive = Proc.start("receive", "--server", server.address, "--user", "bob", "--device", "phone",
                    "--token-file", server.tokenFile(dir, "bob", "phone").toString(), "--data",
                    dir.resolve("bob").toString(), "--until", "50");
            Proc send = Proc.run(T, "send", "--server", server.address, "--user", "alice", "--device", "laptop",
                    "--token", server.token("alice", "laptop"), "--to", "bob", "--count", "50", "--size", "100",
                    "--data", dir.resolve("alice").toString(), "--manifest", manifest.toString());
            assertThat(send.exitCode()).as(send.stderr()).isZero();
            assertThat(receive.waitFor(T)).as(receive.stderr()).isZero();

            Proc summary = Proc.run(T, "inspect", "--data", dir.resolve("bob").toString(), "--json");
            assertThat(summary.exitCode()).isZero();
            assertThat(summary.outLines).containsExactly("{\"user\":\"bob\",\"device\":\"phone\",\"cursor\":50,"
                    + "\"count\":50,\"firstSeq\":1,\"lastSeq\":50,\"gaps\":[],\"duplicates\":0,\"expired\":[]}");

            Proc messages = Proc.run(T, "inspect", "--data", dir.resolve("bob").toString(), "--messages", "--json");
            assertThat(messages.exitCode()).isZero();
            Map<String, String> stored = new HashMap<>();
            Pattern line = Pattern.compile("\\{\"seq\":(\\d+),\"id\":\"alice/([^\"]+)\",\"from\":\"alice\","
                    + "\"clientId\":\"([^\"]+)\",\"sha256\":\"([0-9a-f]{64})\"}");
            for (String l : messages.outLines) {
                Matcher m = line.matcher(l);
                assertThat(m.matches()).as(l).isTrue();
                stored.put(m.group(3), m.group(1) + " " + m.group(4));
            }
            List<String> manifestLines = Files.readAllLines(manifest);
            assertThat(manifestLines).hasSize(50);
            Pattern entry = Pattern.compile("\\{\"clientId\":\"([^\"]+)\",\"seq\":(\\d+),\"sha256\":\"([0-9a-f]{64})\"}");
            for (String l : manifestLines) {
                Matcher m = entry.matcher(l);
                assertThat(m.matches()).as(l).isTrue();
                assertThat(stored.get(m.group(1))).isEqualTo(m.group(2) + " " + m.group(3));
            }

            Proc rerun = Proc.run(T, "send", "--server", server.address, "--user", "alice", "--device", "laptop",
                    "--token", server.token("alice", "laptop"), "--to", "bob", "--count", "60", "--size", "100",
                    "--data", dir.resolve("alice").toString());
            assertThat(rerun.exitCode()).isEqualTo(2);
            assertThat(rerun.stderr()).contains("--count 50");
            assertThat(server.stop()).isZero();
        }
    }

    @Test
    @DisplayName("a refused token stops the client with one line and exit 1")
    void refusedToken() throws Exception {
        try (ServerProc server = new ServerProc(dir.resolve("server"))) {
            String aliceToken = server.token("alice", "laptop");
            Proc p = Proc.run(T, "receive", "--server", server.address, "--user", "bob", "--device", "phone",
                    "--token", aliceToken, "--data", dir.resolve("bob").toString());
            assertThat(p.exitCode()).isEqualTo(1);
            assertThat(p.stderr().trim().lines()).hasSize(1).first().asString()
                    .contains("refused").contains("alice/laptop");
        }
    }

    @Test
    @DisplayName("inspect of a store a running process holds is a one-line error, exit 1")
    void lockedStore() throws Exception {
        try (ServerProc server = new ServerProc(dir.resolve("server"))) {
            Path bob = dir.resolve("bob");
            Proc receive = Proc.start("receive", "--server", server.address, "--user", "bob", "--device", "phone",
                    "--token", server.token("bob", "phone"), "--data", bob.toString());
            try {
                long deadline = System.nanoTime() + T.toNanos();
                while (!receive.stderr().contains("imr: connected") && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                Proc inspect = Proc.run(T, "inspect", "--data", bob.toString(), "--json");
                assertThat(inspect.exitCode()).isEqualTo(1);
                assertThat(inspect.stderr().trim().lines()).hasSize(1).first().asString().contains("in use");
            } finally {
                receive.close();
            }
        }
    }

    @Test
    @DisplayName("a newer session of the same device replaces the older, which exits 1")
    void replacedSession() throws Exception {
        try (ServerProc server = new ServerProc(dir.resolve("server"))) {
            String token = server.token("bob", "phone");
            Proc older = Proc.start("receive", "--server", server.address, "--user", "bob", "--device", "phone",
                    "--token", token, "--data", dir.resolve("bob-1").toString());
            long deadline = System.nanoTime() + T.toNanos();
            while (!older.stderr().contains("connected") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(older.stderr()).contains("imr: connected to " + server.address + " as bob/phone");
            try (Proc newer = Proc.start("receive", "--server", server.address, "--user", "bob", "--device", "phone",
                    "--token", token, "--data", dir.resolve("bob-2").toString())) {
                assertThat(older.waitFor(T)).isEqualTo(1);
                assertThat(older.stderr()).contains("replaced");
                assertThat(newer.process.isAlive()).isTrue();
            } finally {
                older.close();
            }
        }
    }
}
