package io.imr.strategy.ack;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Pong;
import io.imr.api.frame.Pull;
import io.imr.api.frame.PullResult;
import io.imr.api.strategy.Action;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientEvent;
import io.imr.api.strategy.ServerActions;
import io.imr.api.strategy.ServerEvent;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ServerReliability;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A tiny deterministic engine for one device and the server: virtual time, an event queue, a fake
 * inbox, a fake client store and a watermark store that commit after a delay (and sometimes fail), a
 * network that drops, duplicates, delays (so reorders) and corrupts frames, sessions that drop, and
 * crashes of the client and restarts of the server. Everything random comes from one seeded
 * {@link Random}, so a seed replays exactly.
 *
 * <p>It checks the guarantees as it goes and fails at once, naming the seed: every persist follows the
 * store's cursor without a hole (G3) and holds intact payloads (G4); every ack names committed
 * messages only, and the server's confirmed watermark never passes the device's cursor (G5); no id is
 * stored twice (G2).
 */
final class LoopDriver {

    /**
     * Fault rates: per frame (drop, duplicate, corrupt), per commit (failure), and per fault tick of
     * {@value #FAULT_TICK_MS} ms of virtual time (disconnect, client crash, server restart).
     */
    record Faults(double drop, double duplicate, double corrupt, double commitFailure, double disconnect,
                  double clientCrash, double serverRestart) {
        static final Faults NONE = new Faults(0, 0, 0, 0, 0, 0, 0);
    }

    private static final long MS = 1_000_000L;
    private static final long FAULT_TICK_MS = 250;
    private static final long EPOCH = 1;

    private record Scheduled(long time, long order, Runnable run) {
    }

    private final long seed;
    private final Random random;
    private final Faults faults;
    private final int total;
    private final Supplier<ClientReliability> newClient;
    private final Supplier<ServerReliability> newServer;
    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>(
            (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.order, b.order));
    private long order;
    private long now;

    private final List<Message> inbox = new ArrayList<>();
    private final List<Message> store = new ArrayList<>();
    private final Set<String> storedIds = new HashSet<>();
    /** "epoch:seq" of every message stored, in the server's numbering. */
    private final Set<String> storedSeqs = new HashSet<>();
    private long persistedWatermark;

    private ClientReliability client;
    private ServerReliability server;
    /** Generations: bumped when an instance is replaced, so that its pending answers and timers are dropped. */
    private int clientGen;
    private int serverGen;
    private final Map<String, Long> clientTimers = new HashMap<>();
    private final Map<String, Long> serverTimers = new HashMap<>();
    private long timerIds;
    private boolean clientCommitRunning;
    private boolean serverCommitRunning;
    /** A client commit whose fate a crash decides: the messages it would store. */
    private List<Message> clientCommitBatch = List.of();

    private boolean connected;
    private int session;
    private boolean reconnectPending;

    final Map<Action.Signal.Kind, Long> signals = new EnumMap<>(Action.Signal.Kind.class);
    long events;
    long framesSent;
    long pulls;
    long commitFailures;
    long disconnects;
    long clientCrashes;
    long serverRestarts;

    LoopDriver(long seed, int total, Faults faults, Supplier<ClientReliability> newClient,
               Supplier<ServerReliability> newServer) {
        this.seed = seed;
        this.random = new Random(seed);
        this.total = total;
        this.faults = faults;
        this.newClient = newClient;
        this.newServer = newServer;
    }

    /**
     * Runs until every message is committed on the device and confirmed on the server, or fails.
     *
     * @param limitNanos the virtual time after which the run counts as stuck
     */
    void run(long limitNanos) {
        startClient();
        server = newServer.get();
        connect();
        at(0, this::appendSome);
        at(1_000 * MS, this::heartbeat);
        at(FAULT_TICK_MS * MS, this::faultTick);
        while (!done()) {
            Scheduled next = queue.poll();
            if (next == null || next.time > limitNanos) {
                throw new AssertionError("seed " + seed + ": stuck at " + now / MS + "ms: " + state());
            }
            now = next.time;
            events++;
            next.run.run();
        }
    }

    List<Message> store() {
        return store;
    }

    List<Message> inbox() {
        return inbox;
    }

    long persistedWatermark() {
        return persistedWatermark;
    }

    ServerReliability server() {
        return server;
    }

    ClientReliability client() {
        return client;
    }

    long now() {
        return now;
    }

    String state() {
        return "inbox " + inbox.size() + "/" + total + ", stored " + store.size() + ", watermark " + persistedWatermark
                + ", unconfirmed " + server.unconfirmed() + ", buffered " + client.buffered() + ", connected "
                + connected + ", events " + events + ", signals " + signals;
    }

    private boolean done() {
        return inbox.size() == total && store.size() == total && persistedWatermark == total
                && server.unconfirmed() == 0 && connected;
    }

    // ---------------------------------------------------------------- the world

    private void appendSome() {
        if (inbox.size() >= total) {
            return;
        }
        // Mostly a few at a time; now and then a burst far beyond any window, as after a busy group chat.
        int wanted = random.nextInt(40) == 0 ? 100 + random.nextInt(200) : 1 + random.nextInt(10);
        int n = Math.min(total - inbox.size(), wanted);
        List<Message> added = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long seq = inbox.size() + 1;
            byte[] payload = ("payload of " + seq + " " + random.nextInt()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Message m = Message.of("alice", "out-" + seq, "bob", seq, EPOCH, 0, payload, Checksums.crc32c(payload));
            inbox.add(m);
            added.add(m);
        }
        toServer(new Event.MessagesAppended(now, random.nextLong(), added, inbox.size()));
        at(random.nextInt(60) * MS, this::appendSome);
    }

    private void heartbeat() {
        if (connected) {
            // The engine answers the device's pings itself; the pong carries the max seq (G9).
            network(false, new Pong(now, EPOCH, inbox.size()));
        }
        at(1_000 * MS, this::heartbeat);
    }

    private void faultTick() {
        if (connected && random.nextDouble() < faults.disconnect) {
            disconnects++;
            disconnect();
        } else if (random.nextDouble() < faults.clientCrash) {
            clientCrashes++;
            crashClient();
        } else if (random.nextDouble() < faults.serverRestart) {
            serverRestarts++;
            restartServer();
        }
        at(FAULT_TICK_MS * MS, this::faultTick);
    }

    private void connect() {
        reconnectPending = false;
        connected = true;
        session++;
        long cursor = cursor();
        toServer(new Event.Connected(now, random.nextLong(), EPOCH, cursor, inbox.size()));
        toClient(new Event.Connected(now, random.nextLong(), EPOCH, cursor, inbox.size()));
    }

    private void disconnect() {
        if (connected) {
            connected = false;
            toServer(new Event.Disconnected(now, random.nextLong(), "connection reset"));
            toClient(new Event.Disconnected(now, random.nextLong(), "connection reset"));
        }
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        if (!reconnectPending) {
            reconnectPending = true;
            at((50 + random.nextInt(450)) * MS, this::connect);
        }
    }

    private void crashClient() {
        if (connected) {
            connected = false;
            toServer(new Event.Disconnected(now, random.nextLong(), "device gone"));
        }
        if (clientCommitRunning && random.nextBoolean()) {
            commitToStore(clientCommitBatch); // the crash came after the commit returned inside the store
        }
        clientCommitRunning = false;
        clientCommitBatch = List.of();
        clientGen++;
        clientTimers.clear();
        startClient();
        scheduleReconnect();
    }

    private void restartServer() {
        if (connected) {
            connected = false;
            toClient(new Event.Disconnected(now, random.nextLong(), "server gone"));
        }
        serverCommitRunning = false;
        serverGen++;
        serverTimers.clear();
        server = newServer.get();
        scheduleReconnect();
    }

    private void startClient() {
        client = newClient.get();
        long cursor = cursor();
        toClient(new Event.Started(now, random.nextLong(), cursor == 0 ? 0 : EPOCH, cursor));
    }

    private long cursor() {
        return store.isEmpty() ? 0 : store.get(store.size() - 1).seq();
    }

    // ---------------------------------------------------------------- driving the halves

    private void toClient(ClientEvent event) {
        ClientActions out = new ClientActions();
        client.on(event, out);
        clientActions(out.drain());
        if (!clientCommitRunning) {
            client.on(new Event.ReadyToPersist(now, random.nextLong()), out);
            clientActions(out.drain());
        }
    }

    private void toServer(ServerEvent event) {
        ServerActions out = new ServerActions();
        server.on(event, out);
        serverActions(out.drain());
        if (!serverCommitRunning) {
            server.on(new Event.ReadyToPersist(now, random.nextLong()), out);
            serverActions(out.drain());
        }
    }

    private void clientActions(List<? extends Action> actions) {
        int gen = clientGen;
        for (Action a : actions) {
            if (a instanceof Action.SendFrame s) {
                if (s.frame() instanceof Ack ack) {
                    for (Ack.Range r : ack.ranges()) {
                        for (long seq = r.first(); seq <= r.last(); seq++) {
                            check(storedSeqs.contains(ack.epoch() + ":" + seq), "acked seq " + seq + " of epoch "
                                    + ack.epoch() + " before its commit (G5)");
                        }
                    }
                }
                network(true, s.frame());
            } else if (a instanceof Action.Persist p) {
                persist(p, gen);
            } else if (a instanceof Action.PullRange p) {
                pulls++;
                network(true, new Pull(p.fromSeq(), p.limit(), p.committed()));
            } else {
                common(a, clientTimers, gen, true);
            }
        }
    }

    private void serverActions(List<? extends Action> actions) {
        int gen = serverGen;
        for (Action a : actions) {
            if (a instanceof Action.SendFrame s) {
                network(false, s.frame());
            } else if (a instanceof Action.ReadInbox r) {
                at((1 + random.nextInt(5)) * MS, () -> {
                    if (gen == serverGen) {
                        int from = (int) Math.min(inbox.size(), r.fromSeq() - 1);
                        int to = (int) Math.min(inbox.size(), r.fromSeq() - 1 + r.limit());
                        toServer(new Event.InboxRead(now, random.nextLong(), r.token(),
                                new ArrayList<>(inbox.subList(from, to)), inbox.size()));
                    }
                });
            } else if (a instanceof Action.PersistWatermark w) {
                persistWatermark(w, gen);
            } else {
                common(a, serverTimers, gen, false);
            }
        }
    }

    private void common(Action a, Map<String, Long> timers, int gen, boolean clientSide) {
        if (a instanceof Action.ScheduleTimer t) {
            long id = ++timerIds;
            timers.put(t.timer(), id);
            at(t.delayNanos(), () -> {
                if (gen == (clientSide ? clientGen : serverGen) && Long.valueOf(id).equals(timers.get(t.timer()))) {
                    timers.remove(t.timer());
                    Event.TimerFired fired = new Event.TimerFired(now, random.nextLong(), t.timer());
                    if (clientSide) {
                        toClient(fired);
                    } else {
                        toServer(fired);
                    }
                }
            });
        } else if (a instanceof Action.CancelTimer c) {
            timers.remove(c.timer());
        } else if (a instanceof Action.Signal s) {
            signals.merge(s.kind(), s.amount(), Long::sum);
        } else if (a instanceof Action.Close c) {
            throw new AssertionError("seed " + seed + ": a half closed the session: " + c);
        } else {
            throw new AssertionError("seed " + seed + ": a " + (clientSide ? "client" : "server")
                    + " half asked for " + a);
        }
    }

    private void persist(Action.Persist p, int gen) {
        check(!clientCommitRunning, "a second Persist while one runs");
        check(p.messages().get(0).seq() == cursor() + 1,
                "persist from " + p.messages().get(0).seq() + " after cursor " + cursor() + " (G3)");
        for (Message m : p.messages()) {
            check(m.payloadIntact(), "persisting corrupt " + m + " (G4)");
        }
        clientCommitRunning = true;
        clientCommitBatch = p.messages();
        at((1 + random.nextInt(20)) * MS, () -> {
            if (gen != clientGen) {
                return;
            }
            clientCommitRunning = false;
            clientCommitBatch = List.of();
            if (random.nextDouble() < faults.commitFailure) {
                commitFailures++;
                toClient(new Event.CommitFailed(now, random.nextLong(), p.token(), "disk full"));
            } else {
                commitToStore(p.messages());
                toClient(new Event.CommitDone(now, random.nextLong(), p.token()));
            }
        });
    }

    private void commitToStore(List<Message> batch) {
        check(batch.get(0).seq() == cursor() + 1, "commit would leave a hole (G3)");
        for (Message m : batch) {
            check(storedIds.add(m.id()), "stored " + m.id() + " twice (G2)");
            storedSeqs.add(m.epoch() + ":" + m.seq());
            store.add(m);
        }
    }

    private void persistWatermark(Action.PersistWatermark w, int gen) {
        check(!serverCommitRunning, "a second PersistWatermark while one runs");
        check(w.confirmed() <= cursor(), "watermark " + w.confirmed() + " beyond the device's cursor " + cursor()
                + " (G5)");
        serverCommitRunning = true;
        at((1 + random.nextInt(10)) * MS, () -> {
            if (gen != serverGen) {
                return;
            }
            serverCommitRunning = false;
            if (random.nextDouble() < faults.commitFailure) {
                toServer(new Event.CommitFailed(now, random.nextLong(), w.token(), "io error"));
            } else {
                persistedWatermark = Math.max(persistedWatermark, w.confirmed());
                toServer(new Event.CommitDone(now, random.nextLong(), w.token()));
            }
        });
    }

    /** Sends a frame over the current session with the configured faults; lost when the session ends first. */
    private void network(boolean fromClient, Frame frame) {
        if (!connected) {
            return;
        }
        framesSent++;
        if (random.nextDouble() < faults.drop) {
            return;
        }
        int copies = random.nextDouble() < faults.duplicate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            Frame delivered = random.nextDouble() < faults.corrupt ? corrupt(frame) : frame;
            int s = session;
            at((1 + random.nextInt(30)) * MS, () -> {
                if (connected && s == session) {
                    Event.FrameArrived arrived = new Event.FrameArrived(now, random.nextLong(), delivered);
                    if (fromClient) {
                        toServer(arrived);
                    } else {
                        toClient(arrived);
                    }
                }
            });
        }
    }

    /**
     * A copy of a frame with one message's payload damaged after its sender's checksum: what survives
     * the frame CRC by chance, or what a faulty server stored. Only the payload checksum can catch it.
     */
    private Frame corrupt(Frame frame) {
        List<Message> messages;
        if (frame instanceof Deliver d) {
            messages = d.messages();
        } else if (frame instanceof PullResult r && !r.messages().isEmpty()) {
            messages = r.messages();
        } else {
            return frame;
        }
        List<Message> damaged = new ArrayList<>(messages);
        int i = random.nextInt(damaged.size());
        Message m = damaged.get(i);
        byte[] payload = m.payload().clone();
        payload[random.nextInt(payload.length)] ^= (byte) (1 << random.nextInt(8));
        damaged.set(i, new Message(m.id(), m.sender(), m.clientId(), m.recipient(), m.seq(), m.epoch(),
                m.serverTimeMillis(), payload, m.payloadChecksum()));
        return frame instanceof Deliver d ? new Deliver(damaged, d.maxSeq())
                : new PullResult(((PullResult) frame).fromSeq(), damaged, ((PullResult) frame).maxSeq(), EPOCH);
    }

    private void at(long delay, Runnable run) {
        queue.add(new Scheduled(now + delay, order++, run));
    }

    private void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("seed " + seed + " at " + now / MS + "ms: " + what + "; " + state());
        }
    }
}
