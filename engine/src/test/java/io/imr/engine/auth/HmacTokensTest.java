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
        assertThat(tokens.authenticate(token, NOW)).isEqualTo(new Principal("bob", "phone"));
        assertThat(tokens.authenticate(token, NOW + Duration.ofMinutes(59).toMillis())).isNotNull();
        assertThatThrownBy(() -> tokens.authenticate(token, NOW + Duration.ofHours(1).toMillis()))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("expired");
    }

    @Test
    @DisplayName("refuse another secret's tokens, forged payloads and malformed text")
    void refusals() {
        String token = tokens.mint(new Principal("bob", "phone"), Duration.ofHours(1), NOW);
        assertThatThrownBy(() -> new HmacTokens(filled(32, 4)).authenticate(token, NOW))
                .hasMessageContaining("signature invalid");
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
    @DisplayName("a secret file is made owner-only with a new secret once, then read back")
    void secretFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub/secret");
        byte[] made = SecretFile.readOrCreate(file);
        assertThat(made).hasSize(32);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(SecretFile.readOrCreate(file)).isEqualTo(made);
        Files.writeString(file, "not hex");
        assertThatThrownBy(() -> SecretFile.read(file)).hasMessageContaining("does not hold a hex secret");
    }
}
