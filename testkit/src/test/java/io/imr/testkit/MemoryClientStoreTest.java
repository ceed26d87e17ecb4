package io.imr.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientState;
import io.imr.api.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The in-memory device store")
class MemoryClientStoreTest {

    final VirtualScheduler scheduler = new VirtualScheduler(3);
    final Recorder recorder = new Recorder(3, scheduler);
    final Checks checks = new Checks(recorder, scheduler);
    final ClientDisk disk = new ClientDisk("bob", "phone", "ob");

    /** A message as its sender sent it (the checkers compare stored payloads with what was sent). */
    Message message(long seq) {
        byte[] payload = ("m" + seq).getBytes(StandardCharsets.UTF_8);
        Message m = Message.of("alice", "x-" + seq, "bob", seq, 1, 0, payload, Checksums.crc32c(payload));
        checks.sent.put(m.id(), payload);
        return m;
    }

    MemoryClientStore open(Life life, double failRate) {
        return new MemoryClientStore(disk, scheduler, life, () -> failRate, checks);
    }

    @Test
    @DisplayName("refuses a commit past a hole and stores nothing of it")
    void hole() {
        MemoryClientStore store = open(new Life("bob/phone#1"), 0);
        CompletableFuture<ClientState> stage = store.commit(ClientCommit.messages("g1-sim", List.of(message(2)))).toCompletableFuture();
        scheduler.runUntil(1_000_000_000);
        assertThat(stage).isCompletedExceptionally();
        assertThat(stage.handle((s, e) -> e).join()).isInstanceOf(StoreException.RejectedException.class);
        assertThat(store.state().cursor()).isZero();
        assertThat(recorder.violation().guarantee()).isEqualTo("G3");
    }

    @Test
    @DisplayName("a failed write (disk full) stores nothing, and the store takes the next commit")
    void diskFull() {
        MemoryClientStore failing = open(new Life("bob/phone#1"), 1.0);
        CompletableFuture<ClientState> stage = failing.commit(ClientCommit.messages("g1-sim", List.of(message(1)))).toCompletableFuture();
        scheduler.runUntil(1_000_000_000);
        assertThat(stage).isCompletedExceptionally();
        assertThat(disk.cursor).isZero();
        MemoryClientStore healthy = open(new Life("bob/phone#2"), 0);
        CompletableFuture<ClientState> next = healthy.commit(ClientCommit.messages("g1-sim", List.of(message(1)))).toCompletableFuture();
        scheduler.runUntil(2_000_000_000);
        assertThat(next.join().cursor()).isEqualTo(1);
        assertThat(recorder.broken()).isFalse();
    }

    @Test
    @DisplayName("a crash keeps the commits that were applied and loses those still queued")
    void crash() {
        Life life = new Life("bob/phone#1");
        MemoryClientStore store = open(life, 0);
        store.commit(ClientCommit.messages("g1-sim", List.of(message(1))));
        scheduler.runUntil(10_000_000);
        store.commit(ClientCommit.messages("g1-sim", List.of(message(2))));
        life.kill();
        scheduler.runUntil(1_000_000_000);
        assertThat(open(new Life("bob/phone#2"), 0).state().cursor()).isEqualTo(1);
        assertThat(disk.contiguous()).isTrue();
    }
}
