package io.imr.engine;

import io.imr.api.Message;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientState;
import io.imr.api.store.ClientStore;
import io.imr.api.store.OutboxEntry;
import io.imr.api.store.StoreException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A device store for engine tests on virtual time: a commit is held until the test completes or
 * fails it, so a test decides exactly when a commit "runs". It applies what a commit holds the way
 * the real stores do (the store kits prove those); the engine is what is under test here.
 */
final class ManualClientStore implements ClientStore {

    private record Pending(ClientCommit commit, CompletableFuture<ClientState> stage) { }

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final TreeMap<Long, OutboxEntry> outbox = new TreeMap<>();
    private final TreeMap<Long, Message> messages = new TreeMap<>();
    private ClientState state;
    private ClientState.ServerPosition server = ClientState.ServerPosition.NONE;
    /** When set, the next commit throws instead of returning a stage. */
    RuntimeException throwOnCommit;
    final List<ClientCommit> commits = new ArrayList<>();

    ManualClientStore(String user, String device) {
        state = new ClientState(user, device, "0123456789abcdef", 0, 0, "", 0, 0, 0, 0, 0,
                ClientState.ServerPosition.NONE, 1);
    }

    /** A store that already holds these outbox entries and used counters up to lastCounter (as after a restart). */
    ManualClientStore withOutbox(List<OutboxEntry> entries, long lastCounter) {
        entries.forEach(e -> outbox.put(e.counter(), e));
        state = with(state.epoch(), state.cursor(), state.idAtCursor(), state.count(), state.handedOver(), lastCounter);
        return this;
    }

    @Override
    public synchronized ClientState state() {
        return state;
    }

    @Override
    public synchronized CompletionStage<ClientState> commit(ClientCommit commit) {
        if (throwOnCommit != null) {
            RuntimeException e = throwOnCommit;
            throwOnCommit = null;
            throw e;
        }
        commits.add(commit);
        CompletableFuture<ClientState> stage = new CompletableFuture<>();
        pending.add(new Pending(commit, stage));
        return stage;
    }

    /** Commits waiting for the test. */
    synchronized int waiting() {
        return pending.size();
    }

    /** The oldest waiting commit, without completing it. */
    synchronized ClientCommit peek() {
        return pending.isEmpty() ? null : pending.peek().commit();
    }

    /** Applies the oldest waiting commit and completes its stage. */
    void completeNext() {
        Pending p;
        ClientState after;
        synchronized (this) {
            p = pending.poll();
            if (p == null) {
                throw new AssertionError("no commit is waiting");
            }
            after = apply(p.commit());
        }
        p.stage().complete(after);
    }

    /** Completes every waiting commit, in order. */
    void completeAll() {
        while (waiting() > 0) {
            completeNext();
        }
    }

    /** Fails the oldest waiting commit: nothing of it is stored (the store's failure rule). */
    void failNext(String why) {
        Pending p;
        synchronized (this) {
            p = pending.poll();
        }
        p.stage().completeExceptionally(new StoreException(why));
    }

    /** As the real stores: the server position follows the messages, ids held are not stored again (G2, G10). */
    private java.util.List<io.imr.api.store.ExpiredRange> expired = java.util.List.of();

    private ClientState apply(ClientCommit c) {
        long epoch = state.epoch();
        long cursor = state.cursor();
        String id = state.idAtCursor();
        ClientState.ServerPosition server = c.rebase() != null ? c.rebase().position() : state.server();
        if (c.rebase() != null && c.rebase().expired() != null) {
            expired = io.imr.api.store.ExpiredRange.recorded(expired, c.rebase().expired());
        }
        long stored = 0;
        for (Message m : c.messages()) {
            server = new ClientState.ServerPosition(c.serverStore(), m.epoch(), m.seq(), m.id());
            if (messages.values().stream().anyMatch(held -> held.id().equals(m.id()))) {
                continue;
            }
            cursor++;
            epoch = 1;
            messages.put(cursor, m.renumbered(cursor, 1));
            id = m.id();
            stored++;
        }
        this.server = server;
        long handedOver = c.handedOver() >= 0 ? c.handedOver() : state.handedOver();
        long lastCounter = state.lastCounter();
        for (OutboxEntry e : c.outboxAdd()) {
            outbox.put(e.counter(), e);
            lastCounter = Math.max(lastCounter, e.counter());
        }
        c.outboxRemove().forEach(outbox::remove);
        state = with(epoch, cursor, id, state.count() + stored, handedOver, lastCounter);
        return state;
    }

    private ClientState with(long epoch, long cursor, String id, long count, long handedOver, long lastCounter) {
        return new ClientState(state.user(), state.device(), state.outboxId(), epoch, cursor, id,
                messages.isEmpty() ? 0 : messages.firstKey(), count, handedOver, lastCounter, outbox.size(), server,
                state.incarnation(), expired);
    }

    @Override
    public synchronized List<Message> read(long fromSeq, int limit) {
        return messages.tailMap(fromSeq, true).values().stream().limit(limit).toList();
    }

    @Override
    public synchronized List<OutboxEntry> outbox() {
        return List.copyOf(outbox.values());
    }

    @Override
    public void close() {
    }
}
