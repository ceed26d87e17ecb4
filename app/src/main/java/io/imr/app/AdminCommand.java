package io.imr.app;

import io.imr.embed.HostPort;
import io.imr.engine.auth.HmacTokens;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code imr admin}: revokes a device or deletes a device or a user on a running server, through its admin
 * endpoint ({@code imr server --admin HOST:PORT}), with a short-lived administrator's token made from the key file.
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = "Revokes a device or deletes a device or a user on a running server (its --admin endpoint).",
        subcommands = {AdminCommand.Revoke.class, AdminCommand.Delete.class})
final class AdminCommand implements Runnable {

    @Override
    public void run() {
        throw new Imr.UsageError("say what to do: imr admin revoke or imr admin delete");
    }

    /** Where the endpoint is and how to reach it. */
    static final class Endpoint {
        @Option(names = "--admin", required = true, paramLabel = "HOST:PORT",
                converter = Converters.HostPortConverter.class, description = "the server's admin endpoint (its --admin)")
        HostPort admin;

        @Option(names = "--secret-file", required = true, paramLabel = "FILE",
                description = "the server's key file: a token valid for one minute is made from its newest key")
        Path secretFile;

        @Option(names = "--tls", description = "the endpoint speaks TLS (the server runs with --tls-cert)")
        boolean tls;

        @Option(names = "--tls-trust", paramLabel = "FILE",
                description = "PEM certificates to trust with --tls (default: the JVM's trust store)")
        Path tlsTrust;

        int post(String path, String query) {
            String token = new HmacTokens(KeysCommand.read(secretFile)).mintAdmin(Duration.ofMinutes(1),
                    System.currentTimeMillis());
            URI uri = URI.create((tls || tlsTrust != null ? "https://" : "http://") + admin + path + "?" + query);
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build();
            HttpResponse<String> response;
            try {
                response = client().send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException("could not reach the admin endpoint " + admin + ": "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            String text = response.body().strip();
            if (response.statusCode() == 200) {
                System.out.println(text);
                return Imr.OK;
            }
            System.err.println("imr: the server refused (" + response.statusCode() + "): " + text);
            return response.statusCode() == 400 ? Imr.USAGE : Imr.FAILED;
        }

        private HttpClient client() {
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
            if (tlsTrust != null) {
                b.sslContext(trusting(tlsTrust));
            }
            return b.build();
        }

        private static SSLContext trusting(Path pem) {
            try (InputStream in = Files.newInputStream(pem)) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int i = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("c" + i++, c);
                }
                if (i == 0) {
                    throw new Imr.UsageError("--tls-trust " + pem + " holds no PEM certificate");
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(store);
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, tmf.getTrustManagers(), null);
                return ctx;
            } catch (IOException | GeneralSecurityException e) {
                throw new Imr.UsageError("--tls-trust " + pem + " could not be read: " + e.getMessage());
            }
        }
    }

    /** Whom a request is about: a user, and a device of it or every one. */
    static final class Who {
        @Option(names = "--user", required = true, paramLabel = "USER")
        String user;

        @Option(names = "--device", paramLabel = "DEVICE", description = "only this device")
        String device;

        String query() {
            String q = "user=" + URLEncoder.encode(user, StandardCharsets.UTF_8);
            return device == null ? q : q + "&device=" + URLEncoder.encode(device, StandardCharsets.UTF_8);
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = {
        "Revokes a device (a lost phone): its tokens minted until now are refused, its session is closed;",
        "the user's other devices are untouched. Without --device, every device of the user (sign out",
        "everywhere). The user signs in again with a token minted afterwards."})
    static final class Revoke implements Callable<Integer> {
        @Mixin
        Endpoint endpoint;

        @Mixin
        Who who;

        @Override
        public Integer call() {
            return endpoint.post("/admin/revoke", who.query());
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = {
        "Deletes a user (every message of the user's inbox, every device revoked) or, with --device, one device",
        "(revoked; it no longer holds the user's inbox back). docs/security.md says what is removed and kept."})
    static final class Delete implements Callable<Integer> {
        @Mixin
        Endpoint endpoint;

        @Mixin
        Who who;

        @Override
        public Integer call() {
            return endpoint.post("/admin/delete", who.query());
        }
    }
}
