package io.imr.engine;

import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerStore;
import io.imr.engine.internal.FailureEpisode;
import io.imr.engine.internal.StoreCommits;
import io.imr.engine.metrics.EngineMetrics;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Retention: trims each user's inbox below what every device that still counts has confirmed, so that
 * the server's data stops growing once devices confirm.
 *
 * <p><b>The rule</b> ({@link #below}, a pure function). A message may be removed once each device of
 * its user confirmed it, or is retired and the message is older than {@code retire-after}. A device is
 * retired when no session of it is up and none was welcomed or ended for {@code retire-after}; a user
 * with no device yet keeps messages for {@code retire-after} too. The message at a device's watermark
 * stays, so the device's next hello is vouched for by id. An optional {@code max-age} and
 * {@code max-count} remove older messages whatever devices confirmed. A device that comes back after
 * its messages were removed is told, in its welcome, exactly which range it can no longer get (see
 * {@link EpochResolution}); one connected while its next messages are removed is closed when it reads
 * them ({@link ServerDevice}) and told at its next hello. Never a silent gap.
 *
 * <p><b>When.</b> Every {@code retention-sweep} the inboxes whose devices confirmed more since the last
 * sweep; every tenth, every inbox (retirement and age need no confirmation to take effect). One user at
 * a time, at most {@link #STEP} messages per trim, off the hot path: reads on the blocking executor,
 * the trim a commit of the store's own writer.
 *
 * <p>Owns: which users wait, the sweep's timer, the trims. May not touch: sessions, devices' halves,
 * anything of the store but reading and trimming. Runs on the engine's context.
 */
final class InboxRetention {

    private static final Logger LOG = Logger.getLogger(InboxRetention.class.getName());

    /** At most this many messages per trim: one commit of bounded size, the rest at the next step. */
    static final long STEP = 65_536;
    /** Users read per page of a full sweep. */
    static final int PAGE = 1000;
    /** A full sweep every this many sweeps. */
    static final int FULL_EVERY = 10;

    /** The settings of the rule, in milliseconds of the server's wall clock; 0 for a limit that is off. */
    record Rule(long retireAfterMillis, long maxAgeMillis, int maxCount) {

        static Rule of(ServerEngineConfig config) {
            return new Rule(config.retireAfter().toMillis(), config.maxAge().toMillis(), config.maxCount());
        }
    }

    /**
     * The seq below which a user's inbox may be trimmed now ({@link InboxState#firstSeq()} or less: nothing).
     *
     * @param connected     the user's devices with a session up
     * @param startedMillis when this server started: a device counts as seen then at the latest (it could not be
     *                      seen while the server was down, nor its end of session recorded after a crash)
     * @param firstSeqSince as {@link ServerStore#firstSeqSince} for the user, asked only when needed
     */
    static long below(InboxState inbox, List<DeviceState> devices, Set<String> connected, long nowMillis,
                      long startedMillis, Rule rule, LongUnaryOperator firstSeqSince) {
        long end = inbox.maxSeq() + 1;
        long below = end;
        long retiredBefore = nowMillis - rule.retireAfterMillis();
        long ageFloor = -1;
        if (devices.stream().allMatch(d -> DeviceState.ALL_DEVICES.equals(d.device()))) {
            ageFloor = firstSeqSince.applyAsLong(retiredBefore);
            below = ageFloor;
        }
        for (DeviceState d : devices) {
            if (DeviceState.ALL_DEVICES.equals(d.device())) {
                continue; // a user's revocation of all its devices, no device
            }
            long confirmed = d.epoch() == inbox.epoch() ? d.confirmed() : 0;
            // A device could not be seen while the server was down: it counts as seen when the server started.
            long seen = d.lastSeen() == 0 ? 0 : Math.max(d.lastSeen(), startedMillis);
            // A device revoked since it was last seen counts as retired at once (a lost phone holds nothing back).
            boolean revoked = d.revokedBefore() > d.lastSeen();
            boolean retired = !connected.contains(d.device()) && (revoked || (seen > 0 && seen < retiredBefore));
            long bound = confirmed;
            if (retired) {
                if (ageFloor < 0) {
                    ageFloor = firstSeqSince.applyAsLong(retiredBefore);
                }
                bound = Math.max(confirmed, ageFloor);
            }
            below = Math.min(below, bound);
        }
        if (rule.maxAgeMillis() > 0) {
            below = Math.max(below, firstSeqSince.applyAsLong(nowMillis - rule.maxAgeMillis()));
        }
        if (rule.maxCount() > 0) {
            below = Math.max(below, end - rule.maxCount());
        }
        return Math.min(below, end);
    }

    private final ServerStore store;
    private final EngineRuntime runtime;
    private final EngineMetrics metrics;
    private final Rule rule;
    private final long sweepNanos;
    /** The user's devices with a session up, asked on the engine's context. */
    private final Function<String, Set<String>> connected;
    private final FailureEpisode trimming = new FailureEpisode("trimming inboxes (retention)", LOG::warning);
    /** Users to look at, in the order they came. */
    private final LinkedHashSet<String> waiting = new LinkedHashSet<>();
    /** Users of the full sweep's current page not looked at yet. */
    private final ArrayDeque<String> page = new ArrayDeque<>();
    /** Where the full sweep goes on (the last user of its last page), or null when none runs. */
    private String sweepAfter;
    private boolean pageLoading;
    private boolean working;
    private int sweeps;
    private EngineRuntime.Cancellable timer;
    private boolean closed;
    private final long startedMillis;

    InboxRetention(ServerStore store, EngineRuntime runtime, EngineMetrics metrics, ServerEngineConfig config,
                   Function<String, Set<String>> connected) {
        this.store = store;
        this.runtime = runtime;
        this.metrics = metrics;
        this.rule = Rule.of(config);
        this.sweepNanos = config.retentionSweep().toNanos();
        this.connected = connected;
        this.startedMillis = runtime.currentTimeMillis();
    }

    /**
     * Starts sweeping: a full sweep one {@code retention-sweep} after the start (the server may have been down for
     * long; its devices reconnect first), then as described above.
     */
    void start() {
        sweepAfter = "";
        timer = runtime.schedule(sweepNanos, this::tick);
    }

    /** A device of the user confirmed more: look at the user's inbox at the next sweep. */
    void confirmed(String user) {
        waiting.add(user);
    }

    void close() {
        closed = true;
        if (timer != null) {
            timer.cancel();
        }
    }

    private void tick() {
        if (closed) {
            return;
        }
        if (++sweeps % FULL_EVERY == 0 && sweepAfter == null) {
            sweepAfter = "";
        }
        timer = runtime.schedule(sweepNanos, this::tick);
        next();
    }

    /** Looks at the next user, if none is being looked at. */
    private void next() {
        if (working || closed) {
            return;
        }
        String user = !page.isEmpty() ? page.poll() : pollWaiting();
        if (user != null) {
            working = true;
            Set<String> up = connected.apply(user); // the engine's state: read here, on its context
            runtime.blocking().execute(() -> decide(user, up));
            return;
        }
        if (sweepAfter != null && !pageLoading) {
            loadPage();
        }
    }

    private String pollWaiting() {
        if (waiting.isEmpty()) {
            return null;
        }
        String user = waiting.iterator().next();
        waiting.remove(user);
        return user;
    }

    private void loadPage() {
        String after = sweepAfter;
        pageLoading = true;
        runtime.blocking().execute(() -> {
            List<String> users;
            try {
                users = store.users(after, PAGE);
            } catch (RuntimeException | Error e) {
                LOG.log(Level.WARNING, "retention could not list the inboxes; it tries again at the next sweep", e);
                users = null;
            }
            List<String> result = users;
            runtime.execute(() -> {
                pageLoading = false;
                if (result == null) {
                    sweepAfter = null;
                } else {
                    page.addAll(result);
                    sweepAfter = result.size() < PAGE ? null : result.get(result.size() - 1);
                }
                next();
            });
        });
    }

    /** On the blocking executor: reads what the rule needs and decides; then trims on the engine's context. */
    private void decide(String user, Set<String> up) {
        long below;
        long first;
        try {
            InboxState inbox = store.inbox(user);
            first = inbox.firstSeq() == 0 ? 1 : inbox.firstSeq();
            below = inbox.maxSeq() == 0 ? 0 : below(inbox, store.devices(user), up, runtime.currentTimeMillis(),
                    startedMillis, rule, millis -> store.firstSeqSince(user, millis));
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "retention could not read the inbox of " + user + "; it tries again later", e);
            runtime.execute(this::done);
            return;
        }
        if (below <= first) {
            runtime.execute(this::done);
            return;
        }
        long step = Math.min(below, first + STEP);
        runtime.execute(() -> trim(user, first, step, step < below));
    }

    private void trim(String user, long first, long below, boolean more) {
        if (closed) {
            working = false;
            return;
        }
        StoreCommits.submit(runtime, () -> store.trim(user, below), (after, error) -> {
            if (error != null) {
                trimming.failed(error, "nothing was removed; retention tries again at the next sweep");
            } else {
                trimming.succeeded();
                long removed = Math.max(0, after.firstSeq() - first);
                if (removed > 0) {
                    metrics.trimmed(removed);
                }
                if (more) {
                    waiting.add(user); // the next step, after the users waiting before it
                }
            }
            done();
        });
    }

    private void done() {
        working = false;
        next();
    }

    /** For tests: whether nothing waits and nothing runs. */
    boolean idle() {
        return !working && waiting.isEmpty() && page.isEmpty() && sweepAfter == null && !pageLoading;
    }
}
