package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.frame.Deliver;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Ping;
import io.imr.api.frame.Pong;
import io.imr.api.frame.Send;
import io.imr.api.frame.Welcome;
import io.imr.api.Message;
import io.imr.api.strategy.StrategyOptions;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.store.mapdb.MapDbServerStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules of a session on the server (wire/src/main/proto/protocol.md), on virtual time. */
@DisplayName("A server session")
class ServerSessionRulesTest {

    @TempDir
    Path dir;

    private final ManualRuntime runtime = new ManualRuntime();
    private final byte[] secret = new byte[32];
    private MapDbServerStore store;
    private ServerEngine engine;

    @BeforeEach
    void start() {
        Arrays.fill(secret, (byte) 9);
        store = MapDbServerStore.open(dir);
        ServerEngineConfig config = ServerEngineConfig.builder().heartbeat(Duration.ofSeconds(1))
                .helloTimeout(Duration.ofSeconds(5)).build();
        engine = new ServerEngine(config, store, new QuietStrategy(), StrategyOptions.none(),
                new HmacTokens(secret), runtime, new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() {
        store.close();
    }

    private String token(String user, String device) {
        return new HmacTokens(secret).mint(new Principal(user, device), Duration.ofHours(1), runtime.currentTimeMillis());
    }

    private Hello hello(String token, String user, String device, List<String> strategies) {
        return new Hello(Frame.PROTOCOL_VERSION, token, user, device, strategies, 0, 0, "", "", 1);
    }

    private FakeChannel connect(Frame... frames) {
        FakeChannel channel = new FakeChannel();
        ConnectionHandler handler = engine.accept(channel);
        for (Frame f : frames) {
            handler.onFrame(f);
        }
        runtime.runDue();
        return channel;
    }

    private FakeChannel welcomed(String user, String device) {
        FakeChannel c = connect(hello(token(user, device), user, device, List.of("quiet")));
        assertThat(c.sent).first().isInstanceOf(Welcome.class);
        return c;
    }

    @Test
    @DisplayName("welcomes a valid hello with its user, device, strategy, epoch, cursor and heartbeat")
    void welcome() {
        FakeChannel c = welcomed("bob", "phone");
        assertThat(c.sent.get(0)).isEqualTo(new Welcome(Frame.PROTOCOL_VERSION, "quiet", "bob", "phone", 1, 0, 0, 1000,
                store.generation(), false));
        assertThat(engine.sessions()).isEqualTo(1);
        assertThat(c.closed).isFalse();
    }

    @Test
    @DisplayName("refuses anything but a hello first")
    void helloFirst() {
        FakeChannel c = connect(new Ping(1));
        assertThat(c.closedWith.code()).isEqualTo(ErrorFrame.Code.NOT_ALLOWED);
        assertThat(c.closedWith.message()).contains("first frame must be a hello");
    }

    @Test
    @DisplayName("refuses another protocol version, a bad token, a token for another device, no common strategy")
    void refusals() {
        FakeChannel version = connect(new Hello(1, token("bob", "phone"), "bob", "phone", List.of("quiet"), 0, 0, "", "",
                1));
        assertThat(version.closedWith.code()).isEqualTo(ErrorFrame.Code.UNSUPPORTED_VERSION);
        assertThat(version.closedWith.message()).isEqualTo("this server speaks protocol version 6, the device 1");

        FakeChannel bad = connect(hello("garbage", "bob", "phone", List.of("quiet")));
        assertThat(bad.closedWith.code()).isEqualTo(ErrorFrame.Code.AUTH_FAILED);

        FakeChannel mismatch = connect(hello(token("bob", "phone"), "bob", "tablet", List.of("quiet")));
        assertThat(mismatch.closedWith.code()).isEqualTo(ErrorFrame.Code.AUTH_FAILED);
        assertThat(mismatch.closedWith.message()).contains("bob/phone").contains("bob/tablet");

        FakeChannel strategy = connect(hello(token("bob", "phone"), "bob", "phone", List.of("seqid")));
        assertThat(strategy.closedWith.code()).isEqualTo(ErrorFrame.Code.NO_COMMON_STRATEGY);
        assertThat(strategy.closedWith.message()).contains("runs strategy quiet").contains("offered seqid");
        assertThat(engine.sessions()).isZero();
    }

    @Test
    @DisplayName("closes a connection that sends no hello in time")
    void helloTimeout() {
        FakeChannel c = connect();
        runtime.advance(Duration.ofSeconds(4).toNanos());
        assertThat(c.closed).isFalse();
        runtime.advance(Duration.ofSeconds(2).toNanos());
        assertThat(c.closedWith.message()).contains("no hello within 5 s");
    }

    @Test
    @DisplayName("refuses frames only a server may send")
    void wrongFrames() {
        FakeChannel d = new FakeChannel();
        ConnectionHandler h = engine.accept(d);
        h.onFrame(hello(token("bob", "tablet"), "bob", "tablet", List.of("quiet")));
        runtime.runDue();
        h.onFrame(new Deliver(List.of(Message.of("a", "c-1", "bob", 1, 1, 0, new byte[0], 0)), 1));
        runtime.runDue();
        assertThat(d.closedWith.code()).isEqualTo(ErrorFrame.Code.NOT_ALLOWED);
        assertThat(d.closedWith.message()).contains("may not send deliver");
    }

    @Test
    @DisplayName("refuses one send whose payload fails its checksum, and keeps the session")
    void corruptSend() {
        FakeChannel c = new FakeChannel();
        ConnectionHandler h = engine.accept(c);
        h.onFrame(hello(token("alice", "laptop"), "alice", "laptop", List.of("quiet")));
        runtime.runDue();
        h.onFrame(Send.of("abc", 1, "bob", new byte[] {1, 2, 3}, 12345));
        runtime.runDue();
        ErrorFrame refused = (ErrorFrame) c.sent.get(1);
        assertThat(refused.code()).isEqualTo(ErrorFrame.Code.SEND_REFUSED);
        assertThat(refused.ref()).isEqualTo("abc-1");
        assertThat(c.closed).isFalse();
        assertThat(store.inbox("bob").maxSeq()).as("nothing stored").isZero();
    }

    @Test
    @DisplayName("answers pings with the user's max seq, and closes a session silent for three heartbeats")
    void heartbeats() {
        FakeChannel c = new FakeChannel();
        ConnectionHandler h = engine.accept(c);
        h.onFrame(hello(token("bob", "phone"), "bob", "phone", List.of("quiet")));
        runtime.runDue();
        h.onFrame(new Ping(77));
        runtime.runDue();
        assertThat(c.sent).contains(new Pong(77, 1, 0));
        runtime.advance(Duration.ofMillis(2500).toNanos());
        assertThat(c.closed).isFalse();
        runtime.advance(Duration.ofSeconds(2).toNanos());
        assertThat(c.closed).as("closed as half-open").isTrue();
        assertThat(c.closedWith).as("no error frame to a dead peer").isNull();
        assertThat(engine.sessions()).isZero();
    }

    @Test
    @DisplayName("replaces an older session of the same device, telling it so")
    void replacement() {
        FakeChannel older = welcomed("bob", "phone");
        FakeChannel newer = welcomed("bob", "phone");
        assertThat(older.closedWith.code()).isEqualTo(ErrorFrame.Code.SESSION_REPLACED);
        assertThat(newer.closed).isFalse();
        assertThat(engine.sessions()).isEqualTo(1);
    }
}
