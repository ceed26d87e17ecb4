package io.imr.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import io.imr.api.frame.Send;
import io.imr.api.Checksums;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Ping;
import io.imr.api.frame.Pong;
import io.imr.api.frame.SendAck;
import io.imr.api.store.InboxState;
import io.imr.api.store.StoreException;
import io.imr.engine.metrics.EngineMetrics;
import io.imr.engine.metrics.MetricNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AppendPipeline}: the send path on the server (G6), on virtual time with the real MapDB store. */
@DisplayName("The server's append pipeline")
class AppendPipelineTest {

    @TempDir
    Path dir;

    private final ScriptedStrategy strategy = new ScriptedStrategy();
    private ServerFixture server;

    @BeforeEach
    void start() {
        server = new ServerFixture(dir, ServerEngineConfig.builder().maxPendingSends(4).build(), strategy);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ServerFixture.Connection alice() {
        return server.welcomed("alice", "laptop", ScriptedStrategy.NAME);
    }

    @Test
    @DisplayName("answers each send after its commit, in commit order, with at most two commits running")
    void groupsAndOrders() {
        ServerFixture.Connection alice = alice();
        int commits = server.store.commits;
        server.store.hold();
        for (int i = 1; i <= 4; i++) {
            alice.frame(ServerFixture.send("c-" + i, "bob", "m" + i));
        }
        assertThat(server.store.heldCommits()).as("two running, the rest waits").isEqualTo(2);
        assertThat(alice.sent(SendAck.class)).as("nothing answered before its commit").isEmpty();
        server.store.releaseOne();
        server.runtime.runDue();
        assertThat(ServerFixture.ackedIds(alice.sent(SendAck.class))).containsExactly("c-1");
        assertThat(server.store.heldCommits()).as("what waited goes into one commit").isEqualTo(2);
        server.store.release();
        server.runtime.runDue();
        assertThat(ServerFixture.ackedSeqs(alice.sent(SendAck.class))).containsExactly(1L, 2L, 3L, 4L);
        assertThat(alice.sent(SendAck.class)).as("one answer per commit").hasSize(3);
        assertThat(alice.sent(SendAck.class).get(2)).as("the last commit's two sends are one run")
                .isEqualTo(new SendAck("c", List.of(new SendAck.Run(3, 2, 3, 1))));
        assertThat(server.store.commits - commits).as("append commits").isEqualTo(3);
    }

    @Test
    @DisplayName("answers a resent send with the seq stored first, and stores it once")
    void duplicate() {
        ServerFixture.Connection alice = alice();
        alice.frame(ServerFixture.send("c-1", "bob", "hi")).frame(ServerFixture.send("c-1", "bob", "hi"));
        assertThat(ServerFixture.ackedSeqs(alice.sent(SendAck.class))).containsExactly(1L, 1L);
        assertThat(server.store.inbox("bob").maxSeq()).isEqualTo(1);
    }

    @Test
    @DisplayName("closes a session with more sends waiting for their commit than the limit (G7)")
    void pendingSendLimit() {
        ServerFixture.Connection alice = alice();
        server.store.hold();
        for (int i = 1; i <= 4; i++) {
            alice.frame(ServerFixture.send("c-" + i, "bob", "m" + i));
        }
        assertThat(alice.channel.closed).as("four may wait").isFalse();
        alice.frame(ServerFixture.send("c-5", "bob", "m5"));
        assertThat(alice.channel.closedWith.code()).isEqualTo(ErrorFrame.Code.NOT_ALLOWED);
        assertThat(alice.channel.closedWith.message()).contains("more than 4 sends waiting for their commit");

        server.store.release();
        server.runtime.runDue();
        assertThat(server.store.inbox("bob").maxSeq()).as("the four accepted are stored, the fifth is not")
                .isEqualTo(4);
        assertThat(alice.sent(SendAck.class)).as("nothing to a closed session").isEmpty();
    }

    @Test
    @DisplayName("counts only the sends still waiting: a session that waits for its send-acks is never closed")
    void pendingSendsGoDown() {
        ServerFixture.Connection alice = alice();
        server.store.hold();
        for (int round = 0; round < 4; round++) {
            for (int i = 1; i <= 4; i++) {
                alice.frame(ServerFixture.send("c-" + (round * 4 + i), "bob", "m"));
            }
            server.store.release();
            server.runtime.runDue();
            server.store.hold();
        }
        assertThat(alice.channel.closed).isFalse();
        assertThat(ServerFixture.ackedSeqs(alice.sent(SendAck.class))).hasSize(16);
    }

    @Test
    @DisplayName("closes the sender with UNAVAILABLE when its commit throws at once, and keeps working")
    void commitThrows() {
        ServerFixture.Connection alice = alice();
        server.store.throwOnNextCommit(new StoreException("disk gone"));
        alice.frame(ServerFixture.send("c-1", "bob", "lost"));
        assertThat(alice.channel.closedWith.code()).isEqualTo(ErrorFrame.Code.UNAVAILABLE);
        assertThat(server.store.inbox("bob").maxSeq()).isZero();

        ServerFixture.Connection again = alice();
        again.frame(ServerFixture.send("c-1", "bob", "lost"));
        assertThat(ServerFixture.ackedSeqs(again.sent(SendAck.class))).containsExactly(1L);
    }

    @Test
    @DisplayName("tells the recipient's devices, and its pongs carry the new max seq")
    void tellsRecipients() {
        ServerFixture.Connection bob = server.welcomed("bob", "phone", ScriptedStrategy.NAME);
        alice().frame(ServerFixture.send("c-1", "bob", "hi")).frame(ServerFixture.send("c-2", "bob", "ho"));
        assertThat(strategy.logged("phone", "MessagesAppended")).containsExactly("phone1:MessagesAppended 1 max 1",
                "phone1:MessagesAppended 1 max 2");
        bob.frame(new Ping(3));
        assertThat(bob.sent(Pong.class)).containsExactly(new Pong(3, 1, 2));
    }

    @Test
    @DisplayName("reads nothing from the store on the engine's context for a recipient with no device in memory")
    void noReadForUnwatchedRecipients() {
        ServerFixture.Connection alice = alice();
        int reads = server.store.inboxReads;
        for (int i = 1; i <= 20; i++) {
            alice.frame(ServerFixture.send("c-" + i, "user" + i, "hi"));
        }
        assertThat(ServerFixture.ackedIds(alice.sent(SendAck.class))).hasSize(20);
        assertThat(server.store.inboxReads).isEqualTo(reads);
    }

    @Test
    @DisplayName("stores a batch in one commit and answers it with one run per recipient sequence")
    void batch() {
        ServerFixture.Connection alice = alice();
        int commits = server.store.commits;
        List<Send.Item> items = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            byte[] payload = ("m" + i).getBytes(StandardCharsets.UTF_8);
            items.add(new Send.Item(10 + i, i <= 3 ? "bob" : "carol", payload, Checksums.crc32c(payload)));
        }
        alice.frame(new Send("c", items));

        assertThat(server.store.commits - commits).isEqualTo(1);
        assertThat(alice.sent(SendAck.class)).containsExactly(new SendAck("c", List.of(new SendAck.Run(11, 3, 1, 1),
                new SendAck.Run(14, 1, 1, 1))));
        assertThat(server.store.inbox("bob").maxSeq()).isEqualTo(3);
        assertThat(server.store.inbox("carol").maxSeq()).isEqualTo(1);
    }

    @Test
    @DisplayName("refuses a bad item of a batch alone and stores the rest")
    void badItemAlone() {
        ServerFixture.Connection alice = alice();
        byte[] payload = "ok".getBytes(StandardCharsets.UTF_8);
        int good = Checksums.crc32c(payload);
        alice.frame(new Send("c", List.of(new Send.Item(1, "bob", payload, good),
                new Send.Item(2, "bob", payload, good + 1), new Send.Item(3, "bob", payload, good))));

        assertThat(alice.sent(ErrorFrame.class)).extracting(ErrorFrame::code, ErrorFrame::ref)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(ErrorFrame.Code.SEND_REFUSED, "c-2"));
        assertThat(alice.channel.closed).isFalse();
        assertThat(alice.sent(SendAck.class)).containsExactly(new SendAck("c", List.of(new SendAck.Run(1, 1, 1, 1),
                new SendAck.Run(3, 1, 2, 1))));
    }

    @Test
    @DisplayName("counts every item of a batch against the pending-send limit")
    void batchCountsPerItem() {
        ServerFixture.Connection alice = alice();
        server.store.hold();
        List<Send.Item> items = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            items.add(new Send.Item(i, "bob", new byte[0], 0));
        }
        alice.frame(new Send("c", items));

        assertThat(alice.channel.closedWith.code()).isEqualTo(ErrorFrame.Code.NOT_ALLOWED);
        assertThat(alice.channel.closedWith.message()).contains("more than 4 sends waiting for their commit");
    }

    @Nested
    @DisplayName("keeps the inbox state of each watched user")
    class InboxStates {

        private final AppendPipeline pipeline = new AppendPipeline(4, io.imr.api.Message.MAX_PAYLOAD, null, new ManualRuntime(),
                new EngineMetrics(new SimpleMeterRegistry(), MetricNames.SIDE_SERVER, "x"), user -> List.of());

        @Test
        @DisplayName("settling a read against what it knows: the newer wins, a later epoch before a higher max seq")
        void newerWins() {
            pipeline.watch("bob");
            assertThat(pipeline.settle(new InboxState("bob", 1, 5, 1))).isEqualTo(new InboxState("bob", 1, 5, 1));
            assertThat(pipeline.settle(new InboxState("bob", 1, 3, 1))).as("an older read").isEqualTo(
                    new InboxState("bob", 1, 5, 1));
            assertThat(pipeline.settle(new InboxState("bob", 2, 3, 1))).as("a new epoch").isEqualTo(
                    new InboxState("bob", 2, 3, 1));
            assertThat(pipeline.inbox("bob")).isEqualTo(new InboxState("bob", 2, 3, 1));
        }

        @Test
        @DisplayName("until the last watcher is gone")
        void forgotten() {
            pipeline.watch("bob");
            pipeline.watch("bob");
            pipeline.settle(new InboxState("bob", 1, 5, 1));
            pipeline.unwatch("bob");
            assertThat(pipeline.inbox("bob").maxSeq()).isEqualTo(5);
            pipeline.unwatch("bob");
            assertThatThrownBy(() -> pipeline.inbox("bob")).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> pipeline.settle(new InboxState("bob", 1, 5, 1)))
                    .isInstanceOf(IllegalStateException.class);
        }
    }
}
