package io.imr.engine;

import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Bye;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Ping;
import io.imr.api.frame.Pong;
import io.imr.api.frame.Pull;
import io.imr.api.frame.Send;
import io.imr.api.frame.Welcome;
import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerStore;
import io.imr.api.strategy.Event;
import io.imr.engine.EpochResolution.Continuation;
import io.imr.engine.auth.Authenticated;
import io.imr.engine.auth.AuthenticationException;
import io.imr.engine.auth.Authenticator;
import io.imr.engine.auth.Principal;
import io.imr.engine.metrics.EngineMetrics;
import io.imr.engine.metrics.MetricNames;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntBiFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One connection on the server, from accept to close: the hello (version, token, strategy), the
 * welcome, liveness (hello timeout, heartbeats), and the routing of a device's frames: sends to the
 * {@link AppendPipeline}, confirmations and pulls to its device's strategy half, pings answered
 * here. Its state is one {@link State}, changed only by {@link #transition}, which refuses a move
 * the state machine does not allow and carries out what entering and leaving a state mean.
 *
 * <p>Owns: its state, its timer, its principal and device once welcomed, its pending-send count
 * (counted by the pipeline). May not touch: the store other than through {@link EpochResolution}
 * (off the context), a device's strategy half other than through its driver's {@code feed} and the
 * device's {@code attach}/{@code detach}, or another session other than closing the one it replaces.
 * Runs on the engine's context only.
 */
final class ServerSession {

    private static final Logger LOG = Logger.getLogger(ServerSession.class.getName());
    static final String REVOKED_MESSAGE = "this device was revoked: its tokens minted before then are refused;"
            + " the user must sign in again for a new token";

    /**
     * A session's states. {@code AWAITING_HELLO → AUTHENTICATING → ACTIVE → CLOSED}, and any state but
     * {@code CLOSED} may close; nothing else.
     */
    enum State {
        /** Accepted; the first frame must be a hello, within the hello timeout. */
        AWAITING_HELLO,
        /** The hello checked out; the store is read off the context to see where the session starts. */
        AUTHENTICATING,
        /** Welcomed: counted, attached to its device, watched for liveness. */
        ACTIVE,
        /** Gone; every later frame and close is ignored. */
        CLOSED;

        /** Whether a session in this state may move to {@code next}. */
        boolean mayMoveTo(State next) {
            return switch (this) {
                case AWAITING_HELLO -> next == AUTHENTICATING || next == CLOSED;
                case AUTHENTICATING -> next == ACTIVE || next == CLOSED;
                case ACTIVE -> next == CLOSED;
                case CLOSED -> false;
            };
        }
    }

    /** What every session of an engine works with. */
    record Shared(ServerEngineConfig config, EngineRuntime runtime, EngineMetrics metrics,
                  Authenticator authenticator, String strategy, ServerStore store, AppendPipeline appends,
                  BiFunction<Principal, DeviceState, ServerDevice> devices, AtomicInteger sessionCount,
                  BooleanSupplier engineClosed, Revocations revocations,
                  ToIntBiFunction<String, String> otherSessions) {
    }

    final FrameChannel channel;
    final long id;
    private final Shared shared;
    private final EngineRuntime runtime;
    Principal principal;
    /** Which start of the device's store said hello (bug 6: an earlier start never replaces a later one's session). */
    long incarnation;
    private ServerDevice device;
    private State state = State.AWAITING_HELLO;
    private long lastHeard;
    /** When the token of this session was minted (a revocation refuses tokens minted before it). */
    private long issuedAt;
    /** Sends of this session accepted and not yet committed: the {@link AppendPipeline} counts them. */
    int pendingSends;
    private EngineRuntime.Cancellable timer;
    /** The timer of a pull waiting for the device's pull rate to allow it, or null; and that pull. */
    private EngineRuntime.Cancellable heldPull;
    private Frame heldPullFrame;

    ServerSession(FrameChannel channel, long id, Shared shared) {
        this.channel = channel;
        this.id = id;
        this.shared = shared;
        this.runtime = shared.runtime();
    }

    /** The limits of the session's device; once welcomed. */
    DeviceLimits limits() {
        return device.limits;
    }

    boolean active() {
        return state == State.ACTIVE;
    }

    String describe() {
        return "session " + id + (principal == null ? "" : " of " + principal) + " (" + channel.describe() + ")";
    }

    /**
     * The one place the state changes: refuses a move {@link State#mayMoveTo} does not allow, then
     * carries out what leaving the old state and entering the new one mean.
     *
     * @param reason why a session closes, for its device's {@code Disconnected}; null otherwise
     * @throws IllegalStateException for a move the state machine does not allow (a bug of the engine)
     */
    private void transition(State next, String reason) {
        State from = state;
        if (!from.mayMoveTo(next)) {
            throw new IllegalStateException(describe() + ": no transition from " + from + " to " + next);
        }
        state = next;
        if (next == State.AUTHENTICATING) {
            shared.appends().watch(principal.user()); // an append committing meanwhile must reach the welcome
        }
        if (from == State.AUTHENTICATING) {
            shared.appends().unwatch(principal.user()); // once welcomed, its device watches
        }
        if (from == State.ACTIVE || from == State.AWAITING_HELLO) {
            cancelTimer(); // the liveness check, or the hello timeout
        }
        if (from == State.ACTIVE) {
            if (heldPull != null) {
                heldPull.cancel();
                heldPull = null;
            }
            shared.sessionCount().decrementAndGet();
            device.detach(this, reason);
        }
        if (next == State.ACTIVE) {
            shared.sessionCount().incrementAndGet();
            scheduleLiveness();
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    void opened() {
        lastHeard = runtime.nanoTime();
        if (shared.engineClosed().getAsBoolean()) {
            channel.close(new ErrorFrame(ErrorFrame.Code.UNAVAILABLE, "the server is shutting down; reconnect later"));
            transition(State.CLOSED, "the server is shutting down");
            return;
        }
        timer = runtime.schedule(shared.config().helloTimeout().toNanos(), () -> {
            if (state == State.AWAITING_HELLO) {
                close(ErrorFrame.Code.NOT_ALLOWED, "no hello within " + shared.config().helloTimeout().toSeconds()
                        + " s");
            }
        });
    }

    void onFrame(Frame frame) {
        if (state == State.CLOSED) {
            return;
        }
        lastHeard = runtime.nanoTime();
        if (state != State.ACTIVE) {
            if (frame instanceof Hello h && state == State.AWAITING_HELLO) {
                hello(h);
            } else {
                close(ErrorFrame.Code.NOT_ALLOWED, "the first frame must be a hello, got " + frame.type());
            }
            return;
        }
        if (frame instanceof Send s) {
            shared.appends().submit(this, s);
        } else if (frame instanceof Ack || frame instanceof AckUpTo) {
            device.driver.feed(new Event.FrameArrived(runtime.nanoTime(), runtime.nextRandom(), frame));
        } else if (frame instanceof Pull) {
            shared.metrics().pulls.increment();
            pull(frame);
        } else if (frame instanceof Ping p) {
            InboxState inbox = shared.appends().inbox(principal.user());
            channel.send(new Pong(p.nonce(), inbox.epoch(), inbox.maxSeq()));
        } else if (frame instanceof Pong) {
            // Liveness only: lastHeard is updated above.
        } else if (frame instanceof Bye) {
            close(null, null);
        } else {
            close(ErrorFrame.Code.NOT_ALLOWED, "a device may not send " + frame.type() + " frames");
        }
    }

    /** Hands a pull to the device's half, once the device's pull rate allows: late, or dropped if one waits. */
    private void pull(Frame frame) {
        long wait = device.limits.pull(runtime.nanoTime());
        if (wait == 0) {
            device.driver.feed(new Event.FrameArrived(runtime.nanoTime(), runtime.nextRandom(), frame));
            return;
        }
        shared.metrics().limited(MetricNames.LIMITED_PULL, 1);
        // One pull waits: the newest (it carries the highest committed cursor); an older one waiting is dropped, and
        // the device pulls again on its own timer if it still lacks what that one asked.
        heldPullFrame = frame;
        if (heldPull == null) {
            heldPull = runtime.schedule(wait, () -> {
                heldPull = null;
                Frame next = heldPullFrame;
                heldPullFrame = null;
                if (state == State.ACTIVE && next != null) {
                    pull(next);
                }
            });
        }
    }

    private void hello(Hello hello) {
        if (hello.protocolVersion() != Frame.PROTOCOL_VERSION) {
            close(ErrorFrame.Code.UNSUPPORTED_VERSION, "this server speaks protocol version " + Frame.PROTOCOL_VERSION
                    + ", the device " + hello.protocolVersion());
            return;
        }
        Authenticated token;
        try {
            token = shared.authenticator().authenticate(hello.token(), runtime.currentTimeMillis());
        } catch (AuthenticationException e) {
            refuse(e.reason(), e.getMessage());
            return;
        }
        Principal who = token.principal();
        if (!who.user().equals(hello.user()) || !who.device().equals(hello.device())) {
            refuse(AuthenticationException.Reason.WRONG_PRINCIPAL, "the token is for " + who + " but the device is "
                    + hello.user() + "/" + hello.device() + "; use a token made for this user and device");
            return;
        }
        if (shared.revocations().revokes(who, null, 0, token.issuedAtMillis())) {
            refuse(AuthenticationException.Reason.REVOKED, REVOKED_MESSAGE);
            return;
        }
        if (!hello.strategies().contains(shared.strategy())) {
            close(ErrorFrame.Code.NO_COMMON_STRATEGY, "this server runs strategy " + shared.strategy()
                    + "; the device offered " + String.join(", ", hello.strategies()));
            return;
        }
        principal = who;
        issuedAt = token.issuedAtMillis();
        incarnation = hello.incarnation();
        transition(State.AUTHENTICATING, null);
        // Where the session starts reads the store: off the context.
        runtime.blocking().execute(() -> EpochResolution.resolve(shared.store(), runtime, who, hello,
                c -> welcome(hello, c)));
    }

    private void welcome(Hello hello, Continuation c) {
        if (state != State.AUTHENTICATING) {
            return;
        }
        if (c.error() != null) {
            LOG.log(Level.WARNING, "hello of " + principal + " failed", c.error());
            close(ErrorFrame.Code.INTERNAL, "the server could not read its store; try again later");
            return;
        }
        if (shared.revocations().revokes(principal, c.kept(), c.userRevokedBefore(), issuedAt)) {
            // Revoked while the store was read, or before: the store's record says so once it committed.
            refuse(AuthenticationException.Reason.REVOKED, REVOKED_MESSAGE);
            return;
        }
        int maxSessions = shared.config().maxSessionsPerUser();
        if (maxSessions > 0 && shared.otherSessions().applyAsInt(principal.user(), principal.device()) >= maxSessions) {
            shared.metrics().limited(MetricNames.LIMITED_SESSIONS, 1);
            closeLimited("user " + principal.user() + " has " + maxSessions + " sessions open, the most this server"
                    + " allows; close one, or try again later", 3 * shared.config().heartbeat().toMillis());
            return;
        }
        ServerDevice d = shared.devices().apply(principal, c.kept());
        if (d.session != null && d.session.incarnation > incarnation) {
            // Bug 6: a hello of an earlier start of the device (in flight from a crashed copy) never replaces the
            // session of a later one.
            shared.metrics().staleHello();
            close(ErrorFrame.Code.STALE_HELLO, "a session of a later start (" + d.session.incarnation + ") of device "
                    + principal.device() + " is open; this hello is from start " + incarnation);
            return;
        }
        if (c.resync()) {
            shared.metrics().resync(c.reason());
            LOG.info("device " + principal + " said hello at " + hello.cursor() + " (" + hello.idAtCursor()
                    + ", store " + hello.serverStore() + "), which this store (" + shared.store().generation()
                    + ") cannot vouch for (" + c.reason() + "): it is served from seq " + (c.cursor() + 1));
        }
        // The inbox was read off the context: what committed since then is newer, and wins.
        InboxState inbox = shared.appends().settle(c.inbox());
        if (d.session != null) {
            d.session.close(ErrorFrame.Code.SESSION_REPLACED, "a newer session of device " + principal.device()
                    + " connected; this one is closed");
        }
        device = d;
        transition(State.ACTIVE, null);
        channel.send(new Welcome(Frame.PROTOCOL_VERSION, shared.strategy(), principal.user(), principal.device(),
                inbox.epoch(), c.cursor(), inbox.maxSeq(), shared.config().heartbeat().toMillis(),
                shared.store().generation(), c.resync()));
        d.attach(this, inbox.epoch(), c.cursor(), inbox.maxSeq());
    }

    private void scheduleLiveness() {
        long interval = shared.config().heartbeat().toNanos();
        timer = runtime.schedule(interval, () -> {
            if (state != State.ACTIVE) {
                return;
            }
            if (runtime.nanoTime() - lastHeard > 3 * interval) {
                close(null, "no frame for three heartbeat intervals (half-open connection?)");
            } else {
                scheduleLiveness();
            }
        });
    }

    /** Refuses a hello: counted by reason, answered with {@code AUTH_FAILED} (the message never holds the token). */
    private void refuse(AuthenticationException.Reason reason, String message) {
        shared.metrics().authRefused(reason.tag());
        close(ErrorFrame.Code.AUTH_FAILED, message);
    }

    /** Closes the connection with {@code RATE_LIMITED}: the device reconnects no sooner than {@code retryMillis}. */
    void closeLimited(String reason, long retryMillis) {
        if (state == State.CLOSED) {
            return;
        }
        channel.close(new ErrorFrame(ErrorFrame.Code.RATE_LIMITED, reason, "", Math.max(1, retryMillis)));
        onClosed(reason);
    }

    /** Closes the connection, telling the peer why when {@code code} is not null. */
    void close(ErrorFrame.Code code, String reason) {
        if (state == State.CLOSED) {
            return;
        }
        channel.close(code == null ? null : new ErrorFrame(code, reason));
        onClosed(reason == null ? "closed by the server" : reason);
    }

    /** The connection is gone. */
    void onClosed(String reason) {
        if (state != State.CLOSED) {
            transition(State.CLOSED, reason);
        }
    }
}
