package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** An {@code imr server} process on a free port, and tokens minted with {@code imr token}. */
final class ServerProc implements AutoCloseable {

    final Proc proc;
    final String address;
    final Path secret;

    ServerProc(Path data, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("server", "--listen", "127.0.0.1:0", "--data", data.toString()));
        args.addAll(List.of(extra));
        proc = Proc.start(args.toArray(new String[0]));
        String first = proc.nextLine(Duration.ofSeconds(60));
        assertThat(first).matches("listening on 127\\.0\\.0\\.1:\\d+");
        address = first.substring("listening on ".length());
        secret = data.resolve("secret");
    }

    String token(String user, String device) throws Exception {
        Proc p = Proc.run(Duration.ofSeconds(60), "token", "--secret-file", secret.toString(), "--user", user,
                "--device", device);
        assertThat(p.exitCode()).as(p.stderr()).isZero();
        assertThat(p.outLines).hasSize(1);
        return p.outLines.get(0);
    }

    Path tokenFile(Path dir, String user, String device) throws Exception {
        Path f = dir.resolve(user + "-" + device + ".token");
        Files.writeString(f, token(user, device) + "\n");
        return f;
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
