package io.imr.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed TLS certificate for 127.0.0.1 and localhost, made for a test with the JDK's own {@code keytool}
 * (no other tool, no network) and written as the PEM files a server takes ({@code --tls-cert}, {@code --tls-key}).
 *
 * @param certificate the PEM certificate (also what a client trusts, {@code --tls-trust})
 * @param key         the PEM private key (PKCS#8)
 */
public record SelfSignedCertificate(Path certificate, Path key) {

    /** Makes one in {@code dir}: {@code server.crt} and {@code server.key}, valid for two days. */
    public static SelfSignedCertificate create(Path dir) throws IOException, InterruptedException,
            GeneralSecurityException {
        Path p12 = dir.resolve("server.p12");
        Files.deleteIfExists(p12);
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "imr", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", p12.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true)
                .start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IOException("keytool could not make a certificate: " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "changeit".toCharArray());
        }
        Path cert = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        Files.writeString(cert, pem("CERTIFICATE", ks.getCertificate("imr").getEncoded()));
        Files.writeString(key, pem("PRIVATE KEY", ks.getKey("imr", "changeit".toCharArray()).getEncoded()));
        return new SelfSignedCertificate(cert, key);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
