package io.imr.engine.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("HMAC tokens")
class HmacTokensTest {

    private static final long NOW = 1_800_000_000_000L;
    private final byte[] secret = filled(32, 3);
    private final HmacTokens tokens = new HmacTokens(secret);

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    @DisplayName("name the principal they were minted for, until they expire")
    void roundTrip() {
        String token = tokens.mint(new Principal("bob", "phone"), Duration.ofHours(1), NOW);
        assertThat(tokens.authenticate(token, NOW)).isEqualTo(new Authenticated(new Principal("bob", "phone"), NOW));
        assertThat(tokens.authenticate(token, NOW + Duration.ofMinutes(59).toMillis())).isNotNull();
        assertThatThrownBy(() -> tokens.authenticate(token, NOW + Duration.ofHours(1).toMillis()))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("expired");
    }

    @Test
    @DisplayName("refuse another secret's tokens, forged payloads and malformed text")
    void refusals() {
        String token = tokens.mint(new Principal("bob", "phone"), Duration.ofHours(1), NOW);
        assertThatThrownBy(() -> new HmacTokens(filled(32, 4)).authenticate(token, NOW))
                .hasMessageContaining("signature invalid")
                .extracting(e -> ((AuthenticationException) e).reason()).isEqualTo(AuthenticationException.Reason.BAD_SIGNATURE);
        String payload = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))),
                StandardCharsets.UTF_8).replace("|bob|", "|eve|");
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                + token.substring(token.indexOf('.'));
        assertThatThrownBy(() -> tokens.authenticate(forged, NOW)).hasMessageContaining("signature invalid");
        for (String bad : new String[] {"", "abc", "a.b.c", "!!!.???", "x".repeat(2000)}) {
            assertThatThrownBy(() -> tokens.authenticate(bad, NOW)).as(bad).isInstanceOf(AuthenticationException.class);
        }
        assertThatThrownBy(() -> new HmacTokens(new byte[8])).hasMessageContaining("at least 16 bytes");
    }

    @Test
    @DisplayName("a key file is made owner-only with one new key once, then read back; a bad one is refused by line")
    void secretFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/secret");
        KeyRing made = SecretFile.readOrCreate(file);
        assertThat(made.keys()).hasSize(1);
        assertThat(made.newest().id()).isEqualTo("k1");
        assertThat(made.newest().secret()).hasSize(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(SecretFile.readOrCreate(file).newest().secret()).isEqualTo(made.newest().secret());
        Files.writeString(file, "k1 not-hex\n");
        assertThatThrownBy(() -> SecretFile.read(file)).hasMessageContaining("line 1").hasMessageContaining("not hex");
        Files.writeString(file, "# nothing\n");
        assertThatThrownBy(() -> SecretFile.read(file)).hasMessageContaining("holds no key");
    }

    @Test
    @DisplayName("a key file of the format before key ids (one bare hex secret) is key 0, and its tokens name it")
    void legacyFile() {
        String hex = "ab".repeat(32);
        KeyRing ring = KeyRing.parse(hex + "\n", "f");
        assertThat(ring.newest().id()).isEqualTo("0");
        HmacTokens t = new HmacTokens(ring);
        String token = t.mint(new Principal("bob", "phone"), Duration.ofHours(1), NOW);
        assertThat(payload(token)).startsWith("imr2|0|bob|phone|");
    }

    @Test
    @DisplayName("rotation: the new key signs, the old one's tokens pass within the grace and are refused after it")
    void rotation(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys");
        KeyRing first = SecretFile.readOrCreate(file);
        HmacTokens server = new HmacTokens(first, Duration.ofHours(2));
        String old = server.mint(new Principal("bob", "phone"), Duration.ofDays(30), NOW);
        KeyRing second = SecretFile.rotate(file, NOW);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(second.keys()).extracting(KeyRing.Key::id).containsExactly("k1", "k2");
        assertThat(SecretFile.read(file).format()).isEqualTo(second.format());
        server.reload(SecretFile.read(file));
        String fresh = server.mint(new Principal("bob", "phone"), Duration.ofDays(30), NOW);
        assertThat(payload(fresh)).startsWith("imr2|k2|");
        assertThat(server.authenticate(old, NOW + Duration.ofHours(1).toMillis()).principal().device()).isEqualTo("phone");
        assertThatThrownBy(() -> server.authenticate(old, NOW + Duration.ofHours(2).toMillis()))
                .extracting(e -> ((AuthenticationException) e).reason()).isEqualTo(AuthenticationException.Reason.RETIRED_KEY);
        assertThat(server.authenticate(fresh, NOW + Duration.ofDays(3).toMillis())).isNotNull();
        // A server without the new key says which key it lacks, not the token.
        assertThatThrownBy(() -> new HmacTokens(first).authenticate(fresh, NOW))
                .hasMessageContaining("'k2'").hasMessageNotContaining(fresh)
                .extracting(e -> ((AuthenticationException) e).reason()).isEqualTo(AuthenticationException.Reason.UNKNOWN_KEY);
    }

    @Test
    @DisplayName("every key retired: nothing to sign with, a clear error")
    void allRetired() {
        KeyRing ring = KeyRing.parse("k1 " + "cd".repeat(32) + " retired 2026-12-01T00:00:00Z\n", "f");
        assertThatThrownBy(ring::newest).hasMessageContaining("every signing key is retired");
        assertThat(ring.format()).contains("k1 " + "cd".repeat(32) + " retired 2026-12-01T00:00:00Z");
        assertThatThrownBy(() -> KeyRing.parse("k1 " + "cd".repeat(32) + " retired yesterday\n", "f"))
                .hasMessageContaining("line 1").hasMessageNotContaining("cd".repeat(32));
    }

    @Test
    @DisplayName("an admin token opens no device session, a device token is no admin token")
    void adminTokens() {
        String admin = tokens.mintAdmin(Duration.ofMinutes(5), NOW);
        tokens.checkAdmin(admin, NOW);
        assertThatThrownBy(() -> tokens.authenticate(admin, NOW)).hasMessageContaining("administrator");
        String device = tokens.mint(new Principal("bob", "phone"), Duration.ofHours(1), NOW);
        assertThatThrownBy(() -> tokens.checkAdmin(device, NOW)).hasMessageContaining("not an administrator");
        assertThatThrownBy(() -> tokens.checkAdmin(admin, NOW + Duration.ofMinutes(5).toMillis()))
                .hasMessageContaining("expired");
        assertThatThrownBy(() -> new HmacTokens(filled(32, 9)).checkAdmin(admin, NOW))
                .hasMessageContaining("signature invalid");
    }

    private static String payload(String token) {
        return new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))), StandardCharsets.UTF_8);
    }
}
