package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Checksums;
import io.imr.api.frame.Ack;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.Submission;
import io.imr.api.strategy.Event;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ServerDevice}: one device's strategy half and its driver on the server, on virtual time with
 * the real MapDB store. Bob's inbox holds five messages; the {@link ScriptedStrategy}'s half persists
 * the cursor each session starts at as the device's watermark.
 */
@DisplayName("A device on the server")
class ServerDeviceTest {

    private static final long EVICTION = ServerEngineConfig.DEFAULT.deviceIdleEviction().toNanos();

    @TempDir
    Path dir;

    private final ScriptedStrategy strategy = new ScriptedStrategy();
    private final Ack ack = Ack.of(1, 1, 1);
    private ServerFixture server;
    private String id3;

    @BeforeEach
    void start() {
        server = new ServerFixture(dir, ServerEngineConfig.DEFAULT, strategy);
        List<Submission> five = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            byte[] p = ("m" + i).getBytes(StandardCharsets.UTF_8);
            five.add(new Submission("alice", "out-" + i, "bob", p, Checksums.crc32c(p), ManualRuntime.WALL_START));
        }
        id3 = server.store.commit(ServerCommit.append(five)).toCompletableFuture().join().get(2).message().id();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Bob's phone says hello with cursor 3; its half persists watermark 3 (held if the store holds it). */
    private ServerFixture.Connection bobAt3() {
        ServerFixture.Connection bob = server.hello("bob", "phone", ScriptedStrategy.NAME, 3, id3);
        server.runtime.runDue();
        bob.welcome();
        return bob;
    }

    private long watermark() {
        return server.store.device("bob", "phone").map(d -> d.confirmed()).orElse(0L);
    }

    @Nested
    @DisplayName("is forgotten when idle (G7)")
    class Eviction {

        @Test
        @DisplayName("after the idle time, and started afresh from the store at its next hello")
        void evicted() {
            bobAt3().lost();
            server.runtime.advance(EVICTION + 1);
            bobAt3();
            assertThat(strategy.logged("phone", "Started")).containsExactly("phone1:Started 0/0", "phone2:Started 1/3");
        }

        @Test
        @DisplayName("also when a commit of its half ran when the idle time ran out: once that commit returned")
        void evictedOnceTheRunningCommitReturned() {
            server.store.holdWatermarks();
            bobAt3().lost();
            assertThat(server.store.heldCommits()).as("the watermark's commit runs").isEqualTo(1);
            server.runtime.advance(EVICTION + 1);
            server.store.release();
            server.runtime.runDue();
            assertThat(watermark()).isEqualTo(3);

            bobAt3();
            assertThat(strategy.halves("phone")).as("forgotten: its next hello makes a new half").isEqualTo(2);
            assertThat(strategy.logged("phone", "Started")).containsExactly("phone1:Started 0/0", "phone2:Started 1/3");
        }

        @Test
        @DisplayName("not when it connected again before the idle time ran out")
        void notWhenBack() {
            bobAt3().lost();
            server.runtime.advance(EVICTION / 2);
            bobAt3();
            server.runtime.advance(EVICTION / 2 + 1);
            assertThat(strategy.halves("phone")).isEqualTo(1);
            assertThat(strategy.logged("phone", "Connected")).hasSize(2);
        }

        @Test
        @DisplayName("not when it connected again while the commit it waited for ran")
        void notWhenBackWhileWaiting() {
            server.store.holdWatermarks();
            bobAt3().lost();
            server.runtime.advance(EVICTION + 1);
            ServerFixture.Connection again = bobAt3();
            int commits = server.store.commits;
            server.store.release();
            server.runtime.runDue();
            assertThat(server.store.commits).as("commits are offered again: the new session's watermark")
                    .isEqualTo(commits + 1);
            assertThat(again.channel.closed).isFalse();
            bobAt3();
            assertThat(strategy.halves("phone")).as("still in memory").isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("whose strategy half throws")
    class HalfThrows {

        @Test
        @DisplayName("starts a fresh half from the store's watermark and closes the session with INTERNAL")
        void restartsAtOnce() {
            ServerFixture.Connection bob = bobAt3();
            assertThat(watermark()).isEqualTo(3);
            strategy.throwWhen = (half, e) -> half.equals("phone1") && e instanceof Event.FrameArrived;
            bob.frame(ack);

            assertThat(bob.channel.closedWith.code()).isEqualTo(ErrorFrame.Code.INTERNAL);
            assertThat(server.engine.sessions()).isZero();
            assertThat(strategy.logged("phone", "Started")).containsExactly("phone1:Started 0/0", "phone2:Started 1/3");
            ServerFixture.Connection again = bobAt3();
            assertThat(again.channel.closed).isFalse();
            assertThat(strategy.logged("phone", "Connected")).last().isEqualTo("phone2:Connected 1/3 max 5");
        }

        @Test
        @DisplayName("while its commit runs: the fresh half starts once that commit returned, from what it stored,"
                + " and never sees its outcome")
        void restartsAfterTheRunningCommit() {
            server.store.holdWatermarks();
            ServerFixture.Connection bob = bobAt3();
            assertThat(server.store.heldCommits()).isEqualTo(1);
            strategy.throwWhen = (half, e) -> half.equals("phone1"); // broken for good
            bob.frame(ack);

            assertThat(bob.channel.closedWith.code()).as("closed at once").isEqualTo(ErrorFrame.Code.INTERNAL);
            assertThat(strategy.halves("phone")).as("no fresh half while the commit runs").isEqualTo(1);
            server.store.release();
            server.runtime.runDue();

            assertThat(strategy.logged("phone", "Started")).containsExactly("phone1:Started 0/0", "phone2:Started 1/3");
            assertThat(strategy.log).noneMatch(e -> e.startsWith("phone2:") && e.contains("CommitDone"));
        }

        @Test
        @DisplayName("again and again while its commit runs: one fresh half, never replaced afterwards")
        void oneRestartForManyThrows() {
            ServerFixture.Connection alice = server.welcomed("alice", "laptop", ScriptedStrategy.NAME);
            server.store.holdWatermarks();
            ServerFixture.Connection bob = bobAt3();
            strategy.throwWhen = (half, e) -> half.equals("phone1");
            bob.frame(ack);
            // Each append to bob reaches his device while the broken half waits for its commit.
            alice.frame(ServerFixture.send("c-1", "bob", "6")).frame(ServerFixture.send("c-2", "bob", "7"));
            server.runtime.advance(Duration.ofSeconds(1).toNanos());
            server.store.release();
            server.runtime.advance(Duration.ofSeconds(1).toNanos());

            ServerFixture.Connection again = bobAt3();
            again.frame(ack);
            alice.frame(ServerFixture.send("c-3", "bob", "8"));
            server.runtime.advance(Duration.ofSeconds(10).toNanos());
            assertThat(strategy.halves("phone")).isEqualTo(2);
            assertThat(again.channel.closed).as("the healthy half's session stays").isFalse();
            assertThat(strategy.logged("phone", "Started")).containsExactly("phone1:Started 0/0", "phone2:Started 1/3");
            assertThat(strategy.logged("phone2", "MessagesAppended")).last().isEqualTo("phone2:MessagesAppended 1 max 8");
        }

        @Test
        @DisplayName("on its very start: the session is closed with INTERNAL, and a fresh half is tried at the next"
                + " hello after the device was forgotten")
        void throwsOnStart() {
            strategy.throwWhen = (half, e) -> e instanceof Event.Started; // every half, until told otherwise
            ServerFixture.Connection bob = bobAt3();
            assertThat(bob.channel.closedWith.code()).isEqualTo(ErrorFrame.Code.INTERNAL);
            assertThat(strategy.halves("phone")).as("not restarted in a loop").isEqualTo(1);
            ServerFixture.Connection again = bobAt3();
            assertThat(again.channel.closedWith.code()).as("nothing would serve it").isEqualTo(ErrorFrame.Code.INTERNAL);

            server.runtime.advance(EVICTION + 1);
            strategy.throwWhen = (half, e) -> false;
            ServerFixture.Connection later = bobAt3();
            assertThat(later.channel.closed).isFalse();
            assertThat(strategy.logged("phone", "Connected")).containsExactly("phone2:Connected 1/3 max 5");
        }
    }

    @Nested
    @DisplayName("reading its inbox")
    class Reading {

        @Test
        @DisplayName("gets what it asks for while it is held")
        void held() {
            strategy.readOnConnect = 2;
            bobAt3();
            server.runtime.runDue();
            assertThat(strategy.logged("phone", "InboxRead")).containsExactly("phone1:InboxRead [2, 3, 4, 5]");
        }

        @Test
        @DisplayName("closes the session, delivering nothing, when retention trimmed what it asks for: the device is"
                + " told the expired range at its next hello, never a silent gap")
        void trimmedWhileConnected() {
            server.store.trim("bob", 4).toCompletableFuture().join();
            strategy.readOnConnect = 2;
            ServerFixture.Connection bob = bobAt3();
            server.runtime.runDue();
            assertThat(strategy.logged("phone", "InboxRead")).containsExactly("phone1:InboxRead []");
            assertThat(bob.channel.closedWith).isNotNull();
            assertThat(bob.channel.closedWith.code()).isEqualTo(io.imr.api.frame.ErrorFrame.Code.UNAVAILABLE);
            assertThat(bob.channel.closedWith.message()).contains("seqs 2..3").contains("expired");
        }
    }
}
