package io.imr.engine;

import io.imr.api.frame.Bye;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Notify;
import io.imr.api.frame.Ping;
import io.imr.api.frame.Pong;
import io.imr.api.frame.PullResult;
import io.imr.api.frame.SendAck;
import io.imr.api.frame.Welcome;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientState;
import io.imr.api.store.ExpiredRange;
import io.imr.api.store.ClientStore;
import io.imr.api.strategy.Event;
import io.imr.engine.internal.InboundGate;
import io.imr.engine.internal.StoreCommits;
import io.imr.engine.metrics.EngineMetrics;
import io.imr.engine.metrics.MetricNames;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The device's session with the server: connection attempts with backoff, hello and welcome,
 * taking the strategy the server runs and where it starts the session in its numbering (the half is
 * swapped, or the store's server position set, before any frame of the session reaches it; G10),
 * heartbeats, and routing the server's frames to the strategy driver and the outbox. Its state is
 * one {@link State}, changed only by {@link #to}.
 *
 * <p>Owns: the connection attempt, its channel, its timers, the reconnect backoff. May not: hold
 * sends (the {@link Outbox} does), interpret messages (the strategy half does) or commit anything
 * but a rebase.
 */
final class ClientSession implements Uplink {

    private static final Logger LOG = Logger.getLogger(ClientSession.class.getName());

    /** One connection attempt and, once open, its channel. Callbacks of an attempt that is not the current one are ignored. */
    private static final class Attempt {
        FrameChannel channel;
        long lastHeard;
        /** Whether any frame of the server arrived on this attempt. */
        boolean heardAnything;
        long heartbeatNanos;
        EngineRuntime.Cancellable timer;
        final List<Frame> held = new ArrayList<>();

        void cancelTimer() {
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
        }
    }

    /** What the session tells the engine that owns it. */
    interface Owner {
        /** A session is up (each time). */
        void up();

        /** The server refused this device for good, or a newer session replaced it: the client stops. */
        void refused(ClientException why);

        /**
         * The store recorded seqs the server no longer holds as expired, after its message {@code afterSeq} (of its
         * own numbering), in the commit that moved its position past them.
         */
        void expired(ExpiredRange range, long afterSeq);
    }

    private final EngineRuntime runtime;
    private final ClientEngineConfig config;
    private final ClientConnector connector;
    /** One line when connecting starts failing (the server down, a TLS mismatch), one when a session is up again. */
    private final io.imr.engine.internal.FailureEpisode connecting;
    private final String token;
    private final ClientStore store;
    private final Committed committed;
    private final Owner owner;
    private final InboundGate inbound;
    private ClientDriver driver;
    private Outbox outbox;
    private ClientSessionState state = ClientSessionState.NEW;
    private Attempt current;
    private long reconnectDelayNanos;
    private EngineRuntime.Cancellable reconnectTimer;

    ClientSession(EngineRuntime runtime, ClientEngineConfig config, ClientConnector connector, String token,
                  ClientStore store, Committed committed, Owner owner) {
        this.runtime = runtime;
        this.config = config;
        this.connector = connector;
        this.connecting = new io.imr.engine.internal.FailureEpisode("connecting to " + connector.describe(),
                LOG::warning);
        this.token = token;
        this.store = store;
        this.committed = committed;
        this.owner = owner;
        this.inbound = new InboundGate(runtime, InboundGate.Limits.quarters(config.inboundFrames(),
                InboundGate.DEFAULT_ENGINE_HIGH_WATER, InboundGate.DEFAULT_SENDS_HIGH_WATER));
        this.reconnectDelayNanos = config.reconnectInitial().toNanos();
    }

    /** The pieces the session routes frames to (they are built with the session as their {@link Uplink}). */
    void wire(ClientDriver driver, Outbox outbox) {
        this.driver = driver;
        this.outbox = outbox;
    }

    ClientSessionState state() {
        return state;
    }

    /** The one way the state changes. */
    private void to(ClientSessionState next) {
        if (!state.mayMoveTo(next)) {
            throw new IllegalStateException("client session: " + state + " -> " + next + " is not a move it makes");
        }
        state = next;
    }

    // ---------------------------------------------------------------- Uplink

    @Override
    public boolean ready() {
        return state == ClientSessionState.UP;
    }

    @Override
    public void send(Frame frame) {
        if (state == ClientSessionState.UP) {
            current.channel.send(frame);
        }
    }

    @Override
    public void drop(ErrorFrame error, String reason) {
        if (current != null && (state == ClientSessionState.CONNECTING || state == ClientSessionState.HELLO_SENT || state == ClientSessionState.SETTLING
                || state == ClientSessionState.UP)) {
            lost(current, error, reason);
        }
    }

    // ---------------------------------------------------------------- attempts

    /** Makes the first connection attempt. */
    void start() {
        connect();
    }

    private void connect() {
        to(ClientSessionState.CONNECTING);
        Attempt a = new Attempt();
        current = a;
        connector.connect(new ClientConnector.Attempt() {
            @Override
            public ConnectionHandler connected(FrameChannel channel) {
                // Frames the context has not processed yet are bounded: above the gate's mark, reading pauses.
                InboundGate.Gated gated = inbound.open(channel);
                runtime.execute(() -> opened(a, gated.channel()));
                return gated.handler(frame -> frame(a, frame), reason -> {
                    if (a == current) {
                        if (state == ClientSessionState.HELLO_SENT && !a.heardAnything) {
                            // Said once per streak: the usual cause is a plain-text client at a TLS port.
                            connecting.failed(new IllegalStateException("the server at " + connector.describe()
                                    + " closed the connection without answering the hello (" + reason + "); if it"
                                    + " speaks TLS, connect to tls://HOST:PORT or wss://HOST:PORT/PATH"),
                                    "retrying with backoff");
                        }
                        lost(a, null, reason);
                    }
                });
            }

            @Override
            public void failed(Throwable cause) {
                runtime.execute(() -> {
                    if (a == current) {
                        LOG.fine("connecting to " + connector.describe() + " failed: " + cause);
                        connecting.failed(cause, "retrying with backoff");
                        lost(a, null, String.valueOf(cause));
                    }
                });
            }
        });
    }

    private void opened(Attempt a, FrameChannel channel) {
        if (a != current || state != ClientSessionState.CONNECTING) {
            channel.close(null); // an attempt given up while it was pending
            return;
        }
        a.channel = channel;
        a.lastHeard = runtime.nanoTime();
        to(ClientSessionState.HELLO_SENT);
        ClientState s = committed.get();
        // Where the device stands in the server's numbering, with the generation that vouches for it (G10), and
        // which start of the store this is (an older start's hello must never replace this one's session).
        ClientState.ServerPosition at = s.server();
        channel.send(new Hello(Frame.PROTOCOL_VERSION, token, s.user(), s.device(), config.strategies(), at.epoch(),
                at.seq(), at.seq() == 0 ? "" : at.id(), at.seq() == 0 ? "" : at.store(), Math.max(1, s.incarnation())));
        a.timer = runtime.schedule(config.welcomeTimeout().toNanos(), () -> {
            if (a == current && state == ClientSessionState.HELLO_SENT) {
                lost(a, null, "no welcome within " + config.welcomeTimeout().toSeconds() + " s");
            }
        });
    }

    /**
     * The current attempt is over (closed by either side, failed, or given up): close its channel if
     * it has one, tell the half if a session was up, and reconnect after the backoff.
     */
    private void lost(Attempt a, ErrorFrame error, String reason) {
        boolean wasWelcomed = state == ClientSessionState.SETTLING || state == ClientSessionState.UP;
        a.cancelTimer();
        if (a.channel != null) {
            a.channel.close(error);
        }
        current = null;
        outbox.connectionLost();
        if (state == ClientSessionState.STOPPED) {
            return;
        }
        to(ClientSessionState.WAITING);
        if (wasWelcomed) {
            driver.feed(new Event.Disconnected(runtime.nanoTime(), runtime.nextRandom(), reason));
        }
        if (state != ClientSessionState.WAITING) {
            return; // the half stopped the client meanwhile
        }
        long base = reconnectDelayNanos;
        // Full jitter on the upper half, so that many clients cut at once do not reconnect at once.
        long delay = base / 2 + Math.floorMod(runtime.nextRandom(), Math.max(1, base / 2 + 1));
        reconnectDelayNanos = Math.min(base * 2, config.reconnectMax().toNanos());
        reconnectTimer = runtime.schedule(delay, () -> {
            if (state == ClientSessionState.WAITING) {
                connect();
            }
        });
    }

    /** Says bye if a session is up, closes the connection and stops reconnecting. */
    void stop(boolean sayBye) {
        if (state == ClientSessionState.STOPPED) {
            return;
        }
        Attempt a = current;
        boolean wasWelcomed = state == ClientSessionState.SETTLING || state == ClientSessionState.UP;
        to(ClientSessionState.STOPPED);
        if (reconnectTimer != null) {
            reconnectTimer.cancel();
        }
        if (a != null) {
            a.cancelTimer();
            if (a.channel != null) {
                if (sayBye && wasWelcomed) {
                    a.channel.send(new Bye("client closing"));
                }
                a.channel.close(null);
            }
            current = null;
        }
    }

    // ---------------------------------------------------------------- frames

    private void frame(Attempt a, Frame frame) {
        if (a != current) {
            return;
        }
        a.lastHeard = runtime.nanoTime();
        a.heardAnything = true;
        switch (state) {
            case HELLO_SENT -> {
                if (frame instanceof Welcome w) {
                    welcome(a, w);
                } else if (frame instanceof ErrorFrame e) {
                    serverError(a, e);
                } else {
                    lost(a, new ErrorFrame(ErrorFrame.Code.NOT_ALLOWED, "expected a welcome, got " + frame.type()),
                            "protocol error");
                }
            }
            case SETTLING -> a.held.add(frame);
            case UP -> route(a, frame);
            default -> { }
        }
    }

    private void route(Attempt a, Frame frame) {
        EngineMetrics metrics = driver.metrics();
        if (frame instanceof Deliver d) {
            metrics.received.increment(d.messages().size());
            toHalf(frame);
        } else if (frame instanceof PullResult p) {
            metrics.received.increment(p.messages().size());
            metrics.pullMessages.increment(p.messages().size());
            toHalf(frame);
        } else if (frame instanceof Notify || frame instanceof Pong) {
            toHalf(frame);
        } else if (frame instanceof SendAck ack) {
            outbox.acked(ack);
        } else if (frame instanceof Ping p) {
            a.channel.send(new Pong(p.nonce(), 0, 0));
        } else if (frame instanceof ErrorFrame e) {
            if (e.code() == ErrorFrame.Code.SEND_REFUSED) {
                outbox.refused(e);
            } else if (e.code() == ErrorFrame.Code.RATE_LIMITED && !e.ref().isEmpty()) {
                driver.metrics().limited(MetricNames.LIMITED_SEND, 1);
                outbox.limited(e);
            } else {
                serverError(a, e);
            }
        } else if (frame instanceof Bye) {
            lost(a, null, "the server said bye");
        } else {
            lost(a, new ErrorFrame(ErrorFrame.Code.NOT_ALLOWED, "a server may not send " + frame.type()),
                    "protocol error");
        }
    }

    private void toHalf(Frame frame) {
        driver.feed(new Event.FrameArrived(runtime.nanoTime(), runtime.nextRandom(), frame));
    }

    private void serverError(Attempt a, ErrorFrame e) {
        switch (e.code()) {
            case AUTH_FAILED, NO_COMMON_STRATEGY, UNSUPPORTED_VERSION -> owner.refused(
                    new ClientException.RefusedException(e.code(), "the server refused this client: " + e.message()));
            case SESSION_REPLACED -> owner.refused(new ClientException.SessionReplacedException(
                    "a newer session of this device replaced this one: " + e.message()));
            // Too many sessions of the user, or connections from this address: reconnect no sooner than told (up to
            // the longest reconnect delay: a buggy or hostile server cannot stall the client).
            case RATE_LIMITED -> {
                LOG.warning("the server limits this client: " + e.message() + "; trying again in "
                        + e.retryAfterMillis() + " ms");
                reconnectDelayNanos = Math.max(reconnectDelayNanos, Math.min(2 * e.retryAfterMillis() * 1_000_000L,
                        config.reconnectMax().toNanos()));
                lost(a, null, e.message());
            }
            // A session of a later start of this store is open (a copy of it, or one the server has not seen die yet):
            // try again later; once that session is gone, this start's hello is welcome.
            case STALE_HELLO -> {
                LOG.warning("the server holds a session of a later start of this device: " + e.message());
                lost(a, null, e.message());
            }
            default -> {
                LOG.info("server closed the session: " + e.code() + " " + e.message());
                lost(a, null, e.message());
            }
        }
    }

    // ---------------------------------------------------------------- welcome

    private void welcome(Attempt a, Welcome w) {
        a.cancelTimer();
        ClientState s = committed.get();
        if (!w.user().equals(s.user()) || !w.device().equals(s.device())) {
            owner.refused(new ClientException.RefusedException(ErrorFrame.Code.AUTH_FAILED, "the token is for "
                    + w.user() + "/" + w.device() + " but this store belongs to " + s.user() + "/" + s.device()));
            return;
        }
        if (!config.strategies().contains(w.strategy())) {
            owner.refused(new ClientException.RefusedException(ErrorFrame.Code.NO_COMMON_STRATEGY,
                    "the server picked strategy " + w.strategy() + ", which this client did not offer"));
            return;
        }
        to(ClientSessionState.SETTLING);
        reconnectDelayNanos = config.reconnectInitial().toNanos();
        a.heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(w.heartbeatMillis());
        heartbeat(a);
        driver.pause(() -> settle(a, w));
    }

    /**
     * With no commit of the half running and none offered: takes the strategy the server picked and
     * where the server starts the session in its numbering, then brings the session up.
     */
    private void settle(Attempt a, Welcome w) {
        if (a != current || state != ClientSessionState.SETTLING) {
            driver.resume();
            return;
        }
        if (!w.strategy().equals(driver.strategy())) {
            driver.use(w.strategy());
        }
        // Messages the half took in from a session of another server store generation and has not committed yet
        // may be of a lineage that store does not have (it was restored from an older copy): a fresh half starts
        // from the committed position, and the server sends again what follows it.
        boolean otherGeneration = !driver.session(w.serverStore());
        // The server serves the device from another point than the store's position (G10): it could not vouch
        // for the position (resync), or the store has none in this epoch yet, or starts after the first message
        // the server holds. When the server continues, the store's position may be ahead of the welcome's, as a
        // commit can return between the hello and the welcome: the store's is kept.
        ClientState.ServerPosition at = committed.get().server();
        if (w.resync() || w.epoch() != at.epoch() || w.cursor() > at.seq()) {
            rebase(a, w);
        } else {
            if (otherGeneration) {
                driver.restart();
            }
            driver.resume();
            up(a, w);
        }
    }

    /**
     * Sets the store's position in the server's numbering where the server starts the session (G10). The
     * store's messages and own numbering stay: what the server sends that the store holds (by id) is not
     * stored again, the rest follows the store's last message.
     */
    private void rebase(Attempt a, Welcome w) {
        ClientState.ServerPosition at = committed.get().server();
        ExpiredRange expired = expiredBy(at, w);
        ClientCommit commit = ClientCommit.rebase(new ClientCommit.Rebase(w.serverStore(), w.epoch(), w.cursor(),
                expired));
        if (w.resync()) {
            LOG.warning("the server (store " + w.serverStore() + ") could not vouch for this device's position "
                    + committed.get().server() + "; it serves the device from seq " + (w.cursor() + 1)
                    + " and what this device holds is recognised by id");
        }
        StoreCommits.submit(runtime, () -> store.commit(commit), (after, error) -> {
            if (error == null) {
                // The store is at the new position whether or not this session is still up: take its state now.
                committed.take(after);
                driver.restart();
                if (expired != null) {
                    LOG.warning("seqs " + expired.from() + ".." + expired.to() + " of the server's sequence expired"
                            + " before this device got them (the server trimmed them while it was away): "
                            + expired.count() + " messages it can no longer get, recorded as expired");
                    owner.expired(expired, after.cursor());
                }
            }
            driver.resume();
            if (a != current || state != ClientSessionState.SETTLING) {
                return;
            }
            if (error != null) {
                LOG.warning("could not set the server position " + w.cursor() + " of store " + w.serverStore() + ": "
                        + error);
                lost(a, null, "rebase failed");
                return;
            }
            up(a, w);
        });
    }

    /**
     * The seqs a welcome says this device can no longer get, or null: recorded as expired with the position, so that
     * a gap is never silent. The server starts after a seq above the device's position in the same epoch (or a
     * device new to it after its first message): retention trimmed the seqs between before the device got them. On
     * a resync the device's position is of another lineage, and a welcome's cursor above 0 says the server trimmed
     * every seq up to it: the device cannot tell which of them it holds, and records them all.
     */
    static ExpiredRange expiredBy(ClientState.ServerPosition at, Welcome w) {
        if (w.cursor() == 0) {
            return null;
        }
        if (w.resync()) {
            return new ExpiredRange(w.epoch(), 1, w.cursor());
        }
        return (at.epoch() == w.epoch() || at.seq() == 0) && w.cursor() > at.seq()
                ? new ExpiredRange(w.epoch(), at.seq() + 1, w.cursor()) : null;
    }

    /** The half is in place: tell it the session is up, then hand it what arrived meanwhile. */
    private void up(Attempt a, Welcome w) {
        to(ClientSessionState.UP);
        connecting.succeeded();
        ClientState.ServerPosition at = committed.get().server();
        driver.feed(new Event.Connected(runtime.nanoTime(), runtime.nextRandom(), at.epoch(), at.seq(), w.maxSeq()));
        if (a != current || state != ClientSessionState.UP) {
            return; // the half closed it at once
        }
        owner.up();
        outbox.pump();
        List<Frame> held = new ArrayList<>(a.held);
        a.held.clear();
        for (Frame f : held) {
            frame(a, f);
        }
    }

    private void heartbeat(Attempt a) {
        a.timer = runtime.schedule(a.heartbeatNanos, () -> {
            if (a != current || (state != ClientSessionState.SETTLING && state != ClientSessionState.UP)) {
                return;
            }
            if (runtime.nanoTime() - a.lastHeard > 3 * a.heartbeatNanos) {
                lost(a, null, "no frame from the server for three heartbeat intervals");
                return;
            }
            a.channel.send(new Ping(runtime.nanoTime()));
            outbox.resendOverdue();
            heartbeat(a);
        });
    }
}
