package io.imr.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS over real sockets: a server with a self-signed certificate the test makes (the JDK's keytool), clients over
 * {@code tls://} and {@code wss://} that trust it, and the mismatches a user meets, each said in one line.
 */
@DisplayName("TLS")
class TlsTest {

    @TempDir
    Path dir;

    private final byte[] secret = new byte[32];
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Logger sessionLog = Logger.getLogger("io.imr.engine.ClientSession");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(r.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        sessionLog.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        sessionLog.removeHandler(capture);
    }

    /** A self-signed certificate for 127.0.0.1 and localhost, as PEM: [certificate, key]. */
    static Path[] selfSigned(Path dir) throws Exception {
        io.imr.testkit.SelfSignedCertificate c = io.imr.testkit.SelfSignedCertificate.create(dir);
        return new Path[] {c.certificate(), c.key()};
    }

    private ImrServer server(Path[] tls) throws Exception {
        ImrServer.Builder b = ImrServer.builder().dataDir(dir.resolve("server")).secret(secret)
                .tcp(new HostPort("127.0.0.1", 0)).webSocket(new HostPort("127.0.0.1", 0));
        if (tls != null) {
            b.tls(tls[0], tls[1]);
        }
        ImrServer s = b.build();
        s.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
        return s;
    }

    private ImrClient.Builder client(String address, String user, String device, Path trust) {
        return ImrClient.builder().server(address).user(user).device(device)
                .token(new HmacTokens(secret).mint(new Principal(user, device), Duration.ofHours(1),
                        System.currentTimeMillis()))
                .dataDir(dir.resolve(user + "-" + device)).tlsTrust(trust)
                .reconnect(Duration.ofMillis(50), Duration.ofMillis(500)).welcomeTimeout(Duration.ofSeconds(5));
    }

    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"tls", "wss"})
    @Timeout(120)
    @DisplayName("a message goes from one device to another over TLS, the certificate trusted from a PEM file")
    void delivers(String scheme) throws Exception {
        Path[] tls = selfSigned(dir);
        ImrServer server = server(tls);
        try {
            String address = scheme.equals("tls") ? "tls://127.0.0.1:" + server.tcpAddress().getPort()
                    : "wss://127.0.0.1:" + server.webSocketAddress().getPort() + "/imr";
            Recorder seen = new Recorder(3);
            ImrClient bob = client(address, "bob", "phone", tls[0]).listener(seen).build();
            ImrClient alice = client(address, "alice", "laptop", tls[0]).build();
            Cluster.join(bob.start());
            Cluster.join(alice.start());
            for (int i = 1; i <= 3; i++) {
                alice.send("bob", ("over " + scheme + " " + i).getBytes(StandardCharsets.UTF_8)).toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
            }
            assertThat(seen.await(30)).isTrue();
            assertThat(new String(seen.seen().get(2).payload(), StandardCharsets.UTF_8)).isEqualTo("over " + scheme
                    + " 3");
            Cluster.join(alice.close());
            Cluster.join(bob.close());
        } finally {
            Cluster.join(server.close());
        }
    }

    @Test
    @Timeout(120)
    @DisplayName("a plain-text client at a TLS port, a TLS client at a plain port and an untrusted certificate: each"
            + " is said in one line, and nothing connects")
    void mismatches() throws Exception {
        Path[] tls = selfSigned(dir);
        ImrServer secure = server(tls);
        try {
            ImrClient plain = client("127.0.0.1:" + secure.tcpAddress().getPort(), "bob", "plain", null).build();
            plain.start();
            assertThat(awaitWarning("closed the connection without answering the hello")).contains("tls://HOST:PORT");
            Cluster.join(plain.close());

            ImrClient untrusted = client("tls://127.0.0.1:" + secure.tcpAddress().getPort(), "bob", "untrusted", null)
                    .build();
            untrusted.start();
            assertThat(awaitWarning("not trusted")).contains("--tls-trust").doesNotContain("\n");
            Cluster.join(untrusted.close());
        } finally {
            Cluster.join(secure.close());
        }
        ImrServer open = new ImrServerHolder(this).plain();
        try {
            ImrClient wrong = client("tls://127.0.0.1:" + open.tcpAddress().getPort(), "bob", "wrong", tls[0]).build();
            wrong.start();
            assertThat(awaitWarning("did not answer in TLS")).contains("plain text").doesNotContain("\n");
            Cluster.join(wrong.close());
        } finally {
            Cluster.join(open.close());
        }
    }

    @Test
    @DisplayName("a certificate without its key, or a file that is not there, is refused when the server is built")
    void badFiles() throws Exception {
        Path[] tls = selfSigned(dir);
        assertThatThrownBy(() -> ImrServer.builder().dataDir(dir.resolve("s")).tls(tls[0], null).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("both a certificate and its key");
        assertThatThrownBy(() -> ImrServer.builder().dataDir(dir.resolve("s")).tls(tls[0], dir.resolve("none")).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("--tls-key").hasMessageContaining("none");
        assertThatThrownBy(() -> ImrClient.builder().server("tls://127.0.0.1:1").user("bob").device("d").token("t")
                .dataDir(dir.resolve("c")).tlsTrust(dir.resolve("none")).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("--tls-trust");
    }

    /** The first warning of the client's session that contains {@code text}, within 30 s. */
    private String awaitWarning(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (String w : warnings) {
                if (w.contains(text)) {
                    return w;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no warning containing \"" + text + "\" in " + warnings);
    }

    /** A plain-text server on its own data folder. */
    private record ImrServerHolder(TlsTest test) {
        ImrServer plain() throws Exception {
            ImrServer s = ImrServer.builder().dataDir(test.dir.resolve("plain")).secret(test.secret)
                    .tcp(new HostPort("127.0.0.1", 0)).build();
            s.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
            return s;
        }
    }
}
