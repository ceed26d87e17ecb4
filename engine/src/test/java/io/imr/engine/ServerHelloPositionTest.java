package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Checksums;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Welcome;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.Submission;
import io.imr.api.strategy.StrategyOptions;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.engine.metrics.MetricNames;
import io.imr.store.mapdb.MapDbServerStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the server starts a session from a hello (G10) and which hello may replace a session (bug 6),
 * with the real MapDB store, on virtual time.
 */
@DisplayName("A hello on the server: epochs no device can break, and starts of a device")
class ServerHelloPositionTest {

    @TempDir
    Path dir;

    private final ManualRuntime runtime = new ManualRuntime();
    private final byte[] secret = new byte[32];
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private MapDbServerStore store;
    private ServerEngine engine;
    private final List<String> ids = new ArrayList<>();

    @BeforeEach
    void start() {
        Arrays.fill(secret, (byte) 5);
        store = MapDbServerStore.open(dir);
        engine = newEngine();
        List<Submission> three = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            byte[] p = ("m" + i).getBytes(StandardCharsets.UTF_8);
            three.add(new Submission("alice", "out-" + i, "bob", p, Checksums.crc32c(p), ManualRuntime.WALL_START));
        }
        store.commit(ServerCommit.append(three)).toCompletableFuture().join()
                .forEach(a -> ids.add(a.message().id()));
    }

    @AfterEach
    void stop() {
        store.close();
    }

    private ServerEngine newEngine() {
        return new ServerEngine(ServerEngineConfig.builder().heartbeat(Duration.ofSeconds(1)).build(), store,
                new QuietStrategy(), StrategyOptions.none(), new HmacTokens(secret), runtime, registry);
    }

    private FakeChannel hello(String device, long cursor, String id, String generation, long incarnation) {
        String token = new HmacTokens(secret).mint(new Principal("bob", device), Duration.ofHours(1),
                runtime.currentTimeMillis());
        FakeChannel c = new FakeChannel();
        engine.accept(c).onFrame(new Hello(Frame.PROTOCOL_VERSION, token, "bob", device, List.of("quiet"),
                cursor == 0 ? 0 : 1, cursor, id, generation, incarnation));
        runtime.runDue();
        return c;
    }

    private static Welcome welcome(FakeChannel c) {
        assertThat(c.sent).as("answered with a welcome, closed with " + c.closedWith).first().isInstanceOf(Welcome.class);
        return (Welcome) c.sent.get(0);
    }

    private double resyncs(String reason) {
        Counter c = registry.find(MetricNames.RESYNCS).tag(MetricNames.TAG_REASON, reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    @DisplayName("a forged cursor resyncs that session only: the sequence, its epoch and its numbering stay; a fresh"
            + " device starts from the first message")
    void forgedCursor() {
        Welcome phone = welcome(hello("phone", 3, ids.get(2), store.generation(), 1));
        assertThat(phone.resync()).isFalse();
        assertThat(phone.cursor()).isEqualTo(3);

        Welcome beyond = welcome(hello("rogue", 50, "mallory/x-50", store.generation(), 1));
        assertThat(beyond.resync()).isTrue();
        assertThat(beyond.cursor()).isZero();
        assertThat(beyond.epoch()).isEqualTo(1);
        assertThat(beyond.serverStore()).isEqualTo(store.generation());
        Welcome otherMessage = welcome(hello("rogue", 2, ids.get(1).replace("out-2", "out-9"), store.generation(), 1));
        assertThat(otherMessage.resync()).isTrue();
        assertThat(store.inbox("bob")).isEqualTo(new InboxState("bob", 1, 3, 1));
        assertThat(resyncs("beyond-max-seq")).isEqualTo(1);
        assertThat(resyncs("not-vouched")).isEqualTo(1);

        // The next message is numbered on from 3, not from the forged 50.
        byte[] p = "m4".getBytes(StandardCharsets.UTF_8);
        assertThat(store.commit(ServerCommit.append(List.of(new Submission("alice", "out-4", "bob", p,
                Checksums.crc32c(p), ManualRuntime.WALL_START)))).toCompletableFuture().join().get(0).message().seq()).isEqualTo(4);

        Welcome fresh = welcome(hello("fresh", 0, "", "", 1));
        assertThat(fresh.resync()).isFalse();
        assertThat(fresh.cursor()).isZero();
        assertThat(fresh.maxSeq()).isEqualTo(4);
    }

    @Test
    @DisplayName("a store opened again vouches for what earlier openings stored; a generation it never ran vouches for"
            + " nothing")
    void generations() {
        String first = store.generation();
        store.close();
        store = MapDbServerStore.open(dir);
        engine = newEngine();
        assertThat(store.generation()).isNotEqualTo(first);

        Welcome continued = welcome(hello("phone", 3, ids.get(2), first, 1));
        assertThat(continued.resync()).isFalse();
        assertThat(continued.cursor()).isEqualTo(3);
        assertThat(continued.serverStore()).isEqualTo(store.generation());

        Welcome unknown = welcome(hello("tablet", 3, ids.get(2), "g7-0123456789ab", 1));
        assertThat(unknown.resync()).as("a generation of a copy's original, after the copy").isTrue();
        assertThat(unknown.cursor()).isZero();
        assertThat(resyncs("not-vouched")).isEqualTo(1);
    }

    @Test
    @DisplayName("a hello of an earlier start never replaces the session of a later one; the same or a later start does")
    void staleHello() {
        FakeChannel second = hello("phone", 0, "", "", 2);
        welcome(second);
        FakeChannel first = hello("phone", 0, "", "", 1);
        assertThat(first.closedWith.code()).isEqualTo(ErrorFrame.Code.STALE_HELLO);
        assertThat(first.closedWith.message()).contains("later start (2)").contains("start 1");
        assertThat(second.closed).as("the later start's session goes on").isFalse();
        assertThat(registry.find(MetricNames.HELLOS_STALE).counter().count()).isEqualTo(1);

        FakeChannel again = hello("phone", 0, "", "", 2);
        welcome(again);
        assertThat(second.closedWith.code()).as("a reconnect of the same start replaces it")
                .isEqualTo(ErrorFrame.Code.SESSION_REPLACED);
        FakeChannel third = hello("phone", 0, "", "", 3);
        welcome(third);
        assertThat(again.closedWith.code()).isEqualTo(ErrorFrame.Code.SESSION_REPLACED);
        assertThat(engine.sessions()).isEqualTo(1);
    }
}
