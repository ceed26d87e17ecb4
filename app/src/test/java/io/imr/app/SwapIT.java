package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A server swapped to another strategy under load, with real processes: {@code imr server
 * --strategy X}, {@code imr receive} (bob) and {@code imr send} (alice to bob, with a manifest);
 * at the first message the sender sees confirmed the receiver and the server are killed with SIGKILL,
 * the server is restarted with {@code --strategy Y} on the same data folder and address, then the
 * receiver: what it had not stored by then reaches it through the new strategy. The per-device state (seqs, dedup,
 * cursors, watermarks) is the engine's, the same for every strategy, so in the end every message
 * of the manifest is stored once, in order, at the receiver: none lost, none twice.
 * {@code -Dimr.swap.messages=N} makes longer runs (default 5,000 per pair).
 */
@DisplayName("Strategy swapped by a server restart")
class SwapIT {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"ack,seqid", "ack,hybrid", "seqid,ack", "seqid,hybrid", "hybrid,ack", "hybrid,seqid"})
    @Timeout(300)
    @DisplayName("server killed and restarted with another strategy: every confirmed message stored once, in order")
    void swap(String from, String to) throws Exception {
        int n = Integer.getInteger("imr.swap.messages", 5_000);
        try (Delivery run = new Delivery(dir, n, "--strategy", from)) {
            run.receiver.awaitStderr("imr: connected", Delivery.T);
            run.sender.awaitStderr("imr: connected", Delivery.T);
            // The sender hands all its messages over at once and the server commits them in large batches: at
            // the first confirmation the receiver is stopped at once, so it holds at most what the first server
            // pushed (a window), and the rest must come through the second strategy.
            run.awaitSent(1);
            assertThat(run.receiver.process.isAlive()).as("the receiver still runs at the swap; " + run.log).isTrue();
            run.stopReceiver();
            assertThat(run.serverCounter("imr_messages_committed_total", from))
                    .as("messages the " + from + " server committed").isPositive();
            run.killServer("--strategy", to);
            run.startReceiver();

            run.verify();
            assertThat(run.serverCounter("imr_bytes_payload_total", to))
                    .as("payload bytes the " + to + " server carried after the swap; " + run.log).isPositive();
            assertThat(run.server.stop()).isZero();
        }
    }
}
