package io.imr.testkit;

import io.imr.api.Message;
import io.imr.api.store.Accepted;
import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.ServerStore;
import io.imr.api.store.StoreException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * The server's store for one incarnation of the server, over the {@link ServerDisk} that survives
 * it. One writer with a virtual commit latency, commits applied as tasks of the server's
 * {@link Life} (a crash loses those still queued), injected write failures that store nothing and
 * leave the store usable, as {@link MemoryClientStore} does for devices.
 */
final class MemoryServerStore implements ServerStore {

    private final ServerDisk disk;
    private final VirtualScheduler scheduler;
    private final Life life;
    private final DoubleSupplier failRate;
    private final Checks checks;
    private final String generation;
    private long writerFreeAt;
    private boolean closed;

    MemoryServerStore(ServerDisk disk, VirtualScheduler scheduler, Life life, DoubleSupplier failRate, Checks checks) {
        this.disk = disk;
        this.scheduler = scheduler;
        this.life = life;
        this.failRate = failRate;
        this.checks = checks;
        // Opening records a generation at once, as the MapDB store does before it is handed out.
        this.generation = disk.open();
    }

    @Override
    public CompletionStage<List<Accepted>> commit(ServerCommit commit) {
        return queue(() -> {
            if (scheduler.chance(failRate.getAsDouble())) {
                checks.event("server", "commit FAILED (injected disk full): " + commit.submissions().size()
                        + " sends, " + commit.devices().size() + " device states");
                throw new StoreException("disk full (injected): nothing of this commit was stored");
            }
            List<Accepted> accepted = disk.apply(commit);
            checks.serverCommitted(accepted);
            checks.serverStoredTwice(disk.storedTwice);
            return accepted;
        });
    }

    @Override
    public String generation() {
        return generation;
    }

    @Override
    public boolean vouches(String user, long seq, String id, String generation) {
        requireOpen();
        return disk.vouches(user, seq, id, generation);
    }

    private <T> CompletionStage<T> queue(Supplier<T> work) {
        CompletableFuture<T> stage = new CompletableFuture<>();
        if (closed) {
            stage.completeExceptionally(new StoreException.ClosedException("the server store is closed"));
            return stage;
        }
        long at = Math.max(writerFreeAt, scheduler.now()) + scheduler.between(200_000, 3_000_000);
        writerFreeAt = at;
        scheduler.schedule(at - scheduler.now(), life, () -> {
            T result;
            try {
                result = work.get();
            } catch (StoreException e) {
                stage.completeExceptionally(e);
                return;
            }
            stage.complete(result);
        });
        return stage;
    }

    @Override
    public List<Message> read(String user, long fromSeq, int limit) {
        requireOpen();
        return disk.read(user, fromSeq, limit);
    }

    @Override
    public InboxState inbox(String user) {
        requireOpen();
        return disk.inboxState(user);
    }

    @Override
    public Optional<DeviceState> device(String user, String device) {
        requireOpen();
        return Optional.ofNullable(disk.devices.get(user + "/" + device));
    }

    @Override
    public Optional<Message> findBySender(String sender, String clientId) {
        requireOpen();
        return disk.findBySender(sender, clientId);
    }

    @Override
    public void close() {
        closed = true;
    }

    private void requireOpen() {
        if (closed) {
            throw new StoreException.ClosedException("the server store is closed");
        }
    }
}
