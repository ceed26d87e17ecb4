package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Checksums;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Send;
import io.imr.api.frame.SendAck;
import io.imr.api.store.OutboxEntry;
import io.imr.api.strategy.PerStrategyOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The outbox")
class OutboxTest {

    private final ManualRuntime runtime = new ManualRuntime();
    private ManualClientStore store = new ManualClientStore("bob", "phone");
    private final List<Frame> wire = new ArrayList<>();
    private final List<SendConfirmation> confirmations = new ArrayList<>();
    private boolean up = true;
    private final Uplink uplink = new Uplink() {
        @Override
        public boolean ready() {
            return up;
        }

        @Override
        public void send(Frame frame) {
            if (up) {
                wire.add(frame);
            }
        }

        @Override
        public void drop(ErrorFrame error, String reason) {
            up = false;
        }
    };
    private Outbox outbox = outbox(3, 2);

    private Outbox outbox(int maxOutbox, int window) {
        ClientEngineConfig config = new ClientEngineConfig(List.of("scripted"), PerStrategyOptions.none(),
                Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(10), window, Duration.ofSeconds(10),
                maxOutbox, ClientEngineConfig.DEFAULT_INBOUND_FRAMES);
        Outbox o = new Outbox(store, runtime, config, uplink, confirmations::add);
        o.load(store.state().outboxId(), store.state().lastCounter(), store.outbox());
        return o;
    }

    private CompletableFuture<Long> send(long counter) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        outbox.enqueue(counter, "alice", ("p" + counter).getBytes(), f);
        return f;
    }

    private List<Send> sent() {
        return wire.stream().filter(Send.class::isInstance).map(Send.class::cast).toList();
    }

    private static String id(long counter) {
        return "0123456789abcdef-" + counter;
    }

    @Test
    @DisplayName("commits a send before it goes on the wire, and only a window's worth at a time")
    void durableFirstThenWindow() {
        send(0);
        send(0);
        send(0);
        runtime.runDue();
        assertThat(sent()).as("nothing is sent before the enqueue commit returned").isEmpty();
        assertThat(store.peek().outboxAdd()).as("one commit for the three").hasSize(3);

        store.completeNext();
        runtime.runDue();
        assertThat(sent()).extracting(Send::clientId).containsExactly(id(1), id(2));

        outbox.acked(new SendAck(id(1), 7, 1));
        assertThat(sent()).extracting(Send::clientId).containsExactly(id(1), id(2), id(3));
    }

    @Test
    @DisplayName("is full at maxOutbox: a further send fails with OutboxFullException and nothing is stored for it")
    void full() {
        send(0);
        send(0);
        send(0);
        CompletableFuture<Long> fourth = send(0);
        assertThat(fourth).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(ClientException.OutboxFullException.class)
                .withMessageContaining("3 unconfirmed sends");
        runtime.runDue();
        assertThat(store.peek().outboxAdd()).extracting(OutboxEntry::counter).containsExactly(1L, 2L, 3L);
    }

    @Test
    @DisplayName("after a restart, resends what the store kept and never reuses a counter")
    void countersAfterRestart() {
        byte[] p = "kept".getBytes();
        store = new ManualClientStore("bob", "phone").withOutbox(List.of(new OutboxEntry(5, "alice", p,
                Checksums.crc32c(p), 1)), 9);
        outbox = outbox(10, 10);
        outbox.pump();
        assertThat(sent()).extracting(Send::clientId).containsExactly(id(5));

        CompletableFuture<Long> reused = send(9);
        assertThat(reused).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(IllegalArgumentException.class).withMessageContaining("use one above 9");
        send(0);
        runtime.runDue();
        assertThat(store.peek().outboxAdd()).extracting(OutboxEntry::counter).containsExactly(10L);
    }

    @Test
    @DisplayName("a send the server refuses fails with SendRefusedException, leaves the store's outbox and is not resent")
    void refused() {
        CompletableFuture<Long> f = send(0);
        runtime.runDue();
        store.completeNext();
        runtime.runDue();

        outbox.refused(new ErrorFrame(ErrorFrame.Code.SEND_REFUSED, "payload does not match its checksum", id(1)));
        assertThat(f).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(ClientException.SendRefusedException.class);
        assertThat(store.peek().outboxRemove()).containsExactly(1L);
        outbox.connectionLost();
        outbox.pump();
        assertThat(sent()).hasSize(1);
        assertThat(outbox.size()).isZero();
    }

    @Test
    @DisplayName("sends again after a reconnect and when the server is late, and takes one answer per send")
    void resends() {
        CompletableFuture<Long> f = send(0);
        runtime.runDue();
        store.completeNext();
        runtime.runDue();
        outbox.connectionLost();
        outbox.pump();
        runtime.advance(11_000_000_000L);
        outbox.resendOverdue();
        assertThat(sent()).extracting(Send::clientId).containsExactly(id(1), id(1), id(1));

        outbox.acked(new SendAck(id(1), 4, 1));
        outbox.acked(new SendAck(id(1), 4, 1));
        assertThat(f).isCompletedWithValue(4L);
        assertThat(confirmations).hasSize(1);
        assertThat(store.waiting()).as("one removal commit").isEqualTo(1);
    }

    @Test
    @DisplayName("removals run one commit at a time: answers arriving meanwhile go into the next")
    void removalsBatch() {
        send(0);
        send(0);
        send(0);
        runtime.runDue();
        store.completeNext();
        runtime.runDue();
        outbox.acked(new SendAck(id(1), 1, 1));
        outbox.acked(new SendAck(id(2), 2, 1));
        outbox.acked(new SendAck(id(3), 3, 1));
        assertThat(store.waiting()).isEqualTo(1);
        assertThat(store.peek().outboxRemove()).containsExactly(1L);
        store.completeNext();
        runtime.runDue();
        assertThat(store.peek().outboxRemove()).containsExactly(2L, 3L);
    }

    @Test
    @DisplayName("a store that throws on the enqueue commit fails those sends and takes new ones")
    void storeThrows() {
        store.throwOnCommit = new IllegalStateException("disk on fire");
        CompletableFuture<Long> f = send(0);
        runtime.runDue();
        assertThat(f).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .withMessageContaining("disk on fire");
        assertThat(outbox.size()).isZero();

        send(0);
        runtime.runDue();
        assertThat(store.waiting()).isEqualTo(1);
    }

    @Test
    @DisplayName("sends nothing while no session is up, and everything once one is")
    void waitsForSession() {
        up = false;
        send(0);
        runtime.runDue();
        store.completeNext();
        runtime.runDue();
        assertThat(sent()).isEmpty();
        up = true;
        outbox.pump();
        assertThat(sent()).hasSize(1);
    }
}
