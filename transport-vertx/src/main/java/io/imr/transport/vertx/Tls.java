package io.imr.transport.vertx;

import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS of imr's connections, from PEM files: a server's certificate chain and private key, and what a client
 * trusts (PEM certificates, or the JVM's trust store). A client checks that the server's certificate names the
 * host it connects to (as HTTPS does).
 */
public final class Tls {

    private Tls() {
    }

    /**
     * A server's certificate chain and private key (PKCS#8 or PKCS#1), both PEM.
     *
     * @throws IllegalArgumentException naming a file that is not there or not readable
     */
    public record Server(Path certificate, Path key) {
        public Server {
            readable("--tls-cert", certificate);
            readable("--tls-key", key);
        }

        public <T extends NetServerOptions> T applyTo(T options) {
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(certificate.toString())
                    .setKeyPath(key.toString()));
            return options;
        }
    }

    /**
     * What a client trusts: these PEM certificates, or the JVM's trust store when {@code trust} is null.
     *
     * @throws IllegalArgumentException naming a file that is not there or not readable
     */
    public record Client(Path trust) {
        public Client {
            if (trust != null) {
                readable("--tls-trust", trust);
            }
        }

        /** The JVM's trust store. */
        public static final Client JVM = new Client(null);

        NetClientOptions applyTo(NetClientOptions options) {
            options.setSsl(true).setHostnameVerificationAlgorithm("HTTPS");
            trust(options);
            return options;
        }

        WebSocketClientOptions applyTo(WebSocketClientOptions options) {
            options.setSsl(true).setVerifyHost(true);
            trust(options);
            return options;
        }

        private void trust(ClientOptionsBase options) {
            if (trust != null) {
                options.setTrustOptions(new PemTrustOptions().addCertPath(trust.toString()));
            }
        }
    }

    private static void readable(String what, Path file) {
        if (file == null || !Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(what + " " + file + " is not a readable file");
        }
    }

    /**
     * A one-line explanation of a connection failure that looks like a TLS mismatch, or null: a TLS client
     * against a plain-text port, or a certificate the client does not trust.
     */
    static String explain(Throwable failure, boolean tls) {
        boolean ssl = false;
        StringBuilder all = new StringBuilder();
        String innermost = null;
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            ssl |= t instanceof javax.net.ssl.SSLException || t.getClass().getName().contains("Ssl");
            if (t.getMessage() != null) {
                all.append(t.getMessage()).append(" | ");
                innermost = t.getMessage();
            }
        }
        if (!ssl && !tls) {
            return null;
        }
        String m = all.toString();
        if (m.contains("not an SSL/TLS record") || m.contains("Unsupported or unrecognized SSL message")) {
            return "the server did not answer in TLS: it listens in plain text (use HOST:PORT or ws://, not tls:// or"
                    + " wss://)";
        }
        if (m.contains("PKIX") || m.contains("certificate") || m.contains("No subject alternative")
                || m.contains("No name matching")) {
            return "the server's TLS certificate is not trusted for this host (" + innermost + "); give its"
                    + " certificate or its CA with --tls-trust FILE";
        }
        return ssl ? "TLS failed: " + innermost : null;
    }
}
