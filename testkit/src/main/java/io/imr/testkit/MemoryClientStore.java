package io.imr.testkit;

import io.imr.api.Message;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientState;
import io.imr.api.store.ClientStore;
import io.imr.api.store.OutboxEntry;
import io.imr.api.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.DoubleSupplier;

/**
 * A device's store for one incarnation of the device, over the {@link ClientDisk} that survives it.
 *
 * <p>One writer: commits are applied one after another, each after a virtual commit latency, as
 * tasks of the device's {@link Life}. A crash therefore loses every commit still queued, and only
 * those; a commit applied just before the crash is durable even though nobody heard of it (the crash
 * between commit and confirmation). Stages complete in the applying task; what the engine does with
 * that runs in a later task, so a crash can fall in between.
 *
 * <p>Failure rules, as the SPI states them: a commit breaking a rule fails with
 * {@link StoreException.RejectedException} and stores nothing; an injected write failure (a full
 * disk) fails with {@link StoreException} and stores nothing, and the store stays usable; after
 * {@link #close()} commits fail with {@link StoreException.ClosedException}.
 */
final class MemoryClientStore implements ClientStore {

    private final ClientDisk disk;
    private final VirtualScheduler scheduler;
    private final Life life;
    private final DoubleSupplier failRate;
    private final Checks checks;
    private long writerFreeAt;
    private boolean closed;

    MemoryClientStore(ClientDisk disk, VirtualScheduler scheduler, Life life, DoubleSupplier failRate, Checks checks) {
        this.disk = disk;
        this.scheduler = scheduler;
        this.life = life;
        this.failRate = failRate;
        this.checks = checks;
        disk.incarnation++; // an opening of the store, durable at once
    }

    @Override
    public ClientState state() {
        requireOpen();
        return disk.state();
    }

    @Override
    public CompletionStage<ClientState> commit(ClientCommit commit) {
        CompletableFuture<ClientState> stage = new CompletableFuture<>();
        if (closed) {
            stage.completeExceptionally(new StoreException.ClosedException("the store of " + disk.name() + " is closed"));
            return stage;
        }
        long at = Math.max(writerFreeAt, scheduler.now()) + scheduler.between(200_000, 3_000_000);
        writerFreeAt = at;
        scheduler.schedule(at - scheduler.now(), life, () -> apply(commit, stage));
        return stage;
    }

    private void apply(ClientCommit commit, CompletableFuture<ClientState> stage) {
        String broken = disk.check(commit);
        if (broken != null) {
            checks.clientRejected(disk, commit, broken);
            stage.completeExceptionally(new StoreException.RejectedException("commit to " + disk.name()
                    + " rejected, nothing of it was stored: " + broken));
            return;
        }
        if (scheduler.chance(failRate.getAsDouble())) {
            checks.event(disk.name(), "commit FAILED (injected disk full): " + summary(commit));
            stage.completeExceptionally(new StoreException("disk full (injected): nothing of this commit was stored"));
            return;
        }
        long heldBefore = disk.messages.size();
        List<Message> stored = disk.apply(commit);
        checks.clientCommitted(disk, commit, stored, heldBefore);
        stage.complete(disk.state());
    }

    static String summary(ClientCommit c) {
        StringBuilder sb = new StringBuilder();
        if (!c.messages().isEmpty()) {
            sb.append("messages ").append(c.messages().get(0).seq()).append("..")
                    .append(c.messages().get(c.messages().size() - 1).seq()).append(" of ").append(c.serverStore())
                    .append(' ');
        }
        if (c.rebase() != null) {
            sb.append("server position ").append(c.rebase().cursor()).append(" of ").append(c.rebase().serverStore())
                    .append(' ');
        }
        if (c.handedOver() != -1) {
            sb.append("handed-over ").append(c.handedOver()).append(' ');
        }
        if (!c.outboxAdd().isEmpty()) {
            sb.append("outbox+").append(c.outboxAdd().size()).append(' ');
        }
        if (!c.outboxRemove().isEmpty()) {
            sb.append("outbox-").append(c.outboxRemove()).append(' ');
        }
        return sb.toString().trim();
    }

    @Override
    public List<Message> read(long fromSeq, int limit) {
        requireOpen();
        List<Message> out = new ArrayList<>(Math.min(limit, 256));
        for (Message m : disk.messages.tailMap(fromSeq, true).values()) {
            if (out.size() >= limit) {
                break;
            }
            out.add(m);
        }
        return out;
    }

    @Override
    public List<OutboxEntry> outbox() {
        requireOpen();
        return new ArrayList<>(disk.outbox.values());
    }

    @Override
    public void close() {
        closed = true;
    }

    private void requireOpen() {
        if (closed) {
            throw new StoreException.ClosedException("the store of " + disk.name() + " is closed");
        }
    }
}
