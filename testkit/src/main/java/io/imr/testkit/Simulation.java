package io.imr.testkit;

import io.imr.api.Message;
import io.imr.api.frame.Hello;
import io.imr.api.strategy.PerStrategyOptions;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.StrategyOptions;
import io.imr.api.strategy.StrategyRegistry;
import io.imr.engine.ClientEngine;
import io.imr.engine.ClientEngineConfig;
import io.imr.engine.FrameChannel;
import io.imr.engine.SendConfirmation;
import io.imr.engine.ServerEngine;
import io.imr.engine.MessageListener;
import io.imr.engine.ServerEngineConfig;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Runs the production {@link ServerEngine} and {@link ClientEngine}, with the strategy chosen by
 * name, under virtual time: an in-memory network and stores, seeded faults, crashes and restarts,
 * and checkers for the guarantees. One seed gives one run, the same every time: everything that
 * varies is drawn from one random source seeded with it, and one task runs at a time.
 *
 * <p>The world: the server; users alice (a laptop), carol (a tablet) and bob (a phone and a
 * desktop). alice and carol send to bob, bob's phone sends to alice: several senders, several
 * devices per user, and a device that both sends and receives. During the fault phase, messages are
 * sent at random times and the faults of the profile strike; then the faults stop, every process is
 * up again, and every device must hold every message of its user within the convergence bound.
 *
 * <p>Not thread-safe; one run at a time per instance. Runs on different instances may go in parallel.
 */
public final class Simulation {

    private static final Logger IMR_LOGS = Logger.getLogger("io.imr");
    private static final ThreadLocal<Recorder> CURRENT = new ThreadLocal<>();

    static {
        // The engine's log lines belong in the trail of the run that made them, not on the console;
        // outside a run they go where they would have gone.
        IMR_LOGS.setUseParentHandlers(false);
        IMR_LOGS.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                Recorder rec = CURRENT.get();
                if (rec != null) {
                    String thrown = r.getThrown() == null ? "" : " (" + r.getThrown() + ")";
                    rec.event("log", r.getLevel() + " " + r.getMessage() + thrown);
                    return;
                }
                for (Handler h : Logger.getLogger("").getHandlers()) {
                    h.publish(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }

    private static final byte[] SECRET = "imr simulation secret, not for production".getBytes(StandardCharsets.UTF_8);
    private static final long TICK = Duration.ofMillis(100).toNanos();

    private final SimulationSettings settings;
    /** The world's strategies by name: the one under test first (with its planted bug, if any), then the rest. */
    private final Map<String, ReliabilityStrategyProvider> providers = new LinkedHashMap<>();
    /** Each strategy's options, from its own hints. */
    private final PerStrategyOptions options;

    /**
     * @param registry the strategies of the world: the server starts with the one the settings name and
     *                 the {@code server-swap} fault restarts it with any other; devices offer them all
     * @throws StrategyRegistry.UnknownStrategyException when the registry has no strategy of that name
     */
    public Simulation(StrategyRegistry registry, SimulationSettings settings) {
        this.settings = settings;
        ReliabilityStrategyProvider p = registry.get(settings.strategy());
        boolean strategyBug = settings.bug() != null && !settings.bug().inServerStore();
        providers.put(p.name(), strategyBug ? settings.bug().wrap(p) : p);
        registry.providers().forEach((name, other) -> providers.putIfAbsent(name, other));
        Map<String, StrategyOptions> byName = new HashMap<>();
        registry.providers().forEach((name, provider) -> byName.put(providers.get(name).name(),
                provider.simulationHints().options()));
        this.options = PerStrategyOptions.of(byName);
        registry.providers().values().forEach(provider -> provider.validate(provider.simulationHints().options()));
    }

    public SimulationSettings settings() {
        return settings;
    }

    /** Runs one seed. */
    public SeedResult run(long seed) {
        Run run = new Run(seed);
        CURRENT.set(run.recorder);
        try {
            run.go();
        } finally {
            CURRENT.remove();
        }
        Recorder r = run.recorder;
        return new SeedResult(seed, r.messages, r.confirmed, r.delivered, r.lost, r.duplicates, r.orderViolations,
                r.corruptStored, r.controlBytes, r.confirmationBytes, r.pulls, r.retransmits, r.swaps, r.expired,
                r.maxUnconfirmed,
                r.maxBuffered, r.latenciesMillis, r.swapPairs, r.violation());
    }

    /**
     * The server's retire-after in the simulation: short, so that the away fault retires devices within a run (a
     * device away is down for 2 to 8 s longer).
     */
    static final Duration RETIRE_AFTER = Duration.ofSeconds(10);

    /** One seed's world. */
    private final class Run {
        final long seed;
        final VirtualScheduler scheduler;
        final Recorder recorder;
        final Checks checks;
        final SimNetwork network;
        final ServerDisk serverDisk;
        final FaultProfile profile;
        final HmacTokens tokens = new HmacTokens(SECRET);
        final StrategyRegistry observedRegistry;
        /** The strategy names devices offer, by preference: the one under test first. */
        final List<String> offered = new ArrayList<>();
        final SimServer server = new SimServer();
        final List<SimDevice> devices = new ArrayList<>();
        final Map<String, String> confirmedTo = new HashMap<>();
        boolean faulty = true;
        /** The copy of the server's data folder the server-restore fault puts back, if one was taken. */
        ServerDisk backup;
        int restores;

        Run(long seed) {
            this.seed = seed;
            this.scheduler = new VirtualScheduler(seed);
            this.recorder = new Recorder(seed, scheduler);
            this.checks = new Checks(recorder, scheduler);
            this.profile = settings.profile();
            this.network = new SimNetwork(scheduler, profile, checks, recorder);
            this.serverDisk = new ServerDisk(settings.bug() == null || !settings.bug().inServerStore());
            checks.serverDisk = serverDisk;
            List<ReliabilityStrategyProvider> observed = new ArrayList<>();
            providers.forEach((name, provider) -> {
                // A planted bug states the hints of the strategy it breaks: it is held to the same bounds.
                observed.add(new ObservedProvider(provider, provider.simulationHints(), checks, recorder));
                offered.add(provider.name());
            });
            this.observedRegistry = StrategyRegistry.of(observed);
            server.strategy = offered.get(0);
            scheduler.onFailure(e -> recorder.violated("ENGINE", "a task threw " + e));
        }

        void go() {
            devices.add(new SimDevice("alice", "laptop", "bob"));
            devices.add(new SimDevice("carol", "tablet", "bob"));
            devices.add(new SimDevice("bob", "phone", "alice"));
            devices.add(new SimDevice("bob", "desktop", null));
            server.start();
            for (SimDevice d : devices) {
                scheduler.schedule(scheduler.between(0, 50_000_000), Life.WORLD, d::start);
            }
            long phase = settings.faultPhase().toNanos();
            for (SimDevice d : devices) {
                if (d.sendsTo == null) {
                    continue;
                }
                int n = d.user.equals("bob") ? settings.messagesPerSender() / 4 : settings.messagesPerSender();
                for (int i = 0; i < n; i++) {
                    scheduler.schedule(scheduler.between(100_000_000, Math.max(100_000_001, phase * 9 / 10)),
                            Life.WORLD, d::sendOne);
                }
            }
            for (long t = TICK; t < phase; t += TICK) {
                scheduler.schedule(t, Life.WORLD, this::maybeCrash);
            }
            scheduler.runUntil(phase);
            if (recorder.broken()) {
                return;
            }
            heal();
            long deadline = scheduler.now() + settings.convergeWithin().toNanos();
            while (!converged() && scheduler.now() < deadline && !recorder.broken()) {
                scheduler.runUntil(scheduler.now() + 5 * TICK);
            }
            if (recorder.broken()) {
                return;
            }
            String lagging = lagging();
            if (lagging != null) {
                recorder.violated("G1", "not converged " + settings.convergeWithin().toSeconds()
                        + " s after the faults stopped: " + lagging);
                return;
            }
            checkNoLoss();
        }

        /** Commits fail only during the fault phase. */
        double commitFailRate() {
            return faulty ? profile.rate(FaultProfile.COMMIT_FAIL) : 0;
        }

        private void maybeCrash() {
            if (!faulty) {
                return;
            }
            double perTick = TICK / 60e9;
            for (SimDevice d : devices) {
                if (d.up && scheduler.chance(profile.rate(FaultProfile.CLIENT_CRASH) * perTick)) {
                    d.crash();
                    scheduler.schedule(scheduler.between(100_000_000, 5_000_000_000L), Life.WORLD, d::start);
                }
            }
            for (SimDevice d : devices) {
                if (d.up && scheduler.chance(profile.rate(FaultProfile.LOGOUT) * perTick)) {
                    d.logout();
                }
            }
            for (SimDevice d : devices) {
                if (d.up && scheduler.chance(profile.rate(FaultProfile.AWAY) * perTick)) {
                    d.crash();
                    long away = RETIRE_AFTER.toNanos() + scheduler.between(2_000_000_000L, 8_000_000_000L);
                    recorder.event(d.name, "GOES AWAY for " + Duration.ofNanos(away).toMillis() + " ms (retire-after "
                            + RETIRE_AFTER.toMillis() + " ms)");
                    scheduler.schedule(away, Life.WORLD, d::start);
                }
            }
            if (scheduler.chance(profile.rate(FaultProfile.CLOCK_JUMP) * perTick)) {
                clockJump();
            }
            if (server.up && scheduler.chance(profile.rate(FaultProfile.FORGED_CURSOR) * perTick)) {
                forgedHello();
            }
            if (server.up && scheduler.chance(profile.rate(FaultProfile.STALE_HELLO) * perTick)) {
                staleHello();
            }
            if (server.up && scheduler.chance(profile.rate(FaultProfile.SERVER_RESTORE) * perTick)) {
                if (backup == null) {
                    backup = serverDisk.copy();
                    recorder.event("server", "BACKUP: its data folder is copied");
                } else {
                    server.restore();
                    scheduler.schedule(scheduler.between(100_000_000, 5_000_000_000L), Life.WORLD, server::start);
                }
            } else if (server.up && scheduler.chance(profile.rate(FaultProfile.SERVER_CRASH) * perTick)) {
                server.crash();
                scheduler.schedule(scheduler.between(100_000_000, 5_000_000_000L), Life.WORLD, server::start);
            } else if (server.up && scheduler.chance(profile.rate(FaultProfile.SERVER_SWAP) * perTick)) {
                server.swap();
                scheduler.schedule(scheduler.between(100_000_000, 5_000_000_000L), Life.WORLD, server::start);
            }
        }

        private void heal() {
            faulty = false;
            network.heal();
            recorder.event("sim", "faults stop; every process starts if down");
            if (!server.up) {
                server.start();
            }
            for (SimDevice d : devices) {
                if (!d.up) {
                    d.start();
                }
            }
            if (profile.rate(FaultProfile.FORGED_CURSOR) > 0 || profile.rate(FaultProfile.SERVER_RESTORE) > 0
                    || profile.rate(FaultProfile.STALE_HELLO) > 0) {
                // A device that never ran joins: it must receive everything the server holds (G1, G10).
                SimDevice fresh = new SimDevice("bob", "fresh", null);
                checks.lateJoiners.add(fresh.name);
                devices.add(fresh);
                fresh.start();
            }
        }

        /**
         * The wall clock of the server's machine or of a device's jumps forward or back by a second to three days,
         * staying within ten days of the true time (tokens last thirty).
         */
        private void clockJump() {
            int which = (int) scheduler.between(0, devices.size() + 1);
            VirtualRuntime.WallClock clock = which == devices.size() ? server.clock : devices.get(which).clock;
            String who = which == devices.size() ? "server" : devices.get(which).name;
            long limit = Duration.ofDays(10).toMillis();
            long jump = scheduler.between(1_000, Duration.ofDays(3).toMillis()) * (scheduler.chance(0.5) ? 1 : -1);
            long offset = Math.max(-limit, Math.min(limit, clock.offsetMillis + jump));
            recorder.event(who, "CLOCK JUMPS " + (offset >= clock.offsetMillis ? "forward" : "back") + " by "
                    + Duration.ofMillis(Math.abs(offset - clock.offsetMillis)) + " (now " + Duration.ofMillis(offset)
                    + " off the true time)");
            clock.offsetMillis = offset;
        }

        /**
         * A device of bob's that nobody else knows says hello with a cursor the server cannot account for:
         * beyond the max seq, or at a seq it holds naming another message, with a generation of the server's
         * store or a made-up one. Nothing of bob's sequence or other devices may change.
         */
        private void forgedHello() {
            ServerDisk.Inbox in = serverDisk.inboxes.get("bob");
            long max = in == null ? 0 : in.maxSeq;
            boolean beyond = max == 0 || scheduler.chance(0.5);
            long cursor = beyond ? max + scheduler.between(1, 100) : scheduler.between(1, max + 1);
            String generation = scheduler.chance(0.5) && !serverDisk.generations.isEmpty()
                    ? serverDisk.generations.keySet().iterator().next() : "g9-forged";
            String token = tokens.mint(new Principal("bob", "rogue"), Duration.ofDays(30), VirtualRuntime.EPOCH_MILLIS);
            Hello forged = new Hello(io.imr.api.frame.Frame.PROTOCOL_VERSION, token, "bob", "rogue", offered, 1, cursor,
                    "mallory/forged-" + cursor, generation, scheduler.between(1, 5));
            recorder.event("bob/rogue", "FORGED hello at seq " + cursor + " of " + max);
            server.raw("bob/rogue", forged);
        }

        /** A hello of an earlier start of a device reaches the server late, on a connection of its own (bug 6). */
        private void staleHello() {
            List<SimDevice> candidates = new ArrayList<>();
            for (SimDevice d : devices) {
                List<Hello> sent = checks.hellos.getOrDefault(d.name, List.of());
                if (!sent.isEmpty() && sent.get(0).incarnation() < sent.get(sent.size() - 1).incarnation()) {
                    candidates.add(d);
                }
            }
            if (candidates.isEmpty()) {
                return;
            }
            SimDevice d = candidates.get(scheduler.random().nextInt(candidates.size()));
            List<Hello> sent = checks.hellos.get(d.name);
            long latest = sent.get(sent.size() - 1).incarnation();
            List<Hello> older = sent.stream().filter(h -> h.incarnation() < latest).toList();
            Hello stale = older.get(scheduler.random().nextInt(older.size()));
            recorder.event(d.name, "STALE hello of start " + stale.incarnation() + " (latest " + latest
                    + ") reaches the server");
            server.raw(d.name, stale);
        }

        private boolean converged() {
            return lagging() == null;
        }

        /** What keeps the world from having converged, or null. */
        private String lagging() {
            if (!server.up) {
                return "the server is down";
            }
            for (SimDevice d : devices) {
                if (!d.up) {
                    return d.name + " is down";
                }
                // A confirmed send may stay in the outbox until the next start when its removal commit
                // failed (the engine resends it then and the server answers from its dedup index).
                for (io.imr.api.store.OutboxEntry e : d.disk.outbox.values()) {
                    String id = d.user + "/" + e.clientId(d.disk.outboxId);
                    if (!confirmedTo.containsKey(id)) {
                        return d.name + " has send " + id + " in its outbox, never confirmed";
                    }
                }
                ServerDisk.Inbox in = serverDisk.inboxes.get(d.user);
                long max = in == null ? 0 : in.maxSeq;
                if (d.disk.server.seq() != max) {
                    return d.name + " holds up to seq " + d.disk.server.seq() + " of " + max + " of the server's";
                }
                // The same number is not the same sequence after a restore: the server must vouch for the position.
                if (max > 0 && !serverDisk.vouches(d.user, max, d.disk.server.id(), d.disk.server.store())) {
                    return d.name + "'s position at seq " + max + " (" + d.disk.server.id() + ", store "
                            + d.disk.server.store() + ") is not one the server's store vouches for: it must resync";
                }
            }
            return null;
        }

        /**
         * G1: every message confirmed to its sender is in every device of its recipient, and so is every message
         * the server holds. After a restore of the server's data folder, a confirmed message the copy did not
         * have is gone from the server and excused (what a restore took away); devices that had it keep it.
         */
        private void checkNoLoss() {
            checkExpiredRanges();
            for (Map.Entry<String, String> e : confirmedTo.entrySet()) {
                String id = e.getKey();
                int slash = id.indexOf('/');
                // The dedup index, not findBySender: a message trimmed by retention is not found any more.
                Message stored = serverDisk.dedup.get(ServerDisk.key(id.substring(0, slash), id.substring(slash + 1)));
                if (stored == null && restores > 0) {
                    continue;
                }
                for (SimDevice d : devices) {
                    if (d.user.equals(e.getValue()) && !d.disk.ids.contains(id)
                            && (stored == null || !expired(d, stored))) {
                        recorder.lost++;
                        recorder.violated("G1", "message " + id + " was confirmed to its sender but "
                                + d.name + " does not hold it" + (d.disk.expired.isEmpty() ? ""
                                : " (nor lies it in a range it recorded as expired: " + d.disk.expired + ")"));
                    }
                }
            }
            for (SimDevice d : devices) {
                ServerDisk.Inbox in = serverDisk.inboxes.get(d.user);
                if (in == null) {
                    continue;
                }
                for (Message m : in.messages.values()) {
                    // A restore may bring back messages trimmed before: a device that recorded them as expired
                    // rightly does not get them again.
                    if (!d.disk.ids.contains(m.id()) && !expired(d, m)) {
                        recorder.lost++;
                        recorder.violated("G1", "the server holds message " + m.id() + " (seq " + m.seq() + ") but "
                                + d.name + " does not");
                    }
                }
            }
        }

        /** Whether a device recorded a message's seq as expired. */
        private boolean expired(SimDevice d, Message m) {
            for (io.imr.api.store.ExpiredRange r : d.disk.expired) {
                if (r.contains(m.epoch(), m.seq())) {
                    return true;
                }
            }
            return false;
        }

        /** Never a silent gap, and never a made-up one: every seq a device recorded as expired, the server trimmed. */
        private void checkExpiredRanges() {
            for (SimDevice d : devices) {
                for (io.imr.api.store.ExpiredRange r : d.disk.expired) {
                    recorder.expired += r.count();
                    long trimmed = serverDisk.everTrimmedBelow.getOrDefault(d.user + "/" + r.epoch(), 0L);
                    if (r.to() >= trimmed) {
                        recorder.violated("G1", d.name + " recorded seqs " + r + " as expired, but the server never"
                                + " trimmed beyond seq " + (trimmed - 1) + " of " + d.user + "'s inbox");
                    }
                }
            }
        }

        /** The server process: its incarnations over one disk. */
        final class SimServer {
            /** The wall clock of the server's machine: it outlives the server's processes. */
            final VirtualRuntime.WallClock clock = new VirtualRuntime.WallClock();
            boolean up;
            int incarnation;
            Life life;
            /** The strategy the server runs now; the server-swap fault changes it. */
            String strategy;
            ServerEngine engine;

            /** kill -9, then the backup is put back in place of the data folder (server-restore). */
            void restore() {
                crash();
                serverDisk.restore(backup);
                backup = null;
                restores++;
                recorder.event("server", "RESTORED from the backup: what it stored after the copy is gone");
            }

            /** A connection of its own that says this hello and then nothing (the server closes it when silent). */
            void raw(String who, Hello hello) {
                FrameChannel sink = new FrameChannel() {
                    @Override
                    public void send(io.imr.api.frame.Frame frame) {
                        if (frame instanceof io.imr.api.frame.Welcome || frame instanceof io.imr.api.frame.ErrorFrame) {
                            recorder.event(who, "server answers the raw hello: " + frame);
                        }
                    }

                    @Override
                    public void close(io.imr.api.frame.ErrorFrame error) {
                    }

                    @Override
                    public String describe() {
                        return "raw connection of " + who;
                    }
                };
                engine.accept(sink).onFrame(hello);
            }

            /** kill -9, then a restart over the same disk with another strategy of the world (if there is one). */
            void swap() {
                crash();
                String from = strategy;
                if (offered.size() > 1) {
                    List<String> others = new ArrayList<>(offered);
                    others.remove(strategy);
                    strategy = others.get(scheduler.random().nextInt(others.size()));
                }
                recorder.swaps++;
                recorder.swapPairs.add(from + ">" + strategy);
                recorder.event("server", "SWAPS its strategy to " + strategy);
            }

            void start() {
                if (up) {
                    return;
                }
                life = new Life("server#" + ++incarnation);
                MemoryServerStore store = new MemoryServerStore(serverDisk, scheduler, life, Run.this::commitFailRate,
                        checks);
                int limit = (int) Math.ceil(profile.rate(FaultProfile.RATE_LIMIT));
                ServerEngineConfig config = ServerEngineConfig.builder().heartbeat(Duration.ofSeconds(1))
                        .helloTimeout(Duration.ofSeconds(2)).retireAfter(RETIRE_AFTER)
                        .retentionSweep(Duration.ofMillis(500)).sendRate(limit).sendBurst(limit > 0 ? 1 : 0)
                        .pullRate(limit).build();
                ReliabilityStrategyProvider runs = observedRegistry.get(strategy);
                engine = new ServerEngine(config, store, runs, options.forStrategy(strategy), tokens,
                        new VirtualRuntime(scheduler, life, clock), new SimpleMeterRegistry());
                network.serverUp(life, engine::accept);
                up = true;
                recorder.event("server", "STARTS (incarnation " + incarnation + ", strategy " + strategy + ")");
            }

            void crash() {
                recorder.event("server", "CRASHES (kill -9)");
                life.kill();
                network.serverDown();
                up = false;
            }
        }

        /** One device process: its incarnations over one disk. */
        final class SimDevice {
            final String user;
            final String device;
            final String name;
            final String sendsTo;
            final ClientDisk disk;
            final String token;
            /** The wall clock of the device's machine: it outlives the device's processes. */
            final VirtualRuntime.WallClock clock = new VirtualRuntime.WallClock();
            boolean up;
            int incarnation;
            Life life;
            ClientEngine engine;
            long counter;
            long handedUpTo;

            SimDevice(String user, String device, String sendsTo) {
                this.user = user;
                this.device = device;
                this.name = user + "/" + device;
                this.sendsTo = sendsTo;
                this.disk = new ClientDisk(user, device, Long.toHexString(scheduler.random().nextLong() >>> 1));
                this.token = tokens.mint(new Principal(user, device), Duration.ofDays(30), VirtualRuntime.EPOCH_MILLIS);
                checks.disks.put(name, disk);
            }

            void start() {
                if (up) {
                    return;
                }
                if (life != null) {
                    // The previous process has exited (after a logout: once its queued commits finished).
                    life.kill();
                }
                Life l = new Life(name + "#" + ++incarnation);
                life = l;
                MemoryClientStore store = new MemoryClientStore(disk, scheduler, l, Run.this::commitFailRate, checks);
                VirtualRuntime runtime = new VirtualRuntime(scheduler, l, clock);
                ClientEngineConfig config = ClientEngineConfig.builder().strategies(offered).options(options)
                        .reconnectInitial(Duration.ofMillis(100)).reconnectMax(Duration.ofSeconds(3)).sendWindow(64)
                        .resendAfter(Duration.ofSeconds(3)).build();
                handedUpTo = disk.handedOver;
                // A registry per process, as in production: meters are not what the simulation checks.
                MessageListener listener = new MessageListener() {
                    @Override
                    public void onMessage(Message m) {
                        handedOver(m);
                    }

                    @Override
                    public void expired(long from, long to) {
                        toldExpired(from, to);
                    }
                };
                engine = new ClientEngine(config, store, observedRegistry, token, network.connector(name, l), runtime,
                        new SimpleMeterRegistry(), listener, task -> scheduler.schedule(0, l, task), this::confirmed);
                engine.stopped().whenComplete((v, e) -> {
                    if (e == null || !l.alive()) {
                        return;
                    }
                    if (e instanceof io.imr.engine.ClientException.SessionReplacedException) {
                        // Only a later start of the same device may replace a session, and in the simulation a
                        // device runs one process at a time: a hello of an earlier start (in flight from a dead
                        // process, or the stale-hello fault) replaced this one (bug 6).
                        recorder.violated("ENGINE", name + " was REPLACED while it runs, by a hello of an earlier"
                                + " start: " + e.getMessage());
                    } else {
                        recorder.violated("ENGINE", name + " stopped: " + e);
                    }
                });
                engine.start();
                up = true;
                recorder.event(name, "STARTS (incarnation " + incarnation + ", cursor " + disk.cursor + ", outbox "
                        + disk.outbox.size() + ")");
            }

            void crash() {
                recorder.event(name, "CRASHES (kill -9)");
                life.kill();
                network.deviceDown(name);
                engine = null;
                up = false;
            }

            /** The application closes its client (a bye, queued commits finish) and starts it again later. */
            void logout() {
                recorder.event(name, "LOGS OUT (close)");
                up = false;
                ClientEngine closing = engine;
                engine = null;
                closing.close().whenComplete((v, e) -> scheduler.schedule(
                        scheduler.between(200_000_000, 3_000_000_000L), Life.WORLD, this::start));
            }

            void sendOne() {
                if (!up) {
                    return;
                }
                counter = Math.max(counter, disk.lastCounter) + 1;
                String clientId = disk.outboxId + "-" + counter;
                String id = user + "/" + clientId;
                byte[] noise = new byte[scheduler.random().nextInt(8, 64)];
                for (int i = 0; i < noise.length; i++) {
                    noise[i] = (byte) scheduler.random().nextInt(256);
                }
                byte[] payload = (id + ":" + java.util.HexFormat.of().formatHex(noise)).getBytes(StandardCharsets.UTF_8);
                checks.sent.put(id, payload);
                checks.senderOf.put(clientId, user);
                recorder.messages++;
                recorder.event(name, "app sends " + id + " to " + sendsTo);
                engine.send(counter, sendsTo, payload);
            }

            private void confirmed(SendConfirmation c) {
                if (confirmedTo.put(user + "/" + c.clientId(), c.to()) == null) {
                    recorder.confirmed++;
                }
            }

            /** The listener is told of an expired range only after the store recorded it. */
            private void toldExpired(long from, long to) {
                recorder.event(name, "app is told seqs " + from + ".." + to + " expired");
                boolean recorded = disk.expired.stream().anyMatch(r -> r.from() <= from && r.to() >= to);
                if (!recorded) {
                    recorder.violated("G1", name + "'s listener was told seqs " + from + ".." + to + " expired, which its"
                            + " store did not record: " + disk.expired);
                }
            }

            /** The listener: after the commit, in seq order (a restart may hand some over again). */
            private void handedOver(Message m) {
                if (!disk.ids.contains(m.id())) {
                    recorder.violated("G5", name + "'s listener got message " + m.id() + " before its commit");
                }
                if (m.seq() <= handedUpTo) {
                    recorder.violated("G3", name + "'s listener got seq " + m.seq() + " after seq " + handedUpTo);
                }
                handedUpTo = Math.max(handedUpTo, m.seq());
            }
        }
    }
}
