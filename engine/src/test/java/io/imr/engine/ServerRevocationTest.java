package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.SendAck;
import io.imr.api.frame.Welcome;
import io.imr.api.store.DeviceState;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.engine.metrics.MetricNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ServerEngine#revoke} and {@link ServerEngine#deleteUser}: a lost phone, a user who leaves (G8). */
@DisplayName("Revoking a device and deleting a user")
class ServerRevocationTest {

    @TempDir
    Path dir;

    private ServerFixture server;
    private final byte[] secret = new byte[32];

    @BeforeEach
    void start() {
        Arrays.fill(secret, (byte) 7); // the fixture's secret
        server = new ServerFixture(dir, ServerEngineConfig.DEFAULT, new QuietStrategy());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String token(String user, String device) {
        return new HmacTokens(secret).mint(new Principal(user, device), Duration.ofHours(1),
                server.runtime.currentTimeMillis());
    }

    private ServerFixture.Connection connect(String token, String user, String device) {
        ServerFixture.Connection c = server.new Connection();
        c.frame(new Hello(Frame.PROTOCOL_VERSION, token, user, device, List.of("quiet"), 0, 0, "", "", 1));
        return c;
    }

    private <T> T done(CompletionStage<T> stage) {
        long until = System.nanoTime() + 5_000_000_000L;
        while (!stage.toCompletableFuture().isDone()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("did not complete within 5 s");
            }
            server.runtime.runDue();
            Thread.onSpinWait();
        }
        return stage.toCompletableFuture().join();
    }

    private double refused(String reason) {
        var c = server.registry.find(MetricNames.AUTH_REFUSED).tag(MetricNames.TAG_REASON, reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    @DisplayName("closes the revoked device's session, refuses its old tokens (counted), leaves its other devices")
    void revoke() {
        String phoneToken = token("bob", "phone");
        ServerFixture.Connection phone = connect(phoneToken, "bob", "phone");
        ServerFixture.Connection tablet = connect(token("bob", "tablet"), "bob", "tablet");
        phone.welcome();
        tablet.welcome();

        done(server.engine.revoke("bob", "phone"));
        assertThat(phone.channel.closedWith.code()).isEqualTo(ErrorFrame.Code.AUTH_FAILED);
        assertThat(phone.channel.closedWith.message()).contains("revoked");
        assertThat(tablet.channel.closed).as("another device of the user").isFalse();
        assertThat(server.engine.sessions()).isEqualTo(1);

        ServerFixture.Connection again = connect(phoneToken, "bob", "phone");
        assertThat(again.channel.closedWith.code()).isEqualTo(ErrorFrame.Code.AUTH_FAILED);
        assertThat(again.channel.closedWith.message()).contains("revoked").doesNotContain(phoneToken);
        assertThat(refused("revoked")).isEqualTo(1);
        assertThat(server.store.device("bob", "phone")).map(DeviceState::revokedBefore).get(
                org.assertj.core.api.InstanceOfAssertFactories.LONG).isGreaterThan(0);

        // The user signs in again: a token minted after the revocation opens a session.
        server.runtime.advance(Duration.ofMillis(5).toNanos());
        ServerFixture.Connection signedIn = connect(token("bob", "phone"), "bob", "phone");
        assertThat(signedIn.channel.sent).first().isInstanceOf(Welcome.class);
    }

    @Test
    @DisplayName("a revocation outlives the server: a new engine on the same store still refuses the old token")
    void durable() {
        String phoneToken = token("bob", "phone");
        done(server.engine.revoke("bob", "phone"));
        server.close();
        server = new ServerFixture(dir, ServerEngineConfig.DEFAULT, new QuietStrategy());
        ServerFixture.Connection again = connect(phoneToken, "bob", "phone");
        assertThat(again.channel.closedWith).isNotNull();
        assertThat(again.channel.closedWith.message()).contains("revoked");
    }

    @Test
    @DisplayName("deleting a user removes every message of the inbox, revokes every device, keeps the numbering")
    void deleteUser() {
        ServerFixture.Connection alice = connect(token("alice", "laptop"), "alice", "laptop");
        for (int i = 1; i <= 3; i++) {
            alice.frame(ServerFixture.send("o-" + i, "bob", "for bob " + i));
            alice.frame(ServerFixture.send("o-" + (10 + i), "carol", "for carol " + i));
        }
        long until = System.nanoTime() + 5_000_000_000L;
        while (ServerFixture.ackedIds(alice.sent(SendAck.class)).size() < 6 && System.nanoTime() < until) {
            server.runtime.runDue();
        }
        String bobToken = token("bob", "phone");
        String watchToken = token("bob", "watch");
        ServerFixture.Connection phone = connect(bobToken, "bob", "phone");
        phone.welcome();

        long removed = done(server.engine.deleteUser("bob"));
        assertThat(removed).isEqualTo(3);
        assertThat(server.store.read("bob", 1, 10)).isEmpty();
        assertThat(server.store.inbox("bob").maxSeq()).as("numbering kept").isEqualTo(3);
        assertThat(server.store.read("carol", 1, 10)).as("another user's inbox").hasSize(3);
        assertThat(phone.channel.closedWith.message()).contains("revoked");
        assertThat(alice.channel.closed).isFalse();
        assertThat(connect(bobToken, "bob", "phone").channel.closedWith.message()).contains("revoked");
        assertThat(connect(watchToken, "bob", "watch").channel.closedWith.message())
                .as("a device never seen, with a token minted before the deletion").contains("revoked");

        // A message sent to bob afterwards gets the next seq, never one given before.
        alice.frame(ServerFixture.send("o-20", "bob", "after"));
        until = System.nanoTime() + 5_000_000_000L;
        while (ServerFixture.ackedIds(alice.sent(SendAck.class)).size() < 7 && System.nanoTime() < until) {
            server.runtime.runDue();
        }
        assertThat(server.store.read("bob", 1, 10)).singleElement().extracting(m -> m.seq()).isEqualTo(4L);

        server.close();
        server = new ServerFixture(dir, ServerEngineConfig.DEFAULT, new QuietStrategy());
        assertThat(connect(watchToken, "bob", "watch").channel.closedWith.message())
                .as("a device never seen, after a restart: the store's record of the user").contains("revoked");
    }

    @Test
    @DisplayName("revoking a user revokes every device, those never seen included")
    void revokeUser() {
        String watch = token("bob", "watch");
        ServerFixture.Connection phone = connect(token("bob", "phone"), "bob", "phone");
        phone.welcome();
        done(server.engine.revokeUser("bob"));
        assertThat(phone.channel.closedWith.message()).contains("revoked");
        assertThat(connect(watch, "bob", "watch").channel.closedWith.message()).contains("revoked");
        assertThat(server.store.device("bob", DeviceState.ALL_DEVICES)).isPresent();
        server.runtime.advance(Duration.ofMillis(5).toNanos());
        assertThat(connect(token("bob", "watch"), "bob", "watch").channel.sent).first().isInstanceOf(Welcome.class);
    }

    @Test
    @DisplayName("a token for another user or device in hello is refused and counted as wrong-principal")
    void wrongPrincipal() {
        ServerFixture.Connection c = connect(token("bob", "phone"), "alice", "phone");
        assertThat(c.channel.closedWith.code()).isEqualTo(ErrorFrame.Code.AUTH_FAILED);
        assertThat(refused("wrong-principal")).isEqualTo(1);
        connect("nonsense", "bob", "phone");
        assertThat(refused("malformed")).isEqualTo(1);
    }
}
