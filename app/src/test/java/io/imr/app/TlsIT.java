package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.testkit.SelfSignedCertificate;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code imr server --tls-cert --tls-key}, and devices at {@code tls://} and {@code wss://}, as processes. */
@DisplayName("TLS, with real processes")
class TlsIT {

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    @DisplayName("imr send and imr receive over tls:// and wss:// with --tls-trust; a plain-text device at the TLS port"
            + " says in one line what to do, and gets nothing")
    void overTls() throws Exception {
        SelfSignedCertificate cert = SelfSignedCertificate.create(dir);
        try (ServerProc server = new ServerProc(dir.resolve("server"), "127.0.0.1:0", new String[] {"--ws-listen",
                "127.0.0.1:0", "--tls-cert", cert.certificate().toString(), "--tls-key", cert.key().toString()})) {
            String tcp = "tls://" + server.address;
            String wss = "wss://" + server.ws + "/imr";

            Proc send = Proc.run(Delivery.T, "send", "--server", tcp, "--tls-trust", cert.certificate().toString(),
                    "--user", "alice", "--device", "laptop", "--token-file", server.mintedFile(dir, "alice", "laptop").toString(),
                    "--to", "bob", "--count", "3", "--data", dir.resolve("alice").toString());
            assertThat(send.exitCode()).as(send.stderr()).isZero();
            Proc receive = Proc.run(Delivery.T, "receive", "--server", wss, "--tls-trust",
                    cert.certificate().toString(), "--user", "bob", "--device", "phone", "--token-file",
                    server.mintedFile(dir, "bob", "phone").toString(), "--data", dir.resolve("bob").toString(), "--until", "3");
            assertThat(receive.exitCode()).as(receive.stderr()).isZero();

            Proc plain = Proc.start("receive", "--server", server.address, "--user", "bob", "--device", "plain",
                    "--token-file", server.mintedFile(dir, "bob", "plain").toString(), "--data", dir.resolve("plain").toString(),
                    "--until", "1");
            try {
                plain.awaitStderr("closed the connection without answering the hello", Duration.ofSeconds(60));
                assertThat(plain.stderr()).contains("connect to tls://HOST:PORT or wss://HOST:PORT/PATH")
                        .doesNotContain("imr: connected");
            } finally {
                plain.kill9();
            }
        }
    }
}
