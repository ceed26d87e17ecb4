package io.imr.engine;

import io.imr.api.Message;
import io.imr.api.frame.Hello;
import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerStore;
import io.imr.engine.auth.Principal;
import io.imr.engine.internal.StoreCommits;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Where a device continues when it says hello (G10): in the user's current epoch from its own
 * cursor, or in a new epoch when its cursor does not fit the server's sequence.
 *
 * <p>Owns: the rule, as the pure function {@link #decide}: what the hello says and what the store
 * holds in, a {@link Decision} out. {@link #resolve} is its thin caller: it reads the store for
 * the decision, starts the new epoch when one is decided, and hands the {@link Continuation} back
 * on the engine's context. May not touch: the engine's state, sessions or devices, and the
 * engine's context ({@link #resolve} blocks on store reads: it runs on the runtime's blocking
 * executor).
 */
final class EpochResolution {

    private static final Logger LOG = Logger.getLogger(EpochResolution.class.getName());

    private EpochResolution() {
    }

    /** What the hello decides. */
    sealed interface Decision permits Continue, NewEpoch {
        /** The cursor the device continues from. */
        long cursor();
    }

    /** The device continues in the current epoch from {@code cursor}. */
    record Continue(long cursor) implements Decision {
    }

    /**
     * The server's sequence was regenerated or rolled back: a new epoch starts, numbered from above
     * {@code atLeast}, and the device continues in it from {@code cursor}.
     */
    record NewEpoch(long atLeast, long cursor) implements Decision {
    }

    /** What the store holds that {@link #decide} may look at: read only when the rule needs it. */
    interface Held {
        /** The message stored at {@code seq} of the user's inbox, or the next one held, if any. */
        Optional<Message> atOrAfter(long seq);

        /** The message stored under this id ({@code sender/clientId}), if any. */
        Optional<Message> byId(String id);
    }

    /**
     * Checks the device's cursor against the user's sequence. A cursor beyond the max seq, or naming
     * another message than the one stored there, means the server's sequence was regenerated or
     * rolled back: a new epoch starts above everything the device has, and the device continues from
     * its own cursor in it.
     *
     * @param user       the device's user
     * @param cursor     the committed cursor of its hello
     * @param idAtCursor the id of the message at that cursor, as its hello says
     * @param inbox      the user's inbox as the store holds it
     */
    static Decision decide(String user, long cursor, String idAtCursor, InboxState inbox, Held held) {
        if (cursor == 0) {
            return new Continue(0);
        }
        if (cursor <= inbox.maxSeq()) {
            Optional<Message> at = held.atOrAfter(cursor);
            boolean there = at.isPresent() && at.get().seq() == cursor;
            if (there && at.get().id().equals(idAtCursor)) {
                return new Continue(cursor);
            }
            if (!there) {
                // Trimmed below the first held seq: the device is simply ahead of what is kept.
                Optional<Message> byId = held.byId(idAtCursor);
                if (byId.isPresent() && byId.get().recipient().equals(user) && byId.get().seq() == cursor) {
                    return new Continue(cursor);
                }
            }
        }
        return new NewEpoch(Math.max(inbox.maxSeq(), cursor), cursor);
    }

    /**
     * Where a device continues: its cursor, in the current or a new epoch (G10), and what the store keeps
     * of the device (its confirmed watermark), which its strategy half starts from.
     */
    record Continuation(InboxState inbox, long cursor, DeviceState kept, RuntimeException error) {
        static Continuation failed(RuntimeException error) {
            return new Continuation(null, 0, null, error);
        }
    }

    /**
     * Reads what the decision needs, decides, starts the new epoch when one is decided (through
     * {@link StoreCommits}), and hands where the device continues to {@code then} on the engine's
     * context; a failed read or a failed new epoch arrives there as a {@link Continuation#failed}
     * continuation. Blocks on store reads: call on the runtime's blocking executor.
     */
    static void resolve(ServerStore store, EngineRuntime runtime, Principal who, Hello hello,
                        Consumer<Continuation> then) {
        String user = who.user();
        DeviceState kept;
        InboxState inbox;
        Decision decision;
        try {
            kept = store.device(user, who.device()).orElse(new DeviceState(user, who.device(), 0, 0, 0));
            inbox = store.inbox(user);
            decision = decide(user, hello.cursor(), hello.idAtCursor(), inbox, new Held() {
                @Override
                public Optional<Message> atOrAfter(long seq) {
                    List<Message> at = store.read(user, seq, 1);
                    return at.isEmpty() ? Optional.empty() : Optional.of(at.get(0));
                }

                @Override
                public Optional<Message> byId(String id) {
                    return findById(store, id);
                }
            });
        } catch (RuntimeException e) {
            runtime.execute(() -> then.accept(Continuation.failed(e)));
            return;
        }
        if (decision instanceof NewEpoch n) {
            LOG.warning("device cursor " + hello.cursor() + " (" + hello.idAtCursor() + ") of user " + user
                    + " does not match the server's sequence (epoch " + inbox.epoch() + ", max seq " + inbox.maxSeq()
                    + "); starting a new epoch");
            StoreCommits.submit(runtime, () -> store.startEpoch(user, n.atLeast()), (next, error) -> then.accept(
                    error == null ? new Continuation(next, n.cursor(), kept, null)
                            : Continuation.failed(new IllegalStateException("starting a new epoch failed", error))));
            return;
        }
        Continuation c = new Continuation(inbox, decision.cursor(), kept, null);
        runtime.execute(() -> then.accept(c));
    }

    private static Optional<Message> findById(ServerStore store, String id) {
        int slash = id.indexOf('/');
        if (slash <= 0) {
            return Optional.empty();
        }
        try {
            return store.findBySender(id.substring(0, slash), id.substring(slash + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
