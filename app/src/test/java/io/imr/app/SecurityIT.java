package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Ping;
import io.imr.api.frame.Pong;
import io.imr.api.frame.Welcome;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.KeyRing;
import io.imr.engine.auth.Principal;
import io.imr.engine.auth.SecretFile;
import io.imr.wire.FrameCodec;
import io.imr.wire.LengthPrefixedDecoder;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Isolation (G8) against a running server process: tokens of another principal, expired, of a retired key, of a
 * revoked device, each refused with AUTH_FAILED and counted by reason; an admin endpoint that takes only
 * administrators' tokens; a deleted user; confirmations of what was never delivered and of another strategy
 * ignored and counted. Then no token and no key appears in any output of any process.
 */
@DisplayName("Isolation, revocation and keys, with real processes")
class SecurityIT {

    private static final Duration T = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private final List<Proc> procs = new ArrayList<>();
    private final List<String> secrets = new ArrayList<>();

    private Proc run(String... args) throws Exception {
        Proc p = Proc.run(T, args);
        procs.add(p);
        return p;
    }

    private String token(ServerProc server, String user, String device, Duration ttl) throws Exception {
        String t = new HmacTokens(SecretFile.read(server.secret)).mint(new Principal(user, device), ttl,
                System.currentTimeMillis());
        secrets.add(t);
        return t;
    }

    private Path tokenFile(ServerProc server, String user, String device) throws Exception {
        Path f = dir.resolve(user + "-" + device + "-" + secrets.size() + ".token");
        Files.writeString(f, token(server, user, device, Duration.ofDays(1)) + "\n");
        return f;
    }

    private Proc receive(ServerProc server, String user, String device, Path token, int until) throws Exception {
        return run("receive", "--server", server.address, "--user", user, "--device", device, "--token-file",
                token.toString(), "--data", dir.resolve(user + "-" + device).toString(), "--until",
                String.valueOf(until));
    }

    /** A device that must be refused, with a data folder of its own (one holding messages would not connect). */
    private Proc refused(ServerProc server, String user, String device, Path token) throws Exception {
        Proc p = run("receive", "--server", server.address, "--user", user, "--device", device, "--token-file",
                token.toString(), "--data", dir.resolve("refused-" + procs.size()).toString(), "--until", "1");
        assertThat(p.exitCode()).as(p.stderr()).isEqualTo(Imr.FAILED);
        assertThat(p.stderr()).contains("the server refused");
        return p;
    }

    private Proc send(ServerProc server, String user, String to, int count) throws Exception {
        String device = "laptop" + procs.size(); // a send job of its own: a rerun with another count is refused
        return run("send", "--server", server.address, "--user", user, "--device", device, "--token-file",
                tokenFile(server, user, device).toString(), "--to", to, "--count", String.valueOf(count),
                "--data", dir.resolve(user + "-" + device).toString());
    }

    private static double series(ServerProc server, String name, String reason) throws Exception {
        double sum = 0;
        for (String line : server.scrape().split("\n")) {
            if (line.startsWith(name + "{") && line.contains("reason=\"" + reason + "\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** Waits for a counter the server's context updates after the frames were answered. */
    private static void awaitSeries(ServerProc server, String name, String reason, double expected) throws Exception {
        long until = System.nanoTime() + 10_000_000_000L;
        while (series(server, name, reason) < expected && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(series(server, name, reason)).as(name + " " + reason).isEqualTo(expected);
    }

    private void keys(ServerProc server) throws Exception {
        for (KeyRing.Key k : SecretFile.read(server.secret).keys()) {
            secrets.add(HexFormat.of().formatHex(k.secret()));
        }
    }

    @Test
    @Timeout(600)
    @DisplayName("refuses another principal's, an expired, a revoked device's and a retired key's token, counted by"
            + " reason; revokes and deletes through imr admin; ignores and counts foreign confirmations; logs no"
            + " secret")
    void isolation() throws Exception {
        Path config = dir.resolve("server.properties");
        Files.writeString(config, "imr.server.key-grace=0s\nimr.server.key-reload=200ms\n");
        try (ServerProc server = new ServerProc(dir.resolve("server"), "127.0.0.1:0", new String[] {"--metrics", "127.0.0.1:0", "--admin",
                "127.0.0.1:0", "--config", config.toString()})) {
            keys(server);
            Path phone = tokenFile(server, "bob", "phone");
            Path tablet = tokenFile(server, "bob", "tablet");
            Proc sent = send(server, "alice", "bob", 3);
            assertThat(sent.exitCode()).as(sent.stderr()).isZero();
            Proc got = receive(server, "bob", "phone", phone, 3);
            assertThat(got.exitCode()).as(got.stderr()).isZero();
            Proc gotToo = receive(server, "bob", "tablet", tablet, 3);
            assertThat(gotToo.exitCode()).as(gotToo.stderr()).isZero();

            // A token of bob's phone presented as alice's phone, and as bob's tablet.
            Proc asAlice = refused(server, "alice", "phone", phone);
            assertThat(asAlice.stderr()).contains("the server refused").contains("the token is for bob/phone");
            Proc asTablet = refused(server, "bob", "tablet", phone);
            assertThat(series(server, "imr_auth_refused_total", "wrong-principal")).isEqualTo(2);

            // An expired token, replayed.
            Path expired = dir.resolve("expired.token");
            Files.writeString(expired, token(server, "bob", "phone", Duration.ofSeconds(1)) + "\n");
            Thread.sleep(1_100);
            Proc late = refused(server, "bob", "phone", expired);
            assertThat(late.stderr()).contains("expired");
            assertThat(series(server, "imr_auth_refused_total", "expired")).isEqualTo(1);

            // The admin endpoint: a device's token is no administrator's.
            HttpResponse<String> forged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + server.admin + "/admin/revoke?user=bob&device=tablet"))
                    .header("Authorization", "Bearer " + Files.readString(tablet).strip())
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(forged.statusCode()).isEqualTo(401);
            assertThat(forged.body()).contains("not an administrator").doesNotContain(Files.readString(tablet).strip());

            // Bob's phone is lost: revoked; its token is refused, his tablet is untouched.
            Proc revoke = run("admin", "revoke", "--admin", server.admin, "--secret-file", server.secret.toString(),
                    "--user", "bob", "--device", "phone");
            assertThat(revoke.exitCode()).as(revoke.stderr()).isZero();
            assertThat(revoke.outLines).singleElement().asString().startsWith("revoked device bob/phone");
            Proc lost = refused(server, "bob", "phone", phone);
            assertThat(lost.stderr()).contains("revoked");
            assertThat(series(server, "imr_auth_refused_total", "revoked")).isEqualTo(1);
            assertThat(send(server, "alice", "bob", 2).exitCode()).isZero();
            Proc other = receive(server, "bob", "tablet", tablet, 5);
            assertThat(other.exitCode()).as("bob's tablet: " + other.stderr()).isZero();
            Proc signedIn = receive(server, "bob", "phone", tokenFile(server, "bob", "phone"), 5);
            assertThat(signedIn.exitCode()).as("a token minted after the revocation: " + signedIn.stderr()).isZero();

            // Carol leaves: her inbox is deleted, every device of hers revoked.
            assertThat(send(server, "alice", "carol", 4).exitCode()).isZero();
            Path carols = tokenFile(server, "carol", "phone");
            Proc delete = run("admin", "delete", "--admin", server.admin, "--secret-file", server.secret.toString(),
                    "--user", "carol");
            assertThat(delete.exitCode()).as(delete.stderr()).isZero();
            assertThat(delete.outLines).singleElement().asString().startsWith("deleted user carol: 4 messages removed");
            Proc gone = refused(server, "carol", "phone", carols);
            assertThat(gone.stderr()).contains("revoked");
            Proc badUser = run("admin", "delete", "--admin", server.admin, "--secret-file", server.secret.toString(),
                    "--user", "not a name");
            assertThat(badUser.exitCode()).isEqualTo(Imr.USAGE);

            // Confirmations of seqs never delivered, and acks by seq (not hybrid's), change nothing and are counted.
            rawConfirmations(server, "bob", "tablet");
            awaitSeries(server, "imr_frames_ignored_total", "not-delivered", 1);
            awaitSeries(server, "imr_frames_ignored_total", "other-strategy", 1);
            Proc still = receive(server, "bob", "tablet", tablet, 5);
            assertThat(still.exitCode()).as(still.stderr()).isZero();

            // The key is rotated: with no grace, the old key's tokens are refused once the server read the file.
            Proc rotate = run("keys", "rotate", "--secret-file", server.secret.toString());
            assertThat(rotate.exitCode()).as(rotate.stderr()).isZero();
            assertThat(rotate.outLines).hasSize(2);
            assertThat(rotate.outLines.get(0)).startsWith("k1 retired ");
            assertThat(rotate.outLines.get(1)).isEqualTo("k2 signs new tokens");
            keys(server);
            Thread.sleep(1_000);
            Proc retired = refused(server, "bob", "tablet", tablet);
            assertThat(retired.stderr()).contains("retired");
            assertThat(series(server, "imr_auth_refused_total", "retired-key")).isEqualTo(1);
            assertThat(send(server, "alice", "bob", 1).exitCode()).as("alice with a token of the new key").isZero();
            Proc fresh = receive(server, "bob", "tablet", tokenFile(server, "bob", "tablet"), 6);
            assertThat(fresh.exitCode()).as("a token of the new key: " + fresh.stderr()).isZero();

            server.stop();
            List<String> outputs = new ArrayList<>();
            outputs.add(server.proc.stderr());
            outputs.add(String.join("\n", server.proc.outLines));
            for (Proc p : procs) {
                outputs.add(p.stderr());
                outputs.add(String.join("\n", p.outLines));
            }
            assertThat(secrets).hasSizeGreaterThan(8);
            for (String out : outputs) {
                for (String secret : secrets) {
                    assertThat(out).as("no token or key in any output").doesNotContain(secret);
                }
            }
        }
    }

    @Test
    @Timeout(120)
    @DisplayName("imr keys and imr admin say in one line what is wrong: a missing or broken key file, an endpoint that"
            + " does not answer, a missing flag")
    void usageErrors() throws Exception {
        Path missing = dir.resolve("nope");
        Proc list = run("keys", "list", "--secret-file", missing.toString());
        assertThat(list.exitCode()).isEqualTo(Imr.USAGE);
        assertThat(list.stderr()).contains("does not exist");
        Path broken = dir.resolve("broken");
        Files.writeString(broken, "k1 zz\n");
        Proc bad = run("keys", "rotate", "--secret-file", broken.toString());
        assertThat(bad.exitCode()).isEqualTo(Imr.FAILED);
        assertThat(bad.stderr()).contains("line 1").contains("not hex");
        assertThat(Files.readString(broken)).as("nothing written").isEqualTo("k1 zz\n");
        Path keys = dir.resolve("keys");
        Files.writeString(keys, "k1 " + "ab".repeat(32) + "\n");
        Proc listed = run("keys", "list", "--secret-file", keys.toString());
        assertThat(listed.outLines).containsExactly("k1 signs new tokens");
        try (java.net.ServerSocket closedPort = new java.net.ServerSocket(0)) {
            int port = closedPort.getLocalPort();
            closedPort.close();
            Proc nobody = run("admin", "revoke", "--admin", "127.0.0.1:" + port, "--secret-file", keys.toString(),
                    "--user", "bob", "--device", "phone");
            assertThat(nobody.exitCode()).isEqualTo(Imr.FAILED);
            assertThat(nobody.stderr()).contains("could not reach the admin endpoint");
        }
        Proc noUser = run("admin", "delete", "--admin", "127.0.0.1:1", "--secret-file", keys.toString());
        assertThat(noUser.exitCode()).isEqualTo(Imr.USAGE);
        assertThat(noUser.stderr()).contains("--user");
        for (Proc p : procs) {
            assertThat(p.stderr() + String.join("\n", p.outLines)).doesNotContain("ab".repeat(32));
        }
    }

    /** A hand-written device of the user: hello, an AckUpTo far above the sequence, an Ack by seq, a ping. */
    private void rawConfirmations(ServerProc server, String user, String device) throws Exception {
        FrameCodec codec = new FrameCodec();
        String[] hostPort = server.address.split(":");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 10_000);
            s.setSoTimeout(30_000);
            s.getOutputStream().write(codec.encodeWithLength(new Hello(Frame.PROTOCOL_VERSION,
                    token(server, user, device, Duration.ofMinutes(5)), user, device, List.of("hybrid"), 0, 0, "", "",
                    System.currentTimeMillis())));
            LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(codec);
            InputStream in = s.getInputStream();
            Welcome welcome = (Welcome) next(decoder, in, Welcome.class);
            s.getOutputStream().write(codec.encodeWithLength(new AckUpTo(welcome.epoch(), 1_000_000)));
            s.getOutputStream().write(codec.encodeWithLength(Ack.of(welcome.epoch(), 1, 1)));
            s.getOutputStream().write(codec.encodeWithLength(new Ping(42)));
            s.getOutputStream().flush();
            next(decoder, in, Pong.class); // the frames before it were handled
        }
    }

    private static Frame next(LengthPrefixedDecoder decoder, InputStream in, Class<? extends Frame> type)
            throws Exception {
        byte[] buf = new byte[8192];
        while (true) {
            int n = in.read(buf);
            assertThat(n).as("the server answered").isPositive();
            for (Frame f : decoder.feed(buf, 0, n)) {
                if (type.isInstance(f)) {
                    return f;
                }
            }
        }
    }
}
