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
 * One device of one user on the server: its strategy server half, the session it is attached
 * to (if any), and the durable per-device state the engine keeps the same for every strategy
 * (reported cursor, confirmed watermark). Kept in memory while connected and for a while after.
 */
final class ServerDevice {

    private static final Logger LOG = Logger.getLogger(ServerDevice.class.getName());

    final Principal principal;
    final Driver driver;
    private final EngineRuntime runtime;
    private final ServerStore store;
    private final ReliabilityStrategyProvider strategy;
    private final StrategyOptions options;
    private final EngineMetrics metrics;
    private final AtomicLong unconfirmedTotal;
    private final Consumer<ServerDevice> forget;
    ServerSession session;
    private ServerReliability half;
    private int lastUnconfirmed;
    private long reportedCursor;
    private long epoch;
    private EngineRuntime.Cancellable eviction;
    private final long evictAfterNanos;

    ServerDevice(Principal principal, EngineRuntime runtime, ServerStore store, ReliabilityStrategyProvider strategy,
                 StrategyOptions options, EngineMetrics metrics, AtomicLong unconfirmedTotal,
                 Consumer<ServerDevice> forget, long evictAfterNanos, DeviceState kept) {
        this.principal = principal;
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
        driver.feed(new Event.Started(runtime.nanoTime(), runtime.nextRandom(), kept.epoch(), kept.confirmed()));
    }

    private ServerReliability newHalf() {
        return strategy.newServer(new ServerSetup(principal.user(), principal.device(), options));
    }

    void attach(ServerSession s, long epoch, long cursor, long maxSeq) {
        if (eviction != null) {
            eviction.cancel();
            eviction = null;
        }
        if (session != null && session != s) {
            driver.feed(new Event.Disconnected(runtime.nanoTime(), runtime.nextRandom(), "replaced"));
        }
        session = s;
        this.epoch = epoch;
        this.reportedCursor = cursor;
        driver.feed(new Event.Connected(runtime.nanoTime(), runtime.nextRandom(), epoch, cursor, maxSeq));
    }

    void detach(ServerSession s, String reason) {
        if (session != s) {
            return;
        }
        session = null;
        driver.feed(new Event.Disconnected(runtime.nanoTime(), runtime.nextRandom(), reason));
        eviction = runtime.schedule(evictAfterNanos, () -> {
            if (session == null && !driver.commitRunning()) {
                driver.stop();
                updateUnconfirmed(0);
                forget.accept(this);
            }
        });
    }

    private void updateUnconfirmed(int now) {
        unconfirmedTotal.addAndGet(now - lastUnconfirmed);
        lastUnconfirmed = now;
    }

    /** Carries out the server half's actions with the store and the session. */
    final class Driver extends HalfDriver<ServerEvent, ServerAction, ServerActions> {

        Driver() {
            super(ServerDevice.this.runtime, new ServerActions());
        }

        @Override
        protected void deliver(ServerEvent event, ServerActions out) {
            half.on(event, out);
            updateUnconfirmed(half.unconfirmed());
        }

        @Override
        protected ServerEvent readyToPersist(long now, long random) {
            return new Event.ReadyToPersist(now, random);
        }

        @Override
        protected ServerEvent timerFired(long now, long random, String timer) {
            return new Event.TimerFired(now, random, timer);
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
            runtime.blocking().execute(() -> {
                List<Message> messages;
                long maxSeq;
                try {
                    messages = store.read(user, r.fromSeq(), r.limit());
                    InboxState inbox = store.inbox(user);
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
                    commitFinished(new Event.CommitDone(runtime.nanoTime(), runtime.nextRandom(), w.token()));
                } else {
                    commitFinished(new Event.CommitFailed(runtime.nanoTime(), runtime.nextRandom(), w.token(),
                            String.valueOf(error)));
                }
            });
        }

        @Override
        protected void halfFailed(RuntimeException e) {
            LOG.log(Level.SEVERE, "strategy " + strategy.name() + " failed for " + principal + "; starting it afresh", e);
            cancelTimers();
            half = newHalf();
            updateUnconfirmed(0);
            start();
            if (session != null) {
                session.close(ErrorFrame.Code.INTERNAL, "the server's strategy failed; reconnect");
            }
        }
    }

    @Override
    public String toString() {
        return "device " + principal + " (epoch " + epoch + ")";
    }
}
