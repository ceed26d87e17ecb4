package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.engine.auth.SecretFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@code imr server} process (on a free port, or on a given address so that a restarted server
 * answers where its clients reconnect), and tokens minted with {@code imr token}.
 */
final class ServerProc implements AutoCloseable {

    static final Duration START = Duration.ofSeconds(60);

    final Proc proc;
    final String address;
    final Path secret;
    final Path data;
    /** The WebSocket address ({@code HOST:PORT}) when started with {@code --ws-listen}, else null. */
    final String ws;
    /** The metrics address when started with {@code --metrics}, else null. */
    final String metrics;
    /** The admin address when started with {@code --admin}, else null. */
    final String admin;

    ServerProc(Path data, String... extra) throws Exception {
        this(data, "127.0.0.1:0", extra);
    }

    /**
     * Starts a server on this address. A port just freed by a killed server may still be taken for a
     * moment: the start is retried until {@link #START} has passed.
     */
    ServerProc(Path data, String listen, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("server", "--listen", listen, "--data", data.toString()));
        args.addAll(List.of(extra));
        long deadline = System.nanoTime() + START.toNanos();
        Proc p = Proc.start(args.toArray(new String[0]));
        String first;
        while (true) {
            first = p.nextLineOrNull(START);
            if (first != null || System.nanoTime() > deadline) {
                break;
            }
            // It ended without listening (the port was still taken): try again.
            assertThat(p.process.waitFor(START.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)).isTrue();
            Thread.sleep(100);
            p = Proc.start(args.toArray(new String[0]));
        }
        proc = p;
        assertThat(first).as("server's first line; stderr: " + p.stderr()).isNotNull()
                .matches("listening on 127\\.0\\.0\\.1:\\d+");
        address = first.substring("listening on ".length());
        ws = args.contains("--ws-listen") ? after("websocket on ") : null;
        metrics = args.contains("--metrics") ? after("metrics on ") : null;
        admin = args.contains("--admin") ? after("admin on ") : null;
        secret = data.resolve("secret");
        this.data = data;
    }

    private String after(String prefix) throws InterruptedException {
        String line = proc.nextLine(START);
        assertThat(line).startsWith(prefix);
        return line.substring(prefix.length());
    }

    /** A server on the same data folder and address as this one (which must have ended), with these flags. */
    ServerProc restart(String... extra) throws Exception {
        assertThat(proc.process.isAlive()).isFalse();
        return new ServerProc(data, address, extra);
    }

    /** The Prometheus text of the metrics endpoint. */
    String scrape() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + metrics + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The sum of a counter's series over all its tags, as the metrics endpoint shows it now. */
    double counter(String name) throws Exception {
        double sum = 0;
        for (String line : scrape().split("\n")) {
            if (line.startsWith(name + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    String token(String user, String device) throws Exception {
        Proc p = Proc.run(Duration.ofSeconds(60), "token", "--secret-file", secret.toString(), "--user", user,
                "--device", device);
        assertThat(p.exitCode()).as(p.stderr()).isZero();
        assertThat(p.outLines).hasSize(1);
        return p.outLines.get(0);
    }

    /**
     * A token minted here with the server's key file, as {@code imr token} does (minting in the test keeps a test to
     * the processes under test; {@link #token} runs the command).
     */
    String minted(String user, String device) throws Exception {
        return new HmacTokens(SecretFile.read(secret)).mint(new Principal(user, device), Duration.ofDays(1),
                System.currentTimeMillis());
    }

    /** A file holding {@link #minted}, with the trailing newline {@code imr token > FILE} leaves. */
    Path mintedFile(Path dir, String user, String device) throws Exception {
        Path f = dir.resolve(user + "-" + device + ".token");
        Files.writeString(f, minted(user, device) + "\n");
        return f;
    }

    Path tokenFile(Path dir, String user, String device) throws Exception {
        Path f = dir.resolve(user + "-" + device + ".token");
        Files.writeString(f, token(user, device) + "\n");
        return f;
    }

    /** SIGKILL, as kill -9 does. */
    void kill9() throws InterruptedException {
        proc.kill9();
    }

    /** SIGTERM, and the exit code. */
    int stop() throws Exception {
        proc.process.destroy();
        return proc.waitFor(Duration.ofSeconds(30));
    }

    @Override
    public void close() {
        proc.close();
    }
}
