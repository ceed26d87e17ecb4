package io.imr.store.mapdb;

import io.imr.api.ClientIds;
import io.imr.api.Message;
import io.imr.api.Names;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientState;
import io.imr.api.store.ClientStore;
import io.imr.api.store.OutboxEntry;
import io.imr.api.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.mapdb.DB;

/**
 * A device's store in a MapDB file, {@code DIR/client.db}, held exclusively through
 * {@code DIR/imr.lock}.
 *
 * <p>Every commit is atomic and durable: its messages, cursor, hand-over mark and outbox changes
 * are written in one MapDB transaction, made crash-atomic by a synced redo journal, and its stage
 * completes only after that. Commits are grouped by one writer thread (see {@link StoreEngine});
 * stages complete on the store's completion thread, in commit order. Messages and the outbox are
 * stored as batch records (see {@link ClientLayout}, {@link OutboxIndex}).
 *
 * <p>Messages come in the server's numbering. A message whose id the store holds is not stored again
 * (G2; the server sends it again when its store went back, G10): the store keeps the counters of
 * what it holds as runs per (sender, outbox id), see {@link ClientLayout}; the others are stored after the
 * store's last message, numbered on from its cursor in its own epoch (1). Each commit of messages
 * moves the server position to its last message.
 *
 * <p>A commit is rejected with {@link StoreException.RejectedException}, storing nothing of it,
 * when: a message is not to the store's user, or its payload does not match its checksum; its
 * messages have a hole in the server's numbering, a message's client id is not
 * {@code <outbox id>-<counter>} ({@link ClientIds}), or do not follow the server position left by the
 * commits queued before it (after the commit's rebase, if any), or are not of its epoch; the
 * hand-over is beyond the cursor or moves back; an outbox counter is not above every counter used
 * before, or an entry's payload does not match its checksum. Other commits grouped with it are not
 * affected.
 *
 * <p>Each opening is counted durably before the store is handed out ({@link ClientState#incarnation()}).
 */
public final class MapDbClientStore implements ClientStore, SyncingStore {

    /** The database file in the store's directory. */
    public static final String DB_FILE = "client.db";

    /** The epoch of the device's own numbering. */
    static final long OWN_EPOCH = 1;

    private final String name;
    private final OutboxIndex outbox = new OutboxIndex();
    /** The committed meta; changed by the writer only, under the engine's write lock. */
    private ClientMeta meta;
    private volatile ClientState committed;
    private final SyncCounter syncs;
    private final StoreEngine<ClientLayout> engine;

    private MapDbClientStore(Path dir, StoreLock lock, StoreOptions options, SyncCounter syncs) {
        this.name = "client store " + dir;
        this.syncs = syncs;
        this.engine = new StoreEngine<>(name, dir.resolve(DB_FILE), lock, options, new Side(), syncs);
    }

    /**
     * Opens the store of a device, creating it (with a new random outbox id) on first use.
     *
     * @throws StoreException.LockedException  if another process or open store holds the directory
     * @throws StoreException                  if the directory holds the store of another user or
     *                                         device, or cannot be created or opened
     * @throws StoreException.CorruptException if the files are damaged
     * @throws IllegalArgumentException        if user or device is not a valid name
     */
    public static MapDbClientStore open(Path dir, String user, String device) {
        return open(dir, user, device, StoreOptions.DEFAULTS);
    }

    /**
     * Opens an existing store without knowing whose it is (for inspection).
     *
     * @throws StoreException if there is no client store in the directory (nothing is created),
     *         or for the reasons of {@link #open(Path, String, String)}
     */
    public static MapDbClientStore openExisting(Path dir) {
        return openExisting(dir, StoreOptions.DEFAULTS);
    }

    static MapDbClientStore open(Path dir, String user, String device, StoreOptions options) {
        Names.principal("user", user);
        Names.principal("device", device);
        StoreFiles.createDirectory(dir);
        StoreLock lock = StoreLock.acquire(dir);
        SyncCounter syncs = new SyncCounter();
        MapDbClientStore store;
        try {
            if (!Files.exists(dir.resolve(DB_FILE))) {
                String outboxId = newOutboxId();
                StoreFiles.create(dir, DB_FILE,
                        db -> new ClientLayout(db).writeMeta(ClientMeta.created(user, device, outboxId)), syncs);
            }
            store = new MapDbClientStore(dir, lock, options, syncs);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        ClientState s = store.committed;
        if (!s.user().equals(user) || !s.device().equals(device)) {
            store.close();
            throw new StoreException("store " + dir + " belongs to user " + s.user() + ", device " + s.device()
                    + "; it cannot be opened for user " + user + ", device " + device);
        }
        store.countOpening();
        return store;
    }

    /** The {@link ClientState#incarnation()} of this opening, durable before the store is handed out. */
    record Opened() {
    }

    private void countOpening() {
        try {
            engine.submit(new Opened(), 0).toCompletableFuture().join();
        } catch (java.util.concurrent.CompletionException e) {
            close();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw cause instanceof StoreException se ? se
                    : new StoreException("cannot count the opening of " + name + ": " + cause, cause);
        }
    }

    static MapDbClientStore openExisting(Path dir, StoreOptions options) {
        if (!Files.isDirectory(dir)) {
            throw new StoreException("no client store in " + dir + " (no such folder)");
        }
        if (!Files.isRegularFile(dir.resolve(DB_FILE)) && !Files.exists(dir.resolve(StoreLock.FILE_NAME))) {
            throw new StoreException("no client store in " + dir + " (" + DB_FILE + " not found)"); // and nothing made
        }
        // The lock before the file: a process that is creating the store holds the lock before the
        // file exists, and the answer then is "in use", not "no store".
        StoreLock lock = StoreLock.acquire(dir);
        try {
            if (!Files.isRegularFile(dir.resolve(DB_FILE))) {
                throw new StoreException("no client store in " + dir + " (" + DB_FILE + " not found)");
            }
            return new MapDbClientStore(dir, lock, options, new SyncCounter());
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * The committed state, from memory.
     *
     * @throws StoreException.ClosedException after {@link #close()}
     * @throws StoreException                 while the store is unusable after a failed reopen
     */
    @Override
    public ClientState state() {
        engine.checkUsable();
        return committed;
    }

    /**
     * Queues a commit; see {@link ClientStore#commit} for the failure rule and the class comment
     * for the rules checked. A commit that breaks a rule it can break on its own is rejected at
     * once, before it is queued.
     */
    @Override
    public CompletionStage<ClientState> commit(ClientCommit commit) {
        Objects.requireNonNull(commit, "commit");
        String broken = ClientRules.checkAlone(commit, committedUser());
        if (broken != null) {
            return CompletableFuture.failedStage(rejected(broken));
        }
        long weight = 0;
        for (Message m : commit.messages()) {
            weight += m.payload().length;
        }
        for (OutboxEntry e : commit.outboxAdd()) {
            weight += e.payload().length;
        }
        return engine.submit(commit, weight);
    }

    @Override
    public List<Message> read(long fromSeq, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
        return engine.read(layout -> layout.read(fromSeq, limit));
    }

    @Override
    public List<OutboxEntry> outbox() {
        return engine.read(outbox::read);
    }

    /**
     * {@inheritDoc} 1 per commit (3 for one that makes a checkpoint); 9 to create and open the
     * store, 2 to close it, 1 to open it again ({@link #openExisting} makes no commit of its own:
     * none after a clean close, 2 after a crash to apply the journal's records and start its next lap).
     */
    @Override
    public long syncs() {
        return syncs.count();
    }

    @Override
    public void observeSyncs(java.util.function.LongConsumer nanos) {
        syncs.observe(nanos);
    }

    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return name;
    }

    private String committedUser() {
        return committed.user();
    }

    private StoreException.RejectedException rejected(String reason) {
        return new StoreException.RejectedException("commit to " + name + " rejected, nothing of it was stored: "
                + reason);
    }

    private static String newOutboxId() {
        byte[] id = new byte[8];
        new SecureRandom().nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    /** The store's part of the writer's work. */
    private final class Side implements StoreEngine.Side<ClientLayout> {

        @Override
        public ClientLayout bind(DB db) {
            return new ClientLayout(db);
        }

        /**
         * Removals of confirmed sends and hand-over markers: nobody waits for them to go on (a lost
         * removal only makes a restart resend what the server answers from its dedup, a lost marker
         * only hands a message over again), so they ride with the next commit.
         */
        @Override
        public boolean deferrable(Object operation) {
            return operation instanceof ClientCommit c && c.rebase() == null && c.messages().isEmpty()
                    && c.outboxAdd().isEmpty();
        }

        @Override
        public void load(ClientLayout layout) {
            ClientMeta m;
            try {
                m = layout.readMeta();
            } catch (StoreException e) {
                if (e instanceof StoreException.CorruptException) {
                    throw e;
                }
                throw new StoreException(name + ": " + e.getMessage(), e);
            }
            if (m == null) {
                throw new StoreException.CorruptException(name + " has no meta record: " + DB_FILE
                        + " is not a client store or was damaged", null);
            }
            outbox.load(layout);
            meta = m;
            committed = m.toState(outbox.live());
        }

        @Override
        public StoreEngine.Group begin(ClientLayout layout) {
            return new Group(layout);
        }
    }

    /** One group: checks and applies commits in order against a working copy of the meta. */
    private final class Group implements StoreEngine.Group {
        private final ClientLayout layout;
        private final List<Message> messages = new ArrayList<>();
        private final Map<OutboxRef, HeldRuns> outboxes = new HashMap<>();
        private ClientMeta working = meta;

        Group(ClientLayout layout) {
            this.layout = layout;
        }

        @Override
        public Object apply(Object operation) {
            if (operation instanceof Opened) {
                working = working.opened();
                return working.toState(outbox.live());
            }
            ClientCommit c = (ClientCommit) operation;
            String broken = ClientRules.checkAgainst(working, c);
            if (broken != null) {
                throw rejected(broken);
            }
            List<HeldRuns> runsOf = new ArrayList<>();
            long[] countersOf = new long[c.messages().size()];
            List<Message> stored = number(c.messages(), runsOf, countersOf);
            ClientMeta next = ClientRules.after(working, c, stored);
            broken = ClientRules.checkHandOver(working, next, c);
            if (broken != null) {
                throw rejected(broken);
            }
            // Checked: the counters of what is stored enter the group's runs now, so later commits of the
            // group see them; the runs are written once, in flush.
            for (int i = 0; i < stored.size(); i++) {
                runsOf.get(i).held(countersOf[i]);
            }
            working = next;
            messages.addAll(stored);
            outbox.add(c.outboxAdd());
            outbox.remove(c.outboxRemove());
            return working.toState(outbox.live());
        }

        /**
         * The messages the store does not hold, numbered on from its cursor in its own epoch (G2, G3); the
         * runs of each one's outbox go to {@code runsOf} and its counter to {@code countersOf}, in the same
         * order.
         *
         * <p>Per message this is the hot path of a busy device's writer, so: the outbox is looked up only
         * when it changes from the message before (a commit's messages mostly come from one outbox), and a
         * message twice in the same commit is found by its counter while each outbox's counters rise, by
         * a set of ids only from the first that does not.
         */
        private List<Message> number(List<Message> received, List<HeldRuns> runsOf, long[] countersOf) {
            if (received.isEmpty()) {
                return received;
            }
            List<Message> stored = new ArrayList<>(received.size());
            long next = working.cursor() + 1;
            Object thisCall = new Object();
            Set<String> inThisCommit = null;
            String outboxSender = null;
            String outboxId = null;
            HeldRuns runs = null;
            for (Message m : received) {
                String clientId = m.clientId();
                if (runs == null || !m.sender().equals(outboxSender) || !ClientIds.inOutbox(clientId, outboxId)) {
                    outboxSender = m.sender();
                    outboxId = ClientIds.outboxOf(clientId);
                    runs = outboxes.computeIfAbsent(new OutboxRef(outboxSender, outboxId),
                            ref -> new HeldRuns(NumberedKeys.prefix(ref.sender(), ref.outboxId())));
                }
                long counter = ClientIds.counterOf(clientId);
                if (runs.holds(counter)) {
                    continue;
                }
                if (runs.acceptedIn != thisCall) {
                    runs.acceptedIn = thisCall;
                    runs.acceptedMax = 0;
                }
                if (inThisCommit == null && counter <= runs.acceptedMax) {
                    inThisCommit = new HashSet<>();
                    for (Message s : stored) {
                        inThisCommit.add(s.id());
                    }
                }
                if (inThisCommit != null && !inThisCommit.add(m.id())) {
                    continue;
                }
                runs.acceptedMax = Math.max(runs.acceptedMax, counter);
                countersOf[stored.size()] = counter;
                stored.add(m.seq() == next && m.epoch() == OWN_EPOCH ? m : m.renumbered(next, OWN_EPOCH));
                runsOf.add(runs);
                next++;
            }
            return stored;
        }

        /**
         * The counter runs of one outbox as far as this group knows them: the committed run with the
         * highest counters (read once, when the group first meets the outbox) and the runs this group
         * made or extended. A counter above the last run's is not held; one below is looked up in the
         * committed runs.
         */
        private final class HeldRuns {
            final byte[] prefix;
            /** Runs made or extended by this group: first counter &rarr; last; each is written once, in flush. */
            final TreeMap<Long, Long> changed = new TreeMap<>();
            /** {first, last} of the run with the highest counters, null for none. */
            private long[] last;
            private boolean lastRead;
            /** The {@link #number} call that accepted {@link #acceptedMax}, the highest counter it accepted here. */
            Object acceptedIn;
            long acceptedMax;

            HeldRuns(byte[] prefix) {
                this.prefix = prefix;
            }

            private long[] last() {
                if (!lastRead) {
                    last = layout.runAtOrBelow(prefix, Long.MAX_VALUE);
                    lastRead = true;
                }
                return last;
            }

            boolean holds(long counter) {
                Map.Entry<Long, Long> e = changed.floorEntry(counter);
                if (e != null && counter <= e.getValue()) {
                    return true;
                }
                long[] l = last();
                if (l == null || counter > l[1]) {
                    return false;
                }
                if (counter >= l[0]) {
                    return true;
                }
                long[] below = layout.runAtOrBelow(prefix, counter);
                return below != null && counter <= below[1];
            }

            /** Records a counter now held: it extends the last run if it follows it, else starts one. */
            void held(long counter) {
                long[] l = last();
                if (l != null && counter == l[1] + 1) {
                    l = new long[] {l[0], counter};
                    changed.put(l[0], counter);
                    last = l;
                    return;
                }
                changed.put(counter, counter);
                if (l == null || counter > l[1]) {
                    last = new long[] {counter, counter};
                }
            }
        }

        @Override
        public void flush() {
            if (!messages.isEmpty()) {
                layout.appendMessages(messages);
            }
            for (HeldRuns runs : outboxes.values()) {
                runs.changed.forEach((first, last) -> layout.runs.put(NumberedKeys.key(runs.prefix, first), last));
            }
            outbox.flush(layout);
            layout.writeMeta(working);
        }

        @Override
        public void published() {
            meta = working;
            committed = working.toState(outbox.live());
        }
    }

    /** An outbox of a sender. */
    private record OutboxRef(String sender, String outboxId) {
    }
}
