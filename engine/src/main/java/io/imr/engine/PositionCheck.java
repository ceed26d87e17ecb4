package io.imr.engine;

import io.imr.api.frame.Hello;
import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerStore;

/**
 * Where the server starts a device's session, from its hello (G1, G8, G10). A hello never changes
 * the user's sequence, nor anything of another device: what a device says decides only where its
 * own session starts.
 *
 * <ul>
 *   <li>A device with no position (cursor 0) starts before the first message the server holds.</li>
 *   <li>A position the server's store vouches for ({@link ServerStore#vouches}: the message at the
 *       cursor has the echoed id, and was stored by the echoed generation of the server's store or
 *       by one before it) continues where it is. So does a position at the start itself.</li>
 *   <li>Anything else is a <b>resync</b>: the server's store went back (restored from an older
 *       copy: the echoed generation ran after the copy and the store never heard of it), is another
 *       store, or the device claims what it never got (a bug, a forged hello). The server cannot
 *       tell these apart from the hello and does not need to: it serves that device from the first
 *       message it holds, and the device recognises by id what it holds already. Nothing else
 *       changes.</li>
 * </ul>
 *
 * <p>Owns: that decision. May not: write the store, or touch sessions. Reads the store: run it off
 * the engine's context.
 */
final class PositionCheck {

    /**
     * Where a session starts.
     *
     * @param inbox  the user's inbox as read for the decision
     * @param cursor the seq after which the device is served (the welcome's cursor)
     * @param resync whether the server could not vouch for the device's position
     * @param reason why it resynced (a {@link io.imr.engine.metrics.MetricNames#TAG_REASON} value), or empty
     * @param kept   what the store keeps of the device
     */
    record Start(InboxState inbox, long cursor, boolean resync, String reason, DeviceState kept) {
    }

    private PositionCheck() {
    }

    /** Decides where the device's session starts. Reads the store. */
    static Start decide(ServerStore store, String user, String device, Hello hello) {
        DeviceState kept = store.device(user, device).orElse(new DeviceState(user, device, 0, 0, 0));
        InboxState inbox = store.inbox(user);
        long start = inbox.firstSeq() > 0 ? inbox.firstSeq() - 1 : inbox.maxSeq();
        long cursor = hello.cursor();
        if (cursor == 0) {
            return new Start(inbox, start, false, "", kept);
        }
        String reason;
        if (hello.epoch() != inbox.epoch()) {
            reason = "other-epoch";
        } else if (cursor > inbox.maxSeq()) {
            reason = "beyond-max-seq";
        } else if (hello.idAtCursor().isEmpty()) {
            // A position the server set without a message at it: good only where the server would start anyway.
            if (cursor == start) {
                return new Start(inbox, cursor, false, "", kept);
            }
            reason = "no-id";
        } else if (store.vouches(user, cursor, hello.idAtCursor(), hello.serverStore())) {
            return new Start(inbox, cursor, false, "", kept);
        } else {
            reason = "not-vouched";
        }
        return new Start(inbox, start, true, reason, kept);
    }
}
