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

    /** The client ids of every item of every Send on the wire, in order. */
    private List<String> sentIds() {
        List<String> ids = new ArrayList<>();
        for (Send send : sent()) {
            for (int i = 0; i < send.items().size(); i++) {
                ids.add(send.clientId(i));
            }
        }
        return ids;
    }

    private static final String OUTBOX = "0123456789abcdef";

    private static String id(long counter) {
        return OUTBOX + "-" + counter;
    }

    private static SendAck ack(long counter, long seq) {
        return SendAck.of(OUTBOX, counter, seq, 1);
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
        assertThat(sentIds()).containsExactly(id(1), id(2));
        assertThat(sent()).as("the window's worth in one frame").hasSize(1);

        outbox.acked(ack(1, 7));
        assertThat(sentIds()).containsExactly(id(1), id(2), id(3));
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
        assertThat(sentIds()).containsExactly(id(5));

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
    @DisplayName("a send the server limits (RATE_LIMITED) stays in the outbox, nothing is sent until the retry delay"
            + " passed, then it goes again with its client id; it never fails")
    void limited() {
        CompletableFuture<Long> first = send(0);
        CompletableFuture<Long> second = send(0);
        runtime.runDue();
        store.completeNext();
        runtime.runDue();
        assertThat(sentIds()).containsExactly(id(1), id(2));
        outbox.acked(new SendAck(OUTBOX, List.of(new SendAck.Run(1, 1, 1, 1))));
        outbox.limited(new ErrorFrame(ErrorFrame.Code.RATE_LIMITED, "too fast", id(2), 500));
        assertThat(second).isNotDone();
        assertThat(outbox.size()).isEqualTo(1);
        send(0);
        runtime.runDue();
        while (store.waiting() > 0) { // the removal of send 1, the enqueue of send 3
            store.completeNext();
            runtime.runDue();
        }
        outbox.pump();
        outbox.resendOverdue();
        assertThat(sentIds()).as("nothing while backing off").containsExactly(id(1), id(2));
        runtime.advance(499_000_000L);
        assertThat(sentIds()).hasSize(2);
        runtime.advance(1_000_000L);
        assertThat(sentIds()).as("after 500 ms: the limited one first, then the next")
                .containsExactly(id(1), id(2), id(2), id(3));
        outbox.acked(new SendAck(OUTBOX, List.of(new SendAck.Run(2, 2, 2, 1))));
        assertThat(second).isCompletedWithValue(2L);
        assertThat(first).isCompletedWithValue(1L);
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
        assertThat(sentIds()).containsExactly(id(1), id(1), id(1));

        outbox.acked(ack(1, 4));
        outbox.acked(ack(1, 4));
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
        outbox.acked(ack(1, 1));
        outbox.acked(ack(2, 2));
        outbox.acked(ack(3, 3));
        assertThat(store.waiting()).isEqualTo(1);
        assertThat(store.peek().outboxRemove()).containsExactly(1L);
        store.completeNext();
        runtime.runDue();
        assertThat(store.peek().outboxRemove()).containsExactly(2L, 3L);
    }

    @Test
    @DisplayName("a removal commit that failed is retried after a pause, with what was answered meanwhile, without a restart")
    void failedRemovalRetried() {
        send(0);
        send(0);
        runtime.runDue();
        store.completeNext();
        runtime.runDue();
        outbox.acked(ack(1, 1));
        assertThat(store.peek().outboxRemove()).containsExactly(1L);
        store.failNext("no space left on device");
        runtime.runDue();
        outbox.acked(ack(2, 2));
        assertThat(store.waiting()).as("no retry at once: a full disk would make it spin").isZero();

        runtime.advance(Outbox.REMOVAL_RETRY_NANOS);
        assertThat(store.waiting()).isEqualTo(1);
        assertThat(store.peek().outboxRemove()).as("the failed batch again, with the answer that came meanwhile")
                .containsExactly(1L, 2L);
        store.completeNext();
        runtime.runDue();
        assertThat(store.outbox()).as("the store's outbox is empty without a restart").isEmpty();
        assertThat(store.state().outboxSize()).isZero();
        assertThat(store.waiting()).isZero();
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
    @DisplayName("a failed enqueue commit fails what was enqueued after it too and frees their counters: no gap, and"
            + " the same counters can be sent again once the store writes")
    void failedEnqueueLeavesNoGap() {
        send(0);
        runtime.runDue();
        store.completeNext();
        runtime.runDue();
        CompletableFuture<Long> second = send(0);
        runtime.runDue();
        assertThat(store.peek().outboxAdd()).extracting(OutboxEntry::counter).containsExactly(2L);
        CompletableFuture<Long> third = send(0);
        runtime.runDue();
        assertThat(store.waiting()).as("one enqueue commit at a time: the third waits for the second's").isEqualTo(1);

        store.failNext("no space left on device");
        runtime.runDue();
        assertThat(second).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .withMessageContaining("no space left");
        assertThat(third).as("enqueued after a send that could not be stored: failed too, never stored before it")
                .failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .withMessageContaining("no space left");
        assertThat(store.waiting()).isZero();
        assertThat(outbox.size()).isEqualTo(1);

        CompletableFuture<Long> again = send(2);
        runtime.runDue();
        assertThat(again).as("counter 2 was never stored: it is free again").isNotCompletedExceptionally();
        assertThat(store.peek().outboxAdd()).extracting(OutboxEntry::counter).containsExactly(2L);
        store.completeNext();
        runtime.runDue();
        assertThat(send(0)).isNotCompletedExceptionally();
        runtime.runDue();
        assertThat(store.peek().outboxAdd()).extracting(OutboxEntry::counter).as("numbered on without a gap")
                .containsExactly(3L);
    }

    @Test
    @DisplayName("after a failed enqueue, a send numbered past the freed counters is refused until one is stored again:"
            + " sends already on their way to the engine when the failure lands cannot leave a gap")
    void noGapFromSendsInFlight() {
        send(1);
        runtime.runDue();
        assertThat(store.peek().outboxAdd()).extracting(OutboxEntry::counter).containsExactly(1L);
        store.failNext("no space left on device");
        runtime.runDue();
        // 2 and 3 were handed over by the application before it heard of the failure of 1.
        CompletableFuture<Long> two = send(2);
        CompletableFuture<Long> three = send(3);
        runtime.runDue();
        assertThat(two).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .withMessageContaining("counter 1");
        assertThat(three).isCompletedExceptionally();
        assertThat(store.waiting()).as("nothing stored above the freed counter").isZero();

        assertThat(send(1)).isNotCompletedExceptionally();
        runtime.runDue();
        store.completeNext();
        runtime.runDue();
        assertThat(send(3)).as("once a send is stored again, counters may skip again").isNotCompletedExceptionally();
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

    @Test
    @DisplayName("answers each send of a run with its own seq, ignores counters it does not hold and other outboxes' runs")
    void runs() {
        outbox = outbox(10, 10);
        List<CompletableFuture<Long>> fs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fs.add(send(0));
        }
        runtime.runDue();
        store.completeNext();
        runtime.runDue();
        assertThat(sent()).as("five sends in one frame").hasSize(1);
        assertThat(sent().get(0).items()).extracting(Send.Item::counter).containsExactly(1L, 2L, 3L, 4L, 5L);

        outbox.acked(new SendAck("otherOutbox", List.of(new SendAck.Run(1, 5, 100, 1))));
        assertThat(confirmations).isEmpty();

        outbox.acked(new SendAck(OUTBOX, List.of(new SendAck.Run(2, 2, 20, 3), new SendAck.Run(5, 1_000_000, 40, 3))));
        assertThat(fs.get(1)).isCompletedWithValue(20L);
        assertThat(fs.get(2)).isCompletedWithValue(21L);
        assertThat(fs.get(4)).isCompletedWithValue(40L);
        assertThat(fs.get(0)).isNotDone();
        assertThat(confirmations).extracting(SendConfirmation::clientId).containsExactly(id(2), id(3), id(5));
        assertThat(confirmations).extracting(SendConfirmation::epoch).containsOnly(3L);
        assertThat(outbox.size()).isEqualTo(2);

        outbox.acked(new SendAck(OUTBOX, List.of(new SendAck.Run(1, 4, 9, 3))));
        assertThat(fs.get(0)).isCompletedWithValue(9L);
        assertThat(fs.get(3)).as("counter 4 of the second answer").isCompletedWithValue(12L);
        assertThat(confirmations).hasSize(5);
    }

    @Test
    @DisplayName("keeps a frame's payloads to about 1 MiB: larger batches go in several frames, a larger send alone")
    void framesStayBounded() {
        outbox = outbox(10, 10);
        for (int size : new int[] {600_000, 600_000, 100, 100, 1_000_000}) {
            CompletableFuture<Long> f = new CompletableFuture<>();
            outbox.enqueue(0, "alice", new byte[size], f);
        }
        runtime.runDue();
        store.completeNext();
        runtime.runDue();

        assertThat(sent()).extracting(s -> s.items().size()).containsExactly(1, 3, 1);
        assertThat(sentIds()).containsExactly(id(1), id(2), id(3), id(4), id(5));
    }

    @Test
    @DisplayName("resends everything overdue in one frame")
    void resendsInBatches() {
        outbox = outbox(10, 10);
        send(0);
        send(0);
        send(0);
        runtime.runDue();
        store.completeNext();
        runtime.runDue();
        outbox.acked(ack(2, 8));
        runtime.advance(11_000_000_000L);
        outbox.resendOverdue();

        assertThat(sent()).hasSize(2);
        assertThat(sent().get(1).items()).extracting(Send.Item::counter).containsExactly(1L, 3L);
    }
}
