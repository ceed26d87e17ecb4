package io.imr.engine;

import io.imr.api.Message;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.PullResult;
import io.imr.api.store.DeviceState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.ServerStore;
import io.imr.api.strategy.Action;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.ServerAction;
import io.imr.api.strategy.ServerActions;
import io.imr.api.strategy.ServerEvent;
import io.imr.api.strategy.ServerReliability;
import io.imr.api.strategy.ServerSetup;
import io.imr.api.strategy.StrategyOptions;
import io.imr.engine.auth.Principal;
import io.imr.engine.internal.HalfDriver;
import io.imr.engine.internal.StoreCommits;
import io.imr.engine.metrics.EngineMetrics;
import io.imr.api.store.InboxState;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One device of one user on the server: its strategy server half and the driver that carries out
 * the half's actions with the store and the session, the session it is attached to (if any), and
 * the durable per-device state the engine keeps the same for every strategy (reported cursor,
 * confirmed watermark). Kept in memory while connected and for a while after.
 *
 * <p>Owns: its half (replaced by a fresh one when it throws), the half's commits, its eviction.
 * May not touch: a session's state other than closing it, the inbox other than reading it off
 * the context, other devices. Runs on the engine's context only.
 */
final class ServerDevice {

    private static final Logger LOG = Logger.getLogger(ServerDevice.class.getName());

    final Principal principal;
    final Driver driver;
    /** How fast the device may send and pull: with the device, so that reconnecting refills nothing. */
    final DeviceLimits limits;
    private final EngineRuntime runtime;
    private final ServerStore store;
    private final ReliabilityStrategyProvider strategy;
    private final StrategyOptions options;
    private final EngineMetrics metrics;
    private final AtomicLong unconfirmedTotal;
    private final Consumer<ServerDevice> forget;
    ServerSession session;
    private ServerReliability half;
    /**
     * The half threw: it is told nothing more, and a fresh half starts once none of its commits runs
     * (at once when none does). Set until then, so that further throws queue no further restart.
     */
    private boolean broken;
    /** A half is being started: if it throws on its {@code Started}, it is not restarted again at once. */
    private boolean starting;
    private int lastUnconfirmed;
    private long reportedCursor;
    private long epoch;
    private EngineRuntime.Cancellable eviction;
    private final long evictAfterNanos;
    /** Told the user when a watermark of the device was committed: retention may trim more. */
    private final Consumer<String> confirmed;

    ServerDevice(Principal principal, EngineRuntime runtime, ServerStore store, ReliabilityStrategyProvider strategy,
                 StrategyOptions options, EngineMetrics metrics, AtomicLong unconfirmedTotal,
                 Consumer<ServerDevice> forget, long evictAfterNanos, DeviceState kept, Consumer<String> confirmed,
                 DeviceLimits limits) {
        this.principal = principal;
        this.limits = limits;
        this.confirmed = confirmed;
        this.evictAfterNanos = evictAfterNanos;
        this.runtime = runtime;
        this.store = store;
        this.strategy = strategy;
        this.options = options;
        this.metrics = metrics;
        this.unconfirmedTotal = unconfirmedTotal;
        this.forget = forget;
        this.half = newHalf();
        this.driver = new Driver();
        this.kept = kept;
        start();
    }

    /** What the store keeps of the device: loaded with it, then each watermark whose commit returned. */
    private DeviceState kept;

    /** Starts the (fresh) half from what the store keeps of the device, the same whatever strategy wrote it. */
    private void start() {
        starting = true;
        try {
            driver.feed(new Event.Started(runtime.nanoTime(), runtime.nextRandom(), kept.epoch(), kept.confirmed()));
        } finally {
            starting = false;
        }
    }

    private ServerReliability newHalf() {
        return strategy.newServer(new ServerSetup(principal.user(), principal.device(), options));
    }

    void attach(ServerSession s, long epoch, long cursor, long maxSeq) {
        if (eviction != null) {
            eviction.cancel();
            eviction = null;
        }
        // A session it had is gone by now: the welcome closed it, which detached it.
        session = s;
        limits.sessionStarted();
        this.epoch = epoch;
        this.reportedCursor = cursor;
        seen();
        if (broken) {
            // Its half threw and the fresh one has not started yet (a commit of the broken one runs), or
            // could not even start: nothing would serve this session. The device reconnects.
            s.close(ErrorFrame.Code.INTERNAL, "the server's strategy failed; reconnect");
            return;
        }
        driver.feed(new Event.Connected(runtime.nanoTime(), runtime.nextRandom(), epoch, cursor, maxSeq));
    }

    void detach(ServerSession s, String reason) {
        if (session != s) {
            return;
        }
        session = null;
        seen();
        driver.feed(new Event.Disconnected(runtime.nanoTime(), runtime.nextRandom(), reason));
        eviction = runtime.schedule(evictAfterNanos, this::evictIfIdle);
    }

    /**
     * Records that the device was seen now (a session of it welcomed or ended), so that retention does not
     * retire it. Its watermark is written as kept: the store never moves one back.
     */
    private void seen() {
        DeviceState state = new DeviceState(principal.user(), principal.device(), kept.epoch(),
                Math.max(reportedCursor, 0), kept.confirmed(), runtime.currentTimeMillis());
        StoreCommits.submit(runtime, () -> store.commit(ServerCommit.device(state)), (ok, error) -> {
            if (error != null) {
                LOG.fine(() -> "could not record when " + principal + " was seen: " + error);
            }
        });
    }

    /**
     * The idle time ran out: forgets the device, once no commit of its half runs (G7). Not while one
     * runs: the next hello would read the store before that commit's watermark is in it. If the device
     * connected again meanwhile, or went idle anew (a later eviction then decides), it stays.
     */
    private void evictIfIdle() {
        eviction = null;
        if (session != null || driver.stopped()) {
            return;
        }
        driver.pause(() -> {
            if (session == null && eviction == null && !driver.stopped()) {
                driver.stop();
                updateUnconfirmed(0);
                forget.accept(this);
            } else {
                driver.resume();
            }
        });
    }

    /** Replaces a half that threw by a fresh one, started from what the store keeps of the device. */
    private void restart() {
        if (!driver.stopped()) {
            half = newHalf();
            broken = false;
            start();
        }
        driver.resume();
    }

    private void updateUnconfirmed(int now) {
        unconfirmedTotal.addAndGet(now - lastUnconfirmed);
        lastUnconfirmed = now;
    }

    /** Carries out the server half's actions with the store and the session. */
    final class Driver extends HalfDriver<ServerEvent, ServerAction, ServerActions> {

        Driver() {
            super(ServerDevice.this.runtime, new ServerActions(), Event.ReadyToPersist::new, Event.TimerFired::new);
        }

        @Override
        protected void deliver(ServerEvent event, ServerActions out) {
            if (broken) {
                return; // a fresh half starts from the store, and the session is closed: nothing is lost
            }
            half.on(event, out);
            updateUnconfirmed(half.unconfirmed());
        }

        @Override
        protected boolean perform(ServerAction action) {
            if (action instanceof Action.SendFrame f) {
                send(f.frame());
                return false;
            }
            if (action instanceof Action.ReadInbox r) {
                read(r);
                return false;
            }
            if (action instanceof Action.PersistWatermark w) {
                persist(w);
                return true;
            }
            if (action instanceof Action.Signal s) {
                metrics.signal(s);
                return false;
            }
            if (action instanceof Action.Close c) {
                if (session != null) {
                    session.close(c.code(), c.reason());
                }
                return false;
            }
            throw new IllegalStateException("a server half cannot " + action.getClass().getSimpleName());
        }

        private void send(Frame frame) {
            if (session == null || !session.active()) {
                return;
            }
            if (frame instanceof PullResult p) {
                metrics.pullMessages.increment(p.messages().size());
            }
            session.channel.send(frame);
        }

        private void read(Action.ReadInbox r) {
            String user = principal.user();
            ServerSession reading = session; // a result that comes back in a later session does not close that one
            runtime.blocking().execute(() -> {
                List<Message> messages;
                long maxSeq;
                InboxState inbox;
                try {
                    messages = store.read(user, r.fromSeq(), r.limit());
                    inbox = store.inbox(user);
                    maxSeq = inbox.maxSeq();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "reading the inbox of " + user + " failed", e);
                    runtime.execute(() -> {
                        if (session != null) {
                            session.close(ErrorFrame.Code.INTERNAL, "the server could not read its store");
                        }
                    });
                    return;
                }
                if (r.fromSeq() < inbox.firstSeq() && r.fromSeq() <= maxSeq
                        && (messages.isEmpty() || messages.get(0).seq() > r.fromSeq())) {
                    // Retention trimmed what the half wants next while the device was connected: the half would
                    // deliver a hole. The device is told the expired range at its next hello (never a silent gap).
                    long from = r.fromSeq();
                    long to = inbox.firstSeq() - 1;
                    runtime.execute(() -> {
                        if (session != null && session == reading) {
                            session.close(ErrorFrame.Code.UNAVAILABLE, "seqs " + from + ".." + to + " of this inbox"
                                    + " expired (retention) before this device got them; reconnect to be told");
                        }
                        feed(new Event.InboxRead(runtime.nanoTime(), runtime.nextRandom(), r.token(), List.of(),
                                maxSeq));
                    });
                    return;
                }
                runtime.execute(() -> feed(new Event.InboxRead(runtime.nanoTime(), runtime.nextRandom(), r.token(),
                        messages, maxSeq)));
            });
        }

        private void persist(Action.PersistWatermark w) {
            DeviceState state = new DeviceState(principal.user(), principal.device(), w.epoch(),
                    Math.max(reportedCursor, 0), w.confirmed());
            StoreCommits.submit(runtime, () -> store.commit(ServerCommit.device(state)), (ok, error) -> {
                if (error == null) {
                    // The store never moves a watermark back within an epoch: neither does this copy of it.
                    boolean lower = kept.epoch() == state.epoch() && kept.confirmed() > state.confirmed();
                    kept = lower ? new DeviceState(state.user(), state.device(), state.epoch(), state.cursor(),
                            kept.confirmed()) : state;
                    confirmed.accept(principal.user());
                    commitFinished(new Event.CommitDone(runtime.nanoTime(), runtime.nextRandom(), w.token()));
                } else {
                    commitFinished(new Event.CommitFailed(runtime.nanoTime(), runtime.nextRandom(), w.token(),
                            String.valueOf(error)));
                }
            });
        }

        @Override
        protected void halfFailed(RuntimeException e) {
            if (broken) {
                return; // its restart is already queued
            }
            broken = true;
            cancelTimers();
            updateUnconfirmed(0);
            if (session != null) {
                session.close(ErrorFrame.Code.INTERNAL, "the server's strategy failed; reconnect");
            }
            if (starting) {
                // It failed on its Started: restarting at once would fail again, and again. The device
                // stays broken until it is evicted; its next hello after that tries a fresh half.
                LOG.log(Level.SEVERE, "strategy " + strategy.name() + " failed to start for " + principal, e);
                return;
            }
            LOG.log(Level.SEVERE, "strategy " + strategy.name() + " failed for " + principal
                    + "; starting it afresh" + (commitRunning() ? " once its commit returned" : ""), e);
            // Only once no commit of the broken half runs: that commit's outcome moves what the store keeps,
            // which the fresh half starts from, and must never reach the fresh half.
            pause(ServerDevice.this::restart);
        }
    }

    @Override
    public String toString() {
        return "device " + principal + " (epoch " + epoch + ")";
    }
}
