package io.imr.engine;

import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Pull;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientState;
import io.imr.api.store.ClientStore;
import io.imr.api.strategy.Action;
import io.imr.api.strategy.ClientAction;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientEvent;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.ClientSetup;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.PerStrategyOptions;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.StrategyRegistry;
import io.imr.engine.internal.Dispatcher;
import io.imr.engine.internal.FailureEpisode;
import io.imr.engine.internal.HalfDriver;
import io.imr.engine.internal.StoreCommits;
import io.imr.engine.metrics.EngineMetrics;
import io.imr.engine.metrics.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The device's strategy client half and what its actions mean here: frames go out through the
 * {@link Uplink}, a persist is one store commit whose messages then go to the listener's
 * {@link Dispatcher}, a close drops the connection. A half is replaced (another strategy, a new
 * epoch, a half that threw) only when none of its commits runs, and then starts from the store.
 *
 * <p>Owns: the half, its provider, its timers and commit rhythm (through {@link HalfDriver}), the
 * meters of the strategy in use. May not: open connections, decide sessions, or touch the outbox.
 */
final class ClientDriver extends HalfDriver<ClientEvent, ClientAction, ClientActions> {

    private static final Logger LOG = Logger.getLogger(ClientDriver.class.getName());

    private final StrategyRegistry strategies;
    private final PerStrategyOptions options;
    private final ClientStore store;
    private final Committed committed;
    private final Dispatcher dispatcher;
    private final FailureEpisode storing = new FailureEpisode("storing received messages", LOG::warning);
    private final Uplink uplink;
    private final MeterRegistry registry;
    private final IntSupplier outboxSize;
    private final AtomicInteger buffered = new AtomicInteger();
    private volatile EngineMetrics metrics;
    private ReliabilityStrategyProvider provider;
    private ClientReliability half;
    /** The half threw: it gets no more events, and one restart waits for its running commit, if any. */
    private boolean broken;
    /** The server store generation of the session whose messages the half persists (G10). */
    private String serverStore = "";

    ClientDriver(EngineRuntime runtime, StrategyRegistry strategies, PerStrategyOptions options, ClientStore store,
                 Committed committed, Dispatcher dispatcher, Uplink uplink, MeterRegistry registry,
                 IntSupplier outboxSize) {
        super(runtime, new ClientActions(), Event.ReadyToPersist::new, Event.TimerFired::new);
        this.strategies = strategies;
        this.options = options;
        this.store = store;
        this.committed = committed;
        this.dispatcher = dispatcher;
        this.uplink = uplink;
        this.registry = registry;
        this.outboxSize = outboxSize;
    }

    /** The strategy in use, null before the first {@link #use}. */
    String strategy() {
        return provider == null ? null : provider.name();
    }

    /** The meters of the strategy in use (read from transport threads too). */
    EngineMetrics metrics() {
        return metrics;
    }

    /**
     * Starts a fresh half of this strategy from the store's committed state. Callers make sure no
     * commit of the old half runs ({@link #pause}).
     */
    void use(String name) {
        provider = strategies.get(name);
        if (metrics == null || !metrics.strategy().equals(provider.name())) {
            EngineMetrics m = new EngineMetrics(registry, MetricNames.SIDE_CLIENT, provider.name());
            m.gauge(MetricNames.OUTBOX_PENDING, outboxSize::getAsInt);
            m.gauge(MetricNames.UNCONFIRMED, buffered::get);
            metrics = m;
        }
        restart();
    }

    /**
     * The session in whose frames the half's messages arrive from now on is of this server store generation;
     * their commits record it with the server position (G10). Set before the session's first frame reaches
     * the half.
     *
     * @return whether the previous session was of the same generation, or there was none
     */
    boolean session(String generation) {
        boolean same = serverStore.isEmpty() || serverStore.equals(generation);
        this.serverStore = generation;
        return same;
    }

    /**
     * Replaces the half by a fresh one of the same strategy, started from the store's committed position in
     * the server's numbering (the half sees the server's seqs only; the store numbers what it holds itself).
     */
    void restart() {
        cancelTimers();
        half = provider.newClient(new ClientSetup(committed.get().user(), committed.get().device(),
                options.forStrategy(provider.name())));
        broken = false;
        ClientState.ServerPosition from = committed.get().server();
        feed(new Event.Started(runtime.nanoTime(), runtime.nextRandom(), from.epoch(), from.seq()));
    }

    @Override
    protected void deliver(ClientEvent event, ClientActions out) {
        if (broken) {
            return;
        }
        half.on(event, out);
        buffered.set(half.buffered());
    }

    @Override
    protected boolean perform(ClientAction action) {
        if (action instanceof Action.SendFrame f) {
            if (f.frame() instanceof Ack || f.frame() instanceof AckUpTo) {
                metrics.acksSent.increment();
            }
            uplink.send(f.frame());
            return false;
        }
        if (action instanceof Action.Persist p) {
            persist(p);
            return true;
        }
        if (action instanceof Action.PullRange r) {
            if (uplink.ready()) {
                metrics.pulls.increment();
                uplink.send(new Pull(r.fromSeq(), r.limit(), r.committed()));
            }
            return false;
        }
        if (action instanceof Action.Signal s) {
            metrics.signal(s);
            return false;
        }
        if (action instanceof Action.Close c) {
            uplink.drop(new ErrorFrame(c.code(), c.reason()), c.reason());
            return false;
        }
        throw new IllegalStateException("a client half cannot " + action.getClass().getSimpleName());
    }

    /**
     * One commit of the messages the half hands over, in the server's numbering. The store keeps what it does
     * not hold yet after its own last message (G2, G3, G10): when it stored them all, numbered on from its
     * cursor, they go to the listener from memory; when it held some (the server went back and sends them
     * again), the listener's dispatcher reads what was stored back from the store.
     */
    private void persist(Action.Persist p) {
        long t0 = runtime.nanoTime();
        long ownBefore = committed.get().cursor();
        String generation = serverStore;
        StoreCommits.submit(runtime, () -> store.commit(ClientCommit.messages(generation, p.messages())), (state, error) -> {
            if (error == null) {
                committed.take(state);
                EngineMetrics m = metrics;
                long now = runtime.currentTimeMillis();
                long stored = state.cursor() - ownBefore;
                m.commit(p.messages().size(), runtime.nanoTime() - t0);
                m.committed.increment(stored);
                m.duplicate.increment(p.messages().size() - stored);
                if (stored == p.messages().size()) {
                    List<Message> own = new ArrayList<>(p.messages().size());
                    long seq = ownBefore;
                    for (Message msg : p.messages()) {
                        m.deliveryLatency.record(Math.max(0, now - msg.serverTimeMillis()), TimeUnit.MILLISECONDS);
                        seq++;
                        own.add(msg.seq() == seq && msg.epoch() == state.epoch() ? msg : msg.renumbered(seq, state.epoch()));
                    }
                    dispatcher.committed(own);
                } else if (stored > 0) {
                    dispatcher.storedUpTo(state.cursor());
                }
                storing.succeeded();
                commitFinished(new Event.CommitDone(runtime.nanoTime(), runtime.nextRandom(), p.token()));
            } else {
                storing.failed(error, "the strategy gets them again, until the store writes again");
                commitFinished(new Event.CommitFailed(runtime.nanoTime(), runtime.nextRandom(), p.token(),
                        String.valueOf(error)));
            }
        });
    }

    /**
     * The half threw. It gets no more events; one fresh half replaces it as soon as its running
     * commit (if any) returned, and the connection is dropped, so the fresh half starts with a new
     * session. Further throws before that change nothing: there is one restart per broken half.
     */
    @Override
    protected void halfFailed(RuntimeException e) {
        if (broken) {
            return;
        }
        broken = true;
        LOG.log(Level.SEVERE, "strategy " + provider.name() + " failed; starting it afresh from the store", e);
        cancelTimers();
        uplink.drop(null, "strategy failed");
        pause(() -> {
            restart();
            resume();
        });
    }
}
