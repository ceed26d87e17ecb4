package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Checksums;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Pull;
import io.imr.api.frame.Send;
import io.imr.api.frame.SendAck;
import io.imr.api.frame.Welcome;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.engine.metrics.MetricNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's limits (send and pull rates, payload size, sessions per user, connections per address), on virtual time. */
@DisplayName("The server's limits")
class ServerLimitsTest {

    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    private ServerFixture server;
    private final ScriptedStrategy strategy = new ScriptedStrategy();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(ServerEngineConfig.Builder config) {
        server = new ServerFixture(dir, config.build(), strategy);
    }

    private double limited(String kind) {
        var c = server.registry.find(MetricNames.LIMITED).tag(MetricNames.TAG_KIND, kind).counter();
        return c == null ? 0 : c.count();
    }

    private static Send.Item item(long counter, String text) {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        return new Send.Item(counter, "bob", p, Checksums.crc32c(p));
    }

    /** The client ids answered so far, once at least {@code expected} are (the store commits on its own thread). */
    private List<String> acked(ServerFixture.Connection c, int expected) {
        long until = System.nanoTime() + 5 * SECOND;
        List<String> ids = ServerFixture.ackedIds(c.sent(SendAck.class));
        while (ids.size() < expected && System.nanoTime() < until) {
            server.runtime.runDue();
            Thread.onSpinWait();
            ids = ServerFixture.ackedIds(c.sent(SendAck.class));
        }
        return ids;
    }

    private FakeChannel connect(String user, String device, String host) {
        FakeChannel channel = new FakeChannel();
        channel.host = host;
        ConnectionHandler h = server.engine.accept(channel);
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) 7);
        String token = new HmacTokens(secret).mint(new Principal(user, device), Duration.ofHours(1),
                server.runtime.currentTimeMillis());
        h.onFrame(new Hello(Frame.PROTOCOL_VERSION, token, user, device, List.of(ScriptedStrategy.NAME), 0, 0, "", "",
                1));
        server.runtime.runDue();
        return channel;
    }

    @Test
    @DisplayName("send-rate: items beyond a device's bucket are answered RATE_LIMITED with their client id and a retry"
            + " delay, nothing of them stored; after the delay they are taken")
    void sendRate() {
        start(ServerEngineConfig.builder().sendRate(2).sendBurst(2));
        ServerFixture.Connection alice = server.welcomed("alice", "laptop", ScriptedStrategy.NAME);
        alice.frame(new Send("c", List.of(item(1, "a"), item(2, "b"), item(3, "c"), item(4, "d"))));
        assertThat(acked(alice, 2)).containsExactly("c-1", "c-2");
        List<ErrorFrame> limits = alice.sent(ErrorFrame.class);
        assertThat(limits).extracting(ErrorFrame::code, ErrorFrame::ref).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ErrorFrame.Code.RATE_LIMITED, "c-3"),
                org.assertj.core.groups.Tuple.tuple(ErrorFrame.Code.RATE_LIMITED, "c-4"));
        assertThat(limits.get(0).retryAfterMillis()).as("half a second until the next token").isEqualTo(500);
        assertThat(alice.channel.closed).as("the session goes on").isFalse();
        assertThat(server.store.read("bob", 1, 10)).hasSize(2);
        assertThat(limited("send")).isEqualTo(2);

        server.runtime.advance(SECOND);
        alice.frame(new Send("c", List.of(item(3, "c"), item(4, "d"))));
        assertThat(acked(alice, 4)).containsExactly("c-1", "c-2", "c-3", "c-4");
        assertThat(server.store.read("bob", 1, 10)).hasSize(4);
    }

    @Test
    @DisplayName("send-rate keeps an outbox's order: once a message is limited, later ones wait behind it until it is"
            + " sent again and taken, even when the bucket has room for them")
    void sendRateKeepsOrder() {
        start(ServerEngineConfig.builder().sendRate(10).sendBurst(1));
        ServerFixture.Connection alice = server.welcomed("alice", "laptop", ScriptedStrategy.NAME);
        alice.frame(new Send("c", List.of(item(1, "a"), item(2, "b"))));
        assertThat(acked(alice, 1)).containsExactly("c-1");
        server.runtime.advance(SECOND);
        alice.frame(new Send("c", List.of(item(3, "c"))));
        assertThat(alice.sent(ErrorFrame.class)).extracting(ErrorFrame::ref).as("3 waits behind 2").containsExactly(
                "c-2", "c-3");
        alice.frame(new Send("c", List.of(item(2, "b"), item(3, "c"))));
        server.runtime.advance(SECOND);
        alice.frame(new Send("c", List.of(item(3, "c"))));
        assertThat(acked(alice, 3)).containsExactly("c-1", "c-2", "c-3");
        assertThat(server.store.read("bob", 1, 10)).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8))
                .containsExactly("a", "b", "c");
    }

    @Test
    @DisplayName("a resend of a message taken already, limited, holds nothing back: the device may never send it again"
            + " (its send-ack reaches it first)")
    void resendLimitedHoldsNothing() {
        start(ServerEngineConfig.builder().sendRate(10).sendBurst(1));
        ServerFixture.Connection alice = server.welcomed("alice", "laptop", ScriptedStrategy.NAME);
        alice.frame(new Send("c", List.of(item(1, "a"))));
        alice.frame(new Send("c", List.of(item(1, "a"))));
        assertThat(alice.sent(ErrorFrame.class)).extracting(ErrorFrame::ref).containsExactly("c-1");
        assertThat(acked(alice, 1)).containsExactly("c-1");
        server.runtime.advance(SECOND);
        alice.frame(new Send("c", List.of(item(2, "b"))));
        assertThat(acked(alice, 2)).as("2 does not wait for a resend of 1").containsExactly("c-1", "c-2");
    }

    @Test
    @DisplayName("max-payload: a larger payload is refused for good (SEND_REFUSED), the rest of the batch stored")
    void maxPayload() {
        start(ServerEngineConfig.builder().maxPayload(4));
        ServerFixture.Connection alice = server.welcomed("alice", "laptop", ScriptedStrategy.NAME);
        alice.frame(new Send("c", List.of(item(1, "abcd"), item(2, "abcde"))));
        assertThat(acked(alice, 1)).containsExactly("c-1");
        assertThat(alice.sent(ErrorFrame.class)).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo(ErrorFrame.Code.SEND_REFUSED);
            assertThat(e.ref()).isEqualTo("c-2");
            assertThat(e.message()).contains("5 bytes").contains("(4 bytes)");
        });
    }

    @Test
    @DisplayName("pull-rate: a pull beyond the bucket is handed on late; one more meanwhile is dropped; all counted")
    void pullRate() {
        start(ServerEngineConfig.builder().pullRate(1));
        ServerFixture.Connection bob = server.welcomed("bob", "phone", ScriptedStrategy.NAME);
        bob.frame(new Pull(1, 100, 0)).frame(new Pull(1, 100, 0)).frame(new Pull(1, 100, 0));
        assertThat(strategy.logged("phone", "FrameArrived pull")).hasSize(1);
        assertThat(limited("pull")).isEqualTo(2);
        server.runtime.advance(SECOND / 2);
        assertThat(strategy.logged("phone", "FrameArrived pull")).hasSize(1);
        server.runtime.advance(SECOND / 2);
        assertThat(strategy.logged("phone", "FrameArrived pull")).as("the held one, once a second passed").hasSize(2);
        server.runtime.advance(10 * SECOND);
        assertThat(strategy.logged("phone", "FrameArrived pull")).as("the dropped one never").hasSize(2);
    }

    @Test
    @DisplayName("max-sessions-per-user: a hello beyond is closed with RATE_LIMITED and no ref; a device replacing its"
            + " own session is no new session")
    void sessionsPerUser() {
        start(ServerEngineConfig.builder().maxSessionsPerUser(1));
        FakeChannel phone = connect("bob", "phone", "");
        assertThat(phone.sent).first().isInstanceOf(Welcome.class);
        FakeChannel tablet = connect("bob", "tablet", "");
        assertThat(tablet.closedWith.code()).isEqualTo(ErrorFrame.Code.RATE_LIMITED);
        assertThat(tablet.closedWith.ref()).isEmpty();
        assertThat(tablet.closedWith.retryAfterMillis()).isPositive();
        assertThat(limited("sessions")).isEqualTo(1);
        FakeChannel again = connect("bob", "phone", "");
        assertThat(again.sent).first().isInstanceOf(Welcome.class);
        assertThat(connect("alice", "laptop", "").sent).as("another user").first().isInstanceOf(Welcome.class);
    }

    @Test
    @DisplayName("max-connections-per-address: one beyond is closed with RATE_LIMITED before any frame; a slot is"
            + " free again once a connection closes")
    void connectionsPerAddress() {
        start(ServerEngineConfig.builder().maxConnectionsPerAddress(2));
        List<ConnectionHandler> open = new ArrayList<>();
        List<FakeChannel> channels = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            FakeChannel c = new FakeChannel();
            c.host = "10.0.0.1";
            channels.add(c);
            open.add(server.engine.accept(c));
        }
        server.runtime.runDue();
        assertThat(channels.get(0).closed).isFalse();
        assertThat(channels.get(1).closed).isFalse();
        assertThat(channels.get(2).closedWith.code()).isEqualTo(ErrorFrame.Code.RATE_LIMITED);
        assertThat(limited("connections")).isEqualTo(1);
        FakeChannel other = new FakeChannel();
        other.host = "10.0.0.2";
        server.engine.accept(other);
        assertThat(other.closed).as("another address").isFalse();
        open.get(0).onClosed("gone");
        server.runtime.runDue();
        FakeChannel fourth = new FakeChannel();
        fourth.host = "10.0.0.1";
        server.engine.accept(fourth);
        assertThat(fourth.closed).isFalse();
    }

    @Test
    @DisplayName("connection-rate: a connection beyond the address's second's worth is closed at once with"
            + " RATE_LIMITED and the wait until its next; other addresses are not held back; the bucket refills")
    void connectionRate() {
        start(ServerEngineConfig.builder().connectionRate(3));
        List<FakeChannel> channels = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            FakeChannel c = new FakeChannel();
            c.host = "10.0.0.1";
            channels.add(c);
            server.engine.accept(c);
        }
        server.runtime.runDue();
        assertThat(channels.subList(0, 3)).allSatisfy(c -> assertThat(c.closed).isFalse());
        ErrorFrame refused = channels.get(3).closedWith;
        assertThat(refused.code()).isEqualTo(ErrorFrame.Code.RATE_LIMITED);
        assertThat(refused.retryAfterMillis()).as("a third of a second: one token at 3 a second")
                .isBetween(300L, 334L);
        assertThat(refused.message()).contains("at most 3 a second");
        assertThat(limited("connection-rate")).isEqualTo(1);
        FakeChannel other = new FakeChannel();
        other.host = "10.0.0.2";
        server.engine.accept(other);
        assertThat(other.closed).as("another address").isFalse();
        server.runtime.advance(SECOND / 2);
        FakeChannel later = new FakeChannel();
        later.host = "10.0.0.1";
        server.engine.accept(later);
        server.runtime.runDue();
        assertThat(later.closed).as("a token came back after a third of a second").isFalse();
    }

    @Test
    @DisplayName("connection-rate: the buckets of addresses gone quiet are forgotten, so an attacker rotating"
            + " addresses cannot grow the server's memory")
    void connectionRateForgetsQuietAddresses() {
        AddressLimit limit = new AddressLimit(0, 10);
        long now = 0;
        for (int i = 0; i < AddressLimit.SWEEP_EVERY - 1; i++) {
            assertThat(limit.admit("10.1." + (i >> 8) + "." + (i & 255), now)).isZero();
        }
        assertThat(limit.buckets()).isEqualTo(AddressLimit.SWEEP_EVERY - 1);
        now += SECOND; // every bucket is full again
        assertThat(limit.admit("10.9.9.9", now)).isZero(); // the sweep runs before this one is counted
        assertThat(limit.buckets()).isEqualTo(1);
        assertThat(limit.admit("", now)).as("no address known: not limited").isZero();
    }
}
