package io.imr.embed;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Message;
import io.imr.api.store.ClientState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every strategy end to end, in one JVM: a real server and real clients over real sockets
 * (TCP and WebSocket, through a proxy that cuts and stalls connections) with real MapDB stores.
 * Clients offer every strategy on the class path; the server runs the one under test.
 */
@DisplayName("End to end over real sockets and MapDB stores")
class EndToEndTest {

    @TempDir
    Path dir;

    static byte[] payload(int i) {
        String text = "message " + i + " " + "x".repeat(i % 200);
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static int number(Message m) {
        String text = new String(m.payload(), StandardCharsets.UTF_8);
        return Integer.parseInt(text.split(" ")[1]);
    }

    /** Checks the store holds exactly messages 1..n of one sender, contiguous, once each. */
    static void assertStoreHoldsExactly(ImrClient receiver, int n) {
        ClientState state = receiver.state();
        assertThat(state.count()).isEqualTo(n);
        assertThat(state.firstSeq()).isEqualTo(1);
        assertThat(state.cursor()).isEqualTo(n);
        List<Message> stored = new ArrayList<>();
        for (long from = 1; from <= n; from += 1000) {
            stored.addAll(receiver.store().read(from, 1000));
        }
        assertThat(stored).hasSize(n);
        Set<String> ids = new HashSet<>();
        Set<Integer> numbers = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Message m = stored.get(i);
            assertThat(m.seq()).isEqualTo(i + 1);
            assertThat(m.payloadIntact()).isTrue();
            assertThat(ids.add(m.id())).as("id %s stored once", m.id()).isTrue();
            numbers.add(number(m));
        }
        assertThat(numbers).hasSize(n);
        assertThat(numbers).allMatch(k -> k >= 1 && k <= n);
    }

    @ParameterizedTest(name = "{1} over {0}")
    @CsvSource({"tcp, ack", "tcp, seqid", "tcp, hybrid", "websocket, ack", "websocket, seqid", "websocket, hybrid"})
    @DisplayName("10,000 messages arrive exactly once and in order while connections are cut and frames dropped")
    @Timeout(180)
    void tenThousandMessagesThroughCuts(String transport, String strategy) throws Exception {
        int n = 10_000;
        try (Cluster cluster = new Cluster(dir, transport.equals("websocket"), Duration.ofSeconds(2), strategy)) {
            Recorder bobSaw = new Recorder(n);
            ImrClient bob = cluster.client("bob", "phone", bobSaw).build();
            ImrClient alice = cluster.client("alice", "laptop", m -> { }).build();
            Cluster.join(bob.start());
            Cluster.join(alice.start());

            if (!cluster.webSocket) {
                // Whole frames lost on a live connection: retransmits must cover them. Protocol 3 batches, so
                // the messages go in waves (below) to make a few hundred frames, 5% of which are dropped.
                cluster.proxy.dropRate(0.05);
            }
            ScheduledExecutorService chaos = Executors.newSingleThreadScheduledExecutor();
            Random random = new Random(42);
            Runnable[] cut = new Runnable[1];
            cut[0] = () -> {
                cluster.proxy.cutAll();
                chaos.schedule(cut[0], 100 + random.nextInt(400), TimeUnit.MILLISECONDS);
            };
            chaos.schedule(cut[0], 200, TimeUnit.MILLISECONDS);

            // In waves of 100, each confirmed before the next: at least one Send and one SendAck per wave
            // whatever the batching, and connections cut at three waves besides the timer's cuts (a fast
            // machine confirms all 10,000 before the timer's first cut).
            List<CompletableFuture<Long>> sends = new ArrayList<>();
            int wave = 100;
            for (int from = 1; from <= n; from += wave) {
                List<CompletableFuture<Long>> thisWave = new ArrayList<>();
                for (int i = from; i < from + wave && i <= n; i++) {
                    thisWave.add(alice.send("bob", payload(i)).toCompletableFuture());
                }
                sends.addAll(thisWave);
                if (from / wave % 30 == 10) {
                    cluster.proxy.cutAll();
                }
                CompletableFuture.allOf(thisWave.toArray(new CompletableFuture[0])).get(150, TimeUnit.SECONDS);
            }
            assertThat(bobSaw.await(150)).as("bob's listener saw all messages").isTrue();
            chaos.shutdownNow();

            Set<Long> seqs = new HashSet<>();
            for (CompletableFuture<Long> f : sends) {
                seqs.add(f.join());
            }
            assertThat(seqs).as("every send got its own seq").hasSize(n);
            assertThat(cluster.proxy.cuts()).as("connections were cut").isPositive();
            if (!cluster.webSocket) {
                assertThat(cluster.proxy.framesDropped()).as("frames were dropped").isPositive();
            }

            List<Message> seen = bobSaw.seen();
            assertThat(seen).hasSize(n);
            for (int i = 0; i < n; i++) {
                assertThat(seen.get(i).seq()).as("listener order").isEqualTo(i + 1);
            }
            assertThat(bobSaw.wrongThread()).as("listener ran on the client's own thread").isNull();
            assertStoreHoldsExactly(bob, n);
            Cluster.join(alice.close());
            Cluster.join(bob.close());
        }
    }

    @Test
    @DisplayName("a receiver closed and reopened on the same store in the middle loses nothing")
    @Timeout(120)
    void receiverReopenedLosesNothing() throws Exception {
        int n = 3000;
        try (Cluster cluster = new Cluster(dir, false, Duration.ofSeconds(2))) {
            Recorder first = new Recorder(500);
            ImrClient bob = cluster.client("bob", "phone", first).build();
            ImrClient alice = cluster.client("alice", "laptop", m -> { }).build();
            Cluster.join(bob.start());
            Cluster.join(alice.start());
            List<CompletableFuture<Long>> sends = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                sends.add(alice.send("bob", payload(i)).toCompletableFuture());
            }
            assertThat(first.await(60)).isTrue();
            Cluster.join(bob.close());
            long cursorAtClose = first.seen().size();

            Recorder second = new Recorder(1);
            ImrClient bobAgain = cluster.client("bob", "phone", second).build();
            Cluster.join(bobAgain.start());
            CompletableFuture.allOf(sends.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            assertThat(Await.until(Duration.ofSeconds(60), () -> bobAgain.state().count() >= n)).isTrue();
            assertStoreHoldsExactly(bobAgain, n);
            Set<String> handed = new HashSet<>();
            first.seen().forEach(m -> handed.add(m.id()));
            List<Message> again = second.seen();
            for (int i = 1; i < again.size(); i++) {
                assertThat(again.get(i).seq()).isEqualTo(again.get(i - 1).seq() + 1);
            }
            again.forEach(m -> handed.add(m.id()));
            assertThat(handed).as("every message handed to a listener at least once").hasSize(n);
            assertThat(cursorAtClose).isGreaterThanOrEqualTo(500);
            Cluster.join(alice.close());
            Cluster.join(bobAgain.close());
        }
    }

    @Test
    @DisplayName("a sender restarted on the same outbox sends nothing twice")
    @Timeout(120)
    void senderRestartedSendsNothingTwice() throws Exception {
        int n = 2000;
        try (Cluster cluster = new Cluster(dir, false, Duration.ofSeconds(2))) {
            ImrClient bob = cluster.client("bob", "phone", m -> { }).build();
            Cluster.join(bob.start());
            ImrClient alice = cluster.client("alice", "laptop", m -> { }).build();
            Cluster.join(alice.start());
            List<CompletableFuture<Long>> firstRun = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                firstRun.add(alice.send(i, "bob", payload(i)).toCompletableFuture());
            }
            // Stop the sender while sends are in flight: some confirmed, some only in the outbox.
            firstRun.get(n / 4).get(60, TimeUnit.SECONDS);
            cluster.proxy.cutAll();
            Cluster.join(alice.close());

            ImrClient aliceAgain = cluster.client("alice", "laptop", m -> { }).build();
            Cluster.join(aliceAgain.start());
            long last = aliceAgain.state().lastCounter();
            assertThat(last).isEqualTo(n);
            // Nothing to add: everything was put into the outbox before the stop; the outbox resends itself.
            assertThat(Await.until(Duration.ofSeconds(60), () -> bob.state().count() >= n)).isTrue();
            assertThat(Await.until(Duration.ofSeconds(30), () -> aliceAgain.state().outboxSize() == 0))
                    .as("every send confirmed and removed from the outbox").isTrue();
            assertStoreHoldsExactly(bob, n);
            Cluster.join(aliceAgain.close());
            Cluster.join(bob.close());
        }
    }

    @Test
    @DisplayName("half-open connections are noticed by heartbeats on both sides and replaced")
    @Timeout(60)
    void halfOpenConnectionsAreDetected() throws Exception {
        try (Cluster cluster = new Cluster(dir, false, Duration.ofMillis(300))) {
            Recorder bobSaw = new Recorder(200);
            ImrClient bob = cluster.client("bob", "phone", bobSaw).build();
            ImrClient alice = cluster.client("alice", "laptop", m -> { }).build();
            Cluster.join(bob.start());
            Cluster.join(alice.start());
            for (int i = 1; i <= 100; i++) {
                Cluster.join(alice.send("bob", payload(i)));
            }
            long connectionsBefore = cluster.proxy.accepted();
            cluster.proxy.stall(true);
            List<CompletableFuture<Long>> sends = new ArrayList<>();
            for (int i = 101; i <= 200; i++) {
                sends.add(alice.send("bob", payload(i)).toCompletableFuture());
            }
            CompletableFuture.allOf(sends.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
            assertThat(bobSaw.await(30)).isTrue();
            assertThat(cluster.proxy.accepted()).as("both clients reconnected").isGreaterThanOrEqualTo(connectionsBefore + 2);
            assertStoreHoldsExactly(bob, 200);
            Cluster.join(alice.close());
            Cluster.join(bob.close());
        }
    }

    @Test
    @DisplayName("two devices of one user each store every message, each with its own cursor and watermark")
    @Timeout(120)
    void twoDevicesOfOneUser() throws Exception {
        int n = 2000;
        try (Cluster cluster = new Cluster(dir, false, Duration.ofSeconds(2))) {
            Recorder phoneSaw = new Recorder(n);
            Recorder desktopSaw = new Recorder(n);
            ImrClient phone = cluster.client("bob", "phone", phoneSaw).build();
            ImrClient desktop = cluster.client("bob", "desktop", desktopSaw).build();
            ImrClient alice = cluster.client("alice", "laptop", m -> { }).build();
            Cluster.join(phone.start());
            Cluster.join(alice.start());
            List<CompletableFuture<Long>> sends = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                sends.add(alice.send("bob", payload(i)).toCompletableFuture());
                if (i == n / 2) {
                    Cluster.join(desktop.start()); // the second device comes online half-way: it catches up
                }
            }
            CompletableFuture.allOf(sends.toArray(new CompletableFuture[0])).get(90, TimeUnit.SECONDS);
            assertThat(phoneSaw.await(90)).isTrue();
            assertThat(desktopSaw.await(90)).isTrue();
            assertStoreHoldsExactly(phone, n);
            assertStoreHoldsExactly(desktop, n);
            // Each device's cumulative confirmation reaches the server and is persisted as its own watermark.
            for (String device : List.of("phone", "desktop")) {
                assertThat(Await.until(Duration.ofSeconds(30), () -> cluster.server.store().device("bob", device)
                        .map(d -> d.confirmed() == n).orElse(false)))
                        .as("bob/%s's watermark persisted at %d: %s", device, n,
                                cluster.server.store().device("bob", device)).isTrue();
            }
            Cluster.join(phone.close());
            Cluster.join(desktop.close());
            Cluster.join(alice.close());
        }
    }
}
