package io.imr.engine;

import io.imr.api.frame.Hello;
import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerStore;
import io.imr.engine.auth.Principal;
import java.util.function.Consumer;

/**
 * Where a device's session starts when it says hello (G1, G8, G10). A hello never changes the
 * user's sequence, its epoch or anything of another device: what a device says decides only where
 * its own session starts.
 *
 * <ul>
 *   <li>A device with no position (cursor 0) starts before the first message the server holds.</li>
 *   <li>A device whose position the store vouches for but whose next messages retention trimmed
 *       ({@link ServerStore#trim}) continues before the first message held: the welcome's cursor is above
 *       its own, and the device records the seqs between as expired, in the commit that moves its position
 *       (never a silent gap).</li>
 *   <li>A position the server's store vouches for ({@link ServerStore#vouches}: the message at the
 *       cursor has the echoed id, and was stored by the echoed generation of the store or by one
 *       before it that the store ran itself) continues where it is. So does a position the server set
 *       without a message at it, when it is exactly where the server starts anyway.</li>
 *   <li>Anything else is a <b>resync</b> of that session: the store went back (restored from an older
 *       copy, so the echoed generation ran after the copy and the copy never heard of it), is another
 *       store, or the device claims what it never got (a bug, a forged hello). The server cannot tell
 *       these apart from a hello and does not need to: it serves that device from the first message it
 *       holds, and the device recognises by id what it holds already.</li>
 * </ul>
 *
 * <p>Owns: the rule, as the pure function {@link #decide}: what the hello says and what the store
 * holds in, a {@link Decision} out. {@link #resolve} is its thin caller: it reads the store for the
 * decision and hands the {@link Continuation} back on the engine's context. May not touch: the
 * store other than reading it, the engine's state, sessions or devices, and the engine's context
 * ({@link #resolve} blocks on store reads: it runs on the runtime's blocking executor).
 */
final class EpochResolution {

    private EpochResolution() {
    }

    /** What the hello decides. */
    sealed interface Decision permits Continue, Resync {
        /** The seq after which the device is served (the welcome's cursor). */
        long cursor();
    }

    /** The device continues from {@code cursor}: its own position, or the start for a device new to the server. */
    record Continue(long cursor) implements Decision {
    }

    /**
     * The server cannot vouch for the device's position: it serves the device from {@code cursor} + 1, the
     * first message it holds.
     *
     * @param reason a {@link io.imr.engine.metrics.MetricNames#TAG_REASON} value: {@code other-epoch},
     *               {@code beyond-max-seq}, {@code no-id} or {@code not-vouched}
     */
    record Resync(long cursor, String reason) implements Decision {
    }

    /** What the store holds that {@link #decide} may ask about: asked only when the rule needs it. */
    interface Held {
        /** As {@link ServerStore#vouches}, for the user. */
        boolean vouches(long seq, String id, String generation);
    }

    /**
     * Decides where the session starts.
     *
     * @param hello the device's hello (its position, epoch and the generation it echoes)
     * @param inbox the user's inbox as the store holds it
     */
    static Decision decide(Hello hello, InboxState inbox, Held held) {
        long start = inbox.firstSeq() > 0 ? inbox.firstSeq() - 1 : inbox.maxSeq();
        long cursor = hello.cursor();
        if (cursor == 0) {
            return new Continue(start);
        }
        if (hello.epoch() != inbox.epoch()) {
            return new Resync(start, "other-epoch");
        }
        if (cursor > inbox.maxSeq()) {
            return new Resync(start, "beyond-max-seq");
        }
        if (hello.idAtCursor().isEmpty()) {
            // A position the server set with no message at it: good where the server starts anyway, or below it
            // when retention trimmed past it since and the store vouches for the generation that set it.
            if (cursor == start) {
                return new Continue(cursor);
            }
            return cursor < start && held.vouches(cursor, "", hello.serverStore()) ? new Continue(start)
                    : new Resync(start, "no-id");
        }
        if (held.vouches(cursor, hello.idAtCursor(), hello.serverStore())) {
            // Retention may have trimmed past the device's position (it was retired, or a limit of age or count):
            // it continues where the server holds messages, and is told that the seqs between expired.
            return new Continue(Math.max(cursor, start));
        }
        return new Resync(start, "not-vouched");
    }

    /**
     * Where a device's session starts, and what the store keeps of the device (its confirmed watermark),
     * which its strategy half starts from.
     *
     * @param resync the decision was a {@link Resync}; {@code reason} says why (empty otherwise)
     */
    record Continuation(InboxState inbox, long cursor, boolean resync, String reason, DeviceState kept,
                        long userRevokedBefore, RuntimeException error) {
        static Continuation failed(RuntimeException error) {
            return new Continuation(null, 0, false, "", null, 0, error);
        }
    }

    /**
     * Reads what the decision needs, decides, and hands where the session starts to {@code then} on the
     * engine's context; a failed read arrives there as a {@link Continuation#failed} continuation. Blocks
     * on store reads: call on the runtime's blocking executor.
     */
    static void resolve(ServerStore store, EngineRuntime runtime, Principal who, Hello hello,
                        Consumer<Continuation> then) {
        String user = who.user();
        Continuation c;
        try {
            DeviceState kept = store.device(user, who.device()).orElse(new DeviceState(user, who.device(), 0, 0, 0));
            long userRevoked = store.device(user, DeviceState.ALL_DEVICES).map(DeviceState::revokedBefore).orElse(0L);
            InboxState inbox = store.inbox(user);
            Decision d = decide(hello, inbox, (seq, id, generation) -> store.vouches(user, seq, id, generation));
            c = d instanceof Resync r ? new Continuation(inbox, r.cursor(), true, r.reason(), kept, userRevoked, null)
                    : new Continuation(inbox, d.cursor(), false, "", kept, userRevoked, null);
        } catch (RuntimeException e) {
            c = Continuation.failed(e);
        }
        Continuation result = c;
        runtime.execute(() -> then.accept(result));
    }
}
