package io.imr.testkit;

import io.imr.api.Checksums;
import io.imr.api.ClientIds;
import io.imr.api.Message;
import io.imr.api.store.Accepted;
import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.ServerStore;
import io.imr.api.store.StoreException;
import io.imr.api.store.Submission;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * The server's store for one incarnation of the server, over the {@link ServerDisk} that survives
 * it. One writer with a virtual commit latency, commits applied as tasks of the server's
 * {@link Life} (a crash loses those still queued), injected write failures that store nothing and
 * leave the store usable, as {@link MemoryClientStore} does for devices.
 *
 * <p>It rejects what the MapDB store rejects, with {@link StoreException.RejectedException} and
 * storing nothing of the commit: a client id that is not {@code <outbox id>-<counter>}
 * ({@link ClientIds}), a payload above {@link Message#MAX_PAYLOAD} or one that does not match its
 * checksum. Its dedup is a map by (sender, client id), which keeps the same rule as the MapDB
 * store's counter runs.
 *
 * <p>Made with {@link #direct}, it runs without a simulation, for {@link ServerStoreCompatibilityKit}:
 * each commit is applied at once on the caller's thread, under a lock (one writer).
 */
final class MemoryServerStore implements ServerStore {

    private final ServerDisk disk;
    private final VirtualScheduler scheduler;
    private final Life life;
    private final DoubleSupplier failRate;
    private final Checks checks;
    /** Direct mode only: whether the next write fails (a full disk). */
    private final BooleanSupplier failWrite;
    private final String generation;
    private long writerFreeAt;
    private volatile boolean closed;

    MemoryServerStore(ServerDisk disk, VirtualScheduler scheduler, Life life, DoubleSupplier failRate, Checks checks) {
        this.disk = disk;
        this.scheduler = scheduler;
        this.life = life;
        this.failRate = failRate;
        this.checks = checks;
        this.failWrite = null;
        // Opening records a generation at once, as the MapDB store does before it is handed out.
        this.generation = disk.open();
    }

    private MemoryServerStore(ServerDisk disk, BooleanSupplier failWrite) {
        this.disk = disk;
        this.scheduler = null;
        this.life = null;
        this.failRate = null;
        this.checks = null;
        this.failWrite = failWrite;
        synchronized (disk) {
            this.generation = disk.open();
        }
    }

    /**
     * A store over a disk without a simulation: commits are applied at once, on the caller's thread;
     * a commit for which {@code failWrite} says true fails as a full disk would, storing nothing.
     */
    static MemoryServerStore direct(ServerDisk disk, BooleanSupplier failWrite) {
        return new MemoryServerStore(disk, failWrite);
    }

    /** Why a commit breaks a rule of the store, or null. */
    static String rejection(ServerCommit commit) {
        for (Submission s : commit.submissions()) {
            if (!ClientIds.isClientId(s.clientId())) {
                return "submission " + s.sender() + "/" + s.clientId() + " has a client id that is not"
                        + " <outbox id>-<counter>";
            }
            if (s.payload().length > Message.MAX_PAYLOAD) {
                return "submission " + s.sender() + "/" + s.clientId() + " has a payload of " + s.payload().length
                        + " bytes, at most " + Message.MAX_PAYLOAD + " are allowed";
            }
            if (Checksums.crc32c(s.payload()) != s.payloadChecksum()) {
                return "submission " + s.sender() + "/" + s.clientId() + " has a payload that does not match its"
                        + " checksum";
            }
        }
        return null;
    }

    @Override
    public CompletionStage<List<Accepted>> commit(ServerCommit commit) {
        String broken = rejection(commit);
        if (broken != null) {
            return CompletableFuture.failedStage(new StoreException.RejectedException(
                    "commit to the server store rejected, nothing of it was stored: " + broken));
        }
        if (scheduler == null) {
            synchronized (disk) {
                if (closed) {
                    return CompletableFuture.failedStage(new StoreException.ClosedException("the server store is closed"));
                }
                if (failWrite.getAsBoolean()) {
                    return CompletableFuture.failedStage(
                            new StoreException("disk full (injected): nothing of this commit was stored"));
                }
                return CompletableFuture.completedStage(disk.apply(commit));
            }
        }
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
        synchronized (disk) {
            requireOpen();
            return disk.vouches(user, seq, id, generation);
        }
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
        synchronized (disk) {
            requireOpen();
            return disk.read(user, fromSeq, limit);
        }
    }

    @Override
    public InboxState inbox(String user) {
        synchronized (disk) {
            requireOpen();
            return disk.inboxState(user);
        }
    }

    @Override
    public Optional<DeviceState> device(String user, String device) {
        synchronized (disk) {
            requireOpen();
            return Optional.ofNullable(disk.devices.get(user + "/" + device));
        }
    }

    @Override
    public List<DeviceState> devices(String user) {
        io.imr.api.Names.principal("user", user);
        synchronized (disk) {
            requireOpen();
            return disk.devices(user);
        }
    }

    @Override
    public List<String> users(String after, int limit) {
        synchronized (disk) {
            requireOpen();
            return disk.users(after, limit);
        }
    }

    @Override
    public long firstSeqSince(String user, long millis) {
        synchronized (disk) {
            requireOpen();
            return disk.firstSeqSince(user, millis);
        }
    }

    @Override
    public CompletionStage<InboxState> trim(String user, long below) {
        io.imr.api.Names.principal("user", user);
        if (below < 1) {
            throw new IllegalArgumentException("trim below a seq of 1 or more, got " + below);
        }
        if (scheduler == null) {
            synchronized (disk) {
                if (closed) {
                    return CompletableFuture.failedStage(new StoreException.ClosedException("the server store is closed"));
                }
                if (failWrite.getAsBoolean()) {
                    return CompletableFuture.failedStage(
                            new StoreException("disk full (injected): nothing was trimmed"));
                }
                return CompletableFuture.completedStage(disk.trim(user, below));
            }
        }
        return queue(() -> {
            if (scheduler.chance(failRate.getAsDouble())) {
                checks.event("server", "trim FAILED (injected disk full): " + user + " below " + below);
                throw new StoreException("disk full (injected): nothing was trimmed");
            }
            InboxState after = disk.trim(user, below);
            checks.event("server", "trimmed " + user + " below " + after.firstSeq());
            return after;
        });
    }

    @Override
    public Optional<Message> findBySender(String sender, String clientId) {
        io.imr.api.Names.principal("sender", sender);
        io.imr.api.Names.clientId(clientId);
        synchronized (disk) {
            requireOpen();
            return disk.findBySender(sender, clientId);
        }
    }

    @Override
    public void close() {
        synchronized (disk) {
            closed = true;
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new StoreException.ClosedException("the server store is closed");
        }
    }
}
