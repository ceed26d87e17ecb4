package io.imr.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.ProvisionException;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.strategy.StrategyRegistry;
import io.imr.engine.ClientException;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Refusals and startup errors")
@Timeout(60)
class RefusalTest {

    @TempDir
    Path dir;

    private static ClientException.RefusedException refusal(ImrClient client) {
        Throwable t = null;
        try {
            Cluster.join(client.start());
        } catch (RuntimeException e) {
            t = e;
        }
        assertThat(t).as("the client must be refused").isInstanceOf(ClientException.RefusedException.class);
        return (ClientException.RefusedException) t;
    }

    @Test
    @DisplayName("a token signed with another secret is refused with an error frame, and the client stops")
    void wrongSecret() {
        try (Cluster cluster = new Cluster(dir, false, Duration.ofSeconds(2))) {
            byte[] other = new byte[32];
            String token = new HmacTokens(other).mint(new Principal("bob", "phone"), Duration.ofHours(1),
                    System.currentTimeMillis());
            ImrClient bob = cluster.client("bob", "phone", m -> { }).token(token).build();
            ClientException.RefusedException e = refusal(bob);
            assertThat(e.code()).isEqualTo(ErrorFrame.Code.AUTH_FAILED);
            assertThat(e).hasMessageContaining("signature invalid");
            assertThat(bob.stopped().toCompletableFuture()).isCompletedExceptionally();
            Cluster.join(bob.close());
        }
    }

    @Test
    @DisplayName("an expired token is refused")
    void expired() {
        try (Cluster cluster = new Cluster(dir, false, Duration.ofSeconds(2))) {
            String token = new HmacTokens(Cluster.SECRET).mint(new Principal("bob", "phone"), Duration.ofSeconds(1),
                    System.currentTimeMillis() - 60_000);
            ImrClient bob = cluster.client("bob", "phone", m -> { }).token(token).build();
            assertThat(refusal(bob)).hasMessageContaining("expired");
            Cluster.join(bob.close());
        }
    }

    @Test
    @DisplayName("a forged token (another user's name under a valid signature) is refused")
    void forged() {
        try (Cluster cluster = new Cluster(dir, false, Duration.ofSeconds(2))) {
            String valid = Cluster.token("bob", "phone");
            String signature = valid.substring(valid.indexOf('.') + 1);
            String payload = new String(Base64.getUrlDecoder().decode(valid.substring(0, valid.indexOf('.'))),
                    StandardCharsets.UTF_8).replace("|bob|", "|eve|");
            String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                    + "." + signature;
            ImrClient eve = cluster.client("eve", "phone", m -> { }).token(forged).build();
            assertThat(refusal(eve).code()).isEqualTo(ErrorFrame.Code.AUTH_FAILED);
            Cluster.join(eve.close());
        }
    }

    @Test
    @DisplayName("a token for another user or device than the client's is refused")
    void userDeviceMismatch() {
        try (Cluster cluster = new Cluster(dir, false, Duration.ofSeconds(2))) {
            ImrClient tablet = cluster.client("bob", "tablet", m -> { }).token(Cluster.token("bob", "phone")).build();
            ClientException.RefusedException e = refusal(tablet);
            assertThat(e.code()).isEqualTo(ErrorFrame.Code.AUTH_FAILED);
            assertThat(e).hasMessageContaining("bob/phone").hasMessageContaining("bob/tablet");
            Cluster.join(tablet.close());
        }
    }

    @Test
    @DisplayName("a newer session of a device replaces the older one, which is told so and stops")
    void newerSessionReplacesOlder() throws Exception {
        try (Cluster cluster = new Cluster(dir, false, Duration.ofSeconds(2))) {
            ImrClient older = cluster.client("bob", "phone", m -> { }).build();
            Cluster.join(older.start());
            Recorder newerSaw = new Recorder(1);
            ImrClient newer = cluster.client("bob", "phone", newerSaw).dataDir(dir.resolve("bob-phone-reinstalled"))
                    .build();
            Cluster.join(newer.start());
            assertThatThrownBy(() -> older.stopped().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS))
                    .hasCauseInstanceOf(ClientException.SessionReplacedException.class)
                    .hasMessageContaining("a newer session of device phone connected");
            ImrClient alice = cluster.client("alice", "laptop", m -> { }).build();
            Cluster.join(alice.start());
            Cluster.join(alice.send("bob", "hi".getBytes(StandardCharsets.UTF_8)));
            assertThat(newerSaw.await(10)).as("the newer session receives").isTrue();
            assertThat(older.state().count()).as("the older one stopped before the message").isZero();
            Cluster.join(alice.close());
            Cluster.join(newer.close());
            Cluster.join(older.close());
        }
    }

    @Test
    @DisplayName("an unknown strategy name fails at startup with the names available")
    void unknownStrategy() {
        ImrServer server = ImrServer.builder().dataDir(dir.resolve("server")).strategy("nope").build();
        assertThatThrownBy(() -> Cluster.join(server.start()))
                .isInstanceOf(StrategyRegistry.UnknownStrategyException.class)
                .hasMessageContaining("unknown strategy \"nope\"; available: ack");
        assertThatThrownBy(() -> ImrClient.builder().server("127.0.0.1:1").token("t").user("bob").device("phone")
                .dataDir(dir.resolve("bob")).strategies("nope").build())
                .isInstanceOf(StrategyRegistry.UnknownStrategyException.class)
                .hasMessageContaining("available: ack");
    }

    @Test
    @DisplayName("Guice assembles a server from one configuration, and refuses an unknown strategy at injection")
    void guice() {
        ImrConfig good = ImrConfig.of(Map.of(ImrConfig.SERVER_DATA, dir.resolve("server").toString(),
                ImrConfig.SERVER_LISTEN, "127.0.0.1:0", ImrConfig.STRATEGY, "ack"));
        ImrServer server = Guice.createInjector(new ImrServerModule(good)).getInstance(ImrServer.class);
        Cluster.join(server.start());
        assertThat(server.tcpAddress().getPort()).isPositive();
        Cluster.join(server.close());

        ImrConfig bad = good.with(ImrConfig.STRATEGY, "nope");
        assertThatThrownBy(() -> Guice.createInjector(new ImrServerModule(bad)).getInstance(ImrServer.class))
                .isInstanceOf(ProvisionException.class)
                .hasMessageContaining("unknown strategy \"nope\"; available: ack");
    }

    @Test
    @DisplayName("the server's metrics address serves Prometheus text with the imr meters, for the default strategy (hybrid)")
    void prometheus() throws Exception {
        ImrServer server = ImrServer.builder().dataDir(dir.resolve("server")).secret(Cluster.SECRET)
                .metrics(new HostPort("127.0.0.1", 0)).build();
        Cluster.join(server.start());
        ImrClient bob = ImrClient.builder().server("127.0.0.1:" + server.tcpAddress().getPort()).user("bob")
                .device("phone").token(Cluster.token("bob", "phone")).dataDir(dir.resolve("bob")).build();
        Cluster.join(bob.start());
        Cluster.join(bob.send("bob", "note to self".getBytes(StandardCharsets.UTF_8)));
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + server.metricsAddress().getPort() + "/metrics");
        String text = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(text).contains("imr_messages_committed_total{side=\"server\",strategy=\"hybrid\"} 1.0")
                .contains("imr_sessions{side=\"server\",strategy=\"hybrid\"} 1.0")
                .contains("imr_commit_duration_seconds")
                .contains("imr_bytes_confirmation_total{side=\"server\",strategy=\"hybrid\"}");
        String page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.metricsAddress().getPort() + "/")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(page).contains("<title>imr server</title>");
        Cluster.join(bob.close());
        Cluster.join(server.close());
    }
}
