package io.imr.store.mapdb;

import io.imr.api.Checksums;
import io.imr.api.ClientIds;
import io.imr.api.Message;
import io.imr.api.Names;
import io.imr.api.store.Accepted;
import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.ServerStore;
import io.imr.api.store.StoreException;
import io.imr.api.store.Submission;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.mapdb.DB;

/**
 * The server's store in a MapDB file, {@code DIR/server.db}, held exclusively through
 * {@code DIR/imr.lock}: each user's inbox, the dedup index as runs of outbox counters per
 * (sender, outbox id) and each device's state (see {@link ServerLayout}).
 *
 * <p>Seqs are assigned by the writer, inside the transaction that stores the messages: a commit
 * that fails has used up no seq and changed no run, and the next message gets the seq the
 * failed one would have had. A submission whose counter falls in a run of its (sender, outbox
 * id), stored by an earlier commit or earlier in the same group, is answered with the message
 * stored first and stores nothing (the dedup rule of {@link ServerStore}). Commits are grouped by
 * one writer thread (see {@link StoreEngine}); a group keeps the runs it touches in memory and
 * writes each changed run once, when it is flushed.
 *
 * <p>A commit is rejected with {@link StoreException.RejectedException}, storing nothing of it,
 * when a submission's client id is not {@code <outbox id>-<counter>} ({@link ClientIds}), or its
 * payload is larger than {@link Message#MAX_PAYLOAD} or does not match its checksum (G4: a
 * message that does not verify is never stored).
 *
 * <p>Memory: the meta of each user's inbox read or written so far (three numbers a user) is
 * cached; messages, runs and device states are read from the file when needed.
 */
public final class MapDbServerStore implements ServerStore, SyncingStore {

    /** The database file in the store's directory. */
    public static final String DB_FILE = "server.db";

    /** The operation that records a new generation when the store is opened. */
    record NewGeneration(String id) {
    }

    /** The operation that trims a user's inbox below a seq. */
    record Trim(String user, long below) {
    }

    private final String name;
    /** Committed inbox metas; written only under the engine's write lock. */
    /** The memory {@link RecentMessages} takes at most: 64 MiB, some 170,000 messages of 256 bytes. */
    static final long RECENT_BYTES = 64L << 20;
    private final Map<String, InboxMeta> metas = new ConcurrentHashMap<>();
    /** The messages committed last, decoded, for the reads that deliver them. */
    private final RecentMessages recent = new RecentMessages(RECENT_BYTES);
    private final SyncCounter syncs;
    private final StoreEngine<ServerLayout> engine;
    /** This opening's generation and its ordinal; set once, at open, before the store is handed out. */
    private volatile String generation;
    private volatile long ordinal;

    private MapDbServerStore(Path dir, StoreLock lock, StoreOptions options, SyncCounter syncs) {
        this.name = "server store " + dir;
        this.syncs = syncs;
        this.engine = new StoreEngine<>(name, dir.resolve(DB_FILE), lock, options, new Side(), syncs);
    }

    /** Records this opening's generation durably before anything is stored or vouched for in it. */
    private void startGeneration() {
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        CompletionStage<Object> recorded = engine.submit(new NewGeneration(HexFormat.of().formatHex(random)), 0);
        try {
            recorded.toCompletableFuture().join();
        } catch (java.util.concurrent.CompletionException e) {
            close();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw cause instanceof StoreException se ? se
                    : new StoreException("cannot record the generation of " + name + ": " + cause, cause);
        }
    }

    /**
     * Opens the server's store, creating it on first use.
     *
     * @throws StoreException.LockedException  if another process or open store holds the directory
     * @throws StoreException.CorruptException if the files are damaged or not a server store
     * @throws StoreException                  if it cannot be created or opened
     */
    public static MapDbServerStore open(Path dir) {
        return open(dir, StoreOptions.DEFAULTS);
    }

    static MapDbServerStore open(Path dir, StoreOptions options) {
        StoreFiles.createDirectory(dir);
        StoreLock lock = StoreLock.acquire(dir);
        SyncCounter syncs = new SyncCounter();
        MapDbServerStore store;
        try {
            if (!Files.exists(dir.resolve(DB_FILE))) {
                StoreFiles.create(dir, DB_FILE, db -> new ServerLayout(db).writeFormat(), syncs);
            }
            store = new MapDbServerStore(dir, lock, options, syncs);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        store.startGeneration();
        return store;
    }

    /** Queues a commit; see {@link ServerStore#commit} for the failure rule and the class comment for the rules. */
    @Override
    public CompletionStage<List<Accepted>> commit(ServerCommit commit) {
        Objects.requireNonNull(commit, "commit");
        long weight = 0;
        for (Submission s : commit.submissions()) {
            if (!ClientIds.isClientId(s.clientId())) {
                return CompletableFuture.failedStage(rejected("submission " + s.sender() + "/" + s.clientId()
                        + " has a client id that is not <outbox id>-<counter> (" + clientIdRule() + ")"));
            }
            if (s.payload().length > Message.MAX_PAYLOAD) {
                return CompletableFuture.failedStage(rejected("submission " + s.sender() + "/" + s.clientId()
                        + " has a payload of " + s.payload().length + " bytes, at most " + Message.MAX_PAYLOAD
                        + " are allowed"));
            }
            if (Checksums.crc32c(s.payload()) != s.payloadChecksum()) {
                return CompletableFuture.failedStage(rejected("submission " + s.sender() + "/" + s.clientId()
                        + " has a payload that does not match its checksum"));
            }
            weight += s.payload().length;
        }
        return engine.submit(commit, weight);
    }

    @Override
    public List<Message> read(String user, long fromSeq, int limit) {
        Names.principal("user", user);
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
        engine.checkUsable();
        List<Message> held = recent.read(user, fromSeq, limit);
        if (held != null) {
            return held;
        }
        return engine.read(layout -> layout.read(user, fromSeq, limit));
    }

    @Override
    public InboxState inbox(String user) {
        Names.principal("user", user);
        engine.checkUsable();
        InboxMeta cached = metas.get(user);
        if (cached != null) {
            return cached.toState(user);
        }
        return engine.read(layout -> {
            InboxMeta m = metas.get(user);
            if (m == null) {
                m = layout.readMeta(user);
                if (m == null) {
                    // Not cached: lookups of users nobody wrote to must not grow the cache.
                    return InboxMeta.EMPTY.toState(user);
                }
                metas.putIfAbsent(user, m);
            }
            return m.toState(user);
        });
    }

    @Override
    public Optional<DeviceState> device(String user, String device) {
        Names.principal("user", user);
        DeviceState.deviceName(device);
        return Optional.ofNullable(engine.read(layout -> layout.device(user, device)));
    }

    @Override
    public List<DeviceState> devices(String user) {
        Names.principal("user", user);
        return engine.read(layout -> layout.devices(user));
    }

    @Override
    public List<String> users(String after, int limit) {
        Objects.requireNonNull(after, "after");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
        return engine.read(layout -> layout.users(after, limit));
    }

    @Override
    public long firstSeqSince(String user, long millis) {
        Names.principal("user", user);
        return engine.read(layout -> {
            InboxMeta m = metas.get(user);
            if (m == null) {
                m = layout.readMeta(user);
            }
            if (m == null) {
                return 1L;
            }
            return m.firstSeq() == 0 ? m.maxSeq() + 1 : layout.firstSeqSince(user, m.firstSeq(), m.maxSeq(), millis);
        });
    }

    @Override
    public CompletionStage<InboxState> trim(String user, long below) {
        Names.principal("user", user);
        if (below < 1) {
            throw new IllegalArgumentException("trim below a seq of 1 or more, got " + below);
        }
        return engine.submit(new Trim(user, below), 0);
    }

    @Override
    public Optional<Message> findBySender(String sender, String clientId) {
        Names.principal("sender", sender);
        Names.clientId(clientId);
        if (!ClientIds.isClientId(clientId)) {
            return Optional.empty(); // never stored: commits of such client ids are rejected
        }
        byte[] prefix = NumberedKeys.prefix(sender, ClientIds.outboxOf(clientId));
        long counter = ClientIds.counterOf(clientId);
        return Optional.ofNullable(engine.read(layout -> {
            ServerCodecs.Run run = layout.runCovering(prefix, counter);
            if (run == null) {
                return null;
            }
            InboxMeta m = layout.readMeta(run.recipient());
            if (m != null && m.epoch() == run.epoch() && run.seqOf(counter) < m.firstSeq()) {
                return null; // trimmed since
            }
            return layout.messageOf(run, sender, clientId, counter);
        }));
    }

    @Override
    public String generation() {
        return generation;
    }

    @Override
    public boolean vouches(String user, long seq, String id, String generation) {
        Names.principal("user", user);
        if (seq < 1 || id == null || generation == null || generation.isEmpty()) {
            return false;
        }
        return engine.read(layout -> {
            Long known = layout.generations.get(generation);
            if (known == null) {
                return false;
            }
            InboxMeta meta = layout.readMeta(user);
            if (meta != null && seq < meta.firstSeq() && seq <= meta.maxSeq()) {
                // Trimmed: the id is gone with the message; the generation that stored the seq is kept.
                long by = layout.trimmedBy(user, seq);
                return by >= 1 && by <= known;
            }
            if (id.isEmpty()) {
                return false;
            }
            Message m = layout.message(user, seq);
            if (m == null || !m.id().equals(id)) {
                return false;
            }
            long storedBy = layout.storedBy(user, seq);
            return storedBy >= 1 && storedBy <= known;
        });
    }

    /** {@inheritDoc} 1 per commit (3 for one that makes a checkpoint); 9 to create and open the store, 2 to close it, 1 to open it again. */
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

    private static String idOf(NewGeneration g, long ordinal) {
        return "g" + ordinal + "-" + g.id();
    }

    private static String clientIdRule() {
        return "an outbox id of 1 to " + ClientIds.MAX_OUTBOX_ID + " characters of A-Z a-z 0-9 . _ :, a counter from 1"
                + " without leading zeros";
    }

    private StoreException.RejectedException rejected(String reason) {
        return new StoreException.RejectedException("commit to " + name + " rejected, nothing of it was stored: "
                + reason);
    }

    /** The store's part of the writer's work. */
    private final class Side implements StoreEngine.Side<ServerLayout> {

        @Override
        public ServerLayout bind(DB db) {
            return new ServerLayout(db);
        }

        /**
         * Device states alone (a confirmed watermark): nothing waits on them but the next watermark,
         * so they ride with the next append instead of costing a sync of their own.
         */
        @Override
        public boolean deferrable(Object operation) {
            return operation instanceof ServerCommit c && c.submissions().isEmpty();
        }

        @Override
        public void load(ServerLayout layout) {
            try {
                layout.checkFormat();
            } catch (StoreException e) {
                if (e instanceof StoreException.CorruptException) {
                    throw e;
                }
                throw new StoreException(name + ": " + e.getMessage(), e);
            }
            metas.clear();
            recent.clear();
        }

        @Override
        public StoreEngine.Group begin(ServerLayout layout) {
            return new Group(layout);
        }
    }

    /**
     * One group: assigns seqs and detects duplicates against the committed data plus what earlier
     * operations of the group stored. The runs of each outbox the group touches are kept in
     * memory ({@link OutboxRuns}) and each changed run is written once, in {@link #flush()}; the
     * messages are written as one batch record per user. Nothing here is rejected: the whole
     * transaction commits or rolls back.
     */
    private final class Group implements StoreEngine.Group {
        private final ServerLayout layout;
        private final Map<String, InboxMeta> changedMetas = new HashMap<>();
        private final Map<String, List<Message>> appended = new LinkedHashMap<>();
        private final Map<OutboxRef, OutboxRuns> outboxes = new HashMap<>();
        private final Map<String, DeviceState> changedDevices = new LinkedHashMap<>();
        /** Users whose inbox this group trims, and below which seq. */
        private final Map<String, Long> trims = new LinkedHashMap<>();
        private NewGeneration newGeneration;
        private long newOrdinal;

        Group(ServerLayout layout) {
            this.layout = layout;
        }

        @Override
        public Object apply(Object operation) {
            if (operation instanceof NewGeneration g) {
                newGeneration = g;
                newOrdinal = layout.generations.size() + 1;
                return g;
            }
            if (operation instanceof Trim t) {
                return trim(t);
            }
            ServerCommit c = (ServerCommit) operation;
            List<Accepted> out = new ArrayList<>(c.submissions().size());
            // A commit's submissions mostly come from one outbox to one recipient: the outbox and the
            // recipient's inbox are looked up when they change, not for every submission. The client ids
            // were checked in commit().
            String outboxSender = null;
            String outboxId = null;
            OutboxRuns runs = null;
            String inboxUser = null;
            InboxMeta m = null;
            List<Message> inbox = null;
            for (Submission s : c.submissions()) {
                String clientId = s.clientId();
                if (runs == null || !s.sender().equals(outboxSender) || !ClientIds.inOutbox(clientId, outboxId)) {
                    outboxSender = s.sender();
                    outboxId = ClientIds.outboxOf(clientId);
                    runs = outboxes.computeIfAbsent(new OutboxRef(outboxSender, outboxId),
                            ref -> new OutboxRuns(NumberedKeys.prefix(ref.sender(), ref.outboxId())));
                }
                long counter = ClientIds.counterOf(clientId);
                ServerCodecs.Run run = runs.covering(counter);
                if (run != null) {
                    out.add(first(run, s, counter));
                    continue;
                }
                if (!s.to().equals(inboxUser)) {
                    inboxUser = s.to();
                    m = meta(inboxUser);
                    inbox = appended.computeIfAbsent(inboxUser, u -> new ArrayList<>());
                }
                long seq = m.maxSeq() + 1;
                Message message = Message.of(s.sender(), clientId, inboxUser, seq, m.epoch(), s.serverTimeMillis(),
                        s.payload(), s.payloadChecksum());
                m = m.appended(seq);
                changedMetas.put(inboxUser, m);
                inbox.add(message);
                runs.stored(counter, inboxUser, m.epoch(), seq);
                out.add(new Accepted(message, false));
            }
            for (DeviceState d : c.devices()) {
                String key = ServerCodecs.deviceKey(d.user(), d.device());
                DeviceState old = changedDevices.containsKey(key) ? changedDevices.get(key)
                        : layout.device(d.user(), d.device());
                changedDevices.put(key, DeviceState.written(old, d));
            }
            return out;
        }

        /** Trims, as far as the inbox goes; written in {@link #flush()}, after the messages the group appends. */
        private InboxState trim(Trim t) {
            InboxMeta m = meta(t.user());
            long below = Math.min(t.below(), m.maxSeq() + 1);
            long first = m.firstSeq() == 0 ? 1 : m.firstSeq();
            if (m.maxSeq() == 0 || below <= first) {
                return m.toState(t.user());
            }
            InboxMeta trimmed = new InboxMeta(m.epoch(), m.maxSeq(), below);
            changedMetas.put(t.user(), trimmed);
            trims.merge(t.user(), below, Math::max);
            return trimmed.toState(t.user());
        }

        /** What a duplicate is answered with: the message a run says its counter was stored as, or where if trimmed. */
        private Accepted first(ServerCodecs.Run run, Submission s, long counter) {
            long seq = run.seqOf(counter);
            InboxMeta m = meta(run.recipient());
            if (m.epoch() == run.epoch() && seq < m.firstSeq()) {
                return Accepted.trimmed(run.recipient(), seq, run.epoch());
            }
            return new Accepted(message(run, s, counter, seq), true);
        }

        private Message message(ServerCodecs.Run run, Submission s, long counter, long seq) {
            List<Message> ofGroup = appended.get(run.recipient());
            if (ofGroup != null) {
                long firstOfGroup = ofGroup.get(0).seq();
                if (seq >= firstOfGroup) {
                    return ofGroup.get((int) (seq - firstOfGroup));
                }
            }
            return layout.messageOf(run, s.sender(), s.clientId(), counter);
        }

        @Override
        public void flush() {
            if (newGeneration != null) {
                // Recorded with the ordinal it runs under: "g<ordinal>-<random>", unique across copies.
                layout.generations.put(idOf(newGeneration, newOrdinal), newOrdinal);
            }
            long by = newGeneration != null ? newOrdinal : ordinal;
            appended.forEach((user, messages) -> layout.appendMessages(user, messages, by));
            trims.forEach(layout::trim);
            for (OutboxRuns runs : outboxes.values()) {
                runs.changed.forEach((first, run) -> layout.runs.put(NumberedKeys.key(runs.prefix, first),
                        ServerCodecs.encodeRun(run)));
            }
            changedMetas.forEach((user, m) -> layout.inboxMeta.put(user, m.encode()));
            changedDevices.forEach((key, d) -> layout.devices.put(key, ServerCodecs.encodeDevice(d)));
        }

        @Override
        public void published() {
            if (newGeneration != null) {
                recent.clear();
            }
            // The messages before the inbox states that announce them; trimmed ones gone before the states say so.
            appended.forEach(recent::add);
            trims.forEach(recent::trim);
            metas.putAll(changedMetas);
            if (newGeneration != null) {
                ordinal = newOrdinal;
                generation = idOf(newGeneration, newOrdinal);
            }
        }

        private InboxMeta meta(String user) {
            InboxMeta m = changedMetas.get(user);
            if (m == null) {
                m = metas.get(user);
            }
            if (m == null) {
                m = layout.readMeta(user);
            }
            return m != null ? m : InboxMeta.EMPTY;
        }

        /**
         * The runs of one outbox as far as this group knows them: the committed run with the highest
         * counters (read once, when the group first meets the outbox), and the runs this group made
         * or extended. A counter above the last run's was never stored (counters are not reused);
         * one below is looked up in the committed runs.
         */
        private final class OutboxRuns {
            final byte[] prefix;
            /** Runs made or extended by this group, by first counter; each is written once, in flush. */
            final TreeMap<Long, ServerCodecs.Run> changed = new TreeMap<>();
            private ServerCodecs.Run last;
            private boolean lastRead;

            OutboxRuns(byte[] prefix) {
                this.prefix = prefix;
            }

            private ServerCodecs.Run last() {
                if (!lastRead) {
                    last = layout.lastRun(prefix);
                    lastRead = true;
                }
                return last;
            }

            /** The run that holds a counter, or null if it was never stored. */
            ServerCodecs.Run covering(long counter) {
                Map.Entry<Long, ServerCodecs.Run> e = changed.floorEntry(counter);
                if (e != null && e.getValue().contains(counter)) {
                    return e.getValue();
                }
                ServerCodecs.Run l = last();
                if (l == null || counter > l.last()) {
                    return null;
                }
                if (l.contains(counter)) {
                    return l;
                }
                return layout.runCovering(prefix, counter); // out of order: below the last run
            }

            /** Records a counter stored now: it extends the last run if it continues it in every way, else starts one. */
            void stored(long counter, String to, long epoch, long seq) {
                ServerCodecs.Run l = last();
                ServerCodecs.Run run = l != null && l.continuedBy(counter, to, epoch, seq) ? l.extended()
                        : new ServerCodecs.Run(counter, counter, to, epoch, seq);
                changed.put(run.first(), run);
                if (l == null || counter > l.last()) {
                    last = run;
                }
            }
        }
    }

    /** An outbox of a sender. */
    private record OutboxRef(String sender, String outboxId) {
    }
}
