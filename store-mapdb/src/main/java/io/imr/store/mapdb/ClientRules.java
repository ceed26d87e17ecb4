package io.imr.store.mapdb;

import io.imr.api.Checksums;
import io.imr.api.ClientIds;
import io.imr.api.Message;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientState;
import io.imr.api.store.OutboxEntry;
import java.util.List;

/**
 * The rules a commit to a device's store must keep (see {@link ClientCommit}), and the state it
 * leaves. Each check returns null when the commit keeps the rules, or says which rule it breaks.
 *
 * <p>The rules are split in two. What a commit must satisfy on its own (payload checksums, the
 * recipient, no hole inside its messages, increasing counters) is checked when it is submitted,
 * on the caller's thread, so the checksums are computed in parallel. What depends on the store's
 * state is checked by the writer, against the state left by the commits before it in the queue
 * that were actually applied: a commit queued before it may still fail, and only the writer knows.
 *
 * <p>Messages come in the server's numbering and are checked against the server position; the store
 * numbers what it stores itself, so its own numbering is contiguous by construction (G3).
 */
final class ClientRules {

    private ClientRules() {
    }

    /** The rules a commit keeps on its own; null if it keeps them. */
    static String checkAlone(ClientCommit c, String user) {
        List<Message> messages = c.messages();
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (!m.recipient().equals(user)) {
                return "message " + m.id() + " is to " + m.recipient() + ", but this store is user " + user + "'s";
            }
            if (!m.payloadIntact()) {
                return "message " + m.id() + " (seq " + m.seq() + ") has a payload that does not match its checksum";
            }
            if (!ClientIds.isClientId(m.clientId())) {
                return "message " + m.id() + " (seq " + m.seq() + ") has a client id that is not <outbox id>-<counter>"
                        + " (a server store never stores one)";
            }
            if (i > 0) {
                Message prev = messages.get(i - 1);
                if (m.seq() != prev.seq() + 1) {
                    return "messages must be in seq order without a hole, seq " + m.seq() + " follows seq "
                            + prev.seq();
                }
                if (m.epoch() != prev.epoch()) {
                    return "messages of one commit must be of one epoch, seq " + m.seq() + " is of epoch " + m.epoch()
                            + " and seq " + prev.seq() + " of epoch " + prev.epoch();
                }
            }
        }
        List<OutboxEntry> adds = c.outboxAdd();
        for (int i = 0; i < adds.size(); i++) {
            OutboxEntry e = adds.get(i);
            if (i > 0 && e.counter() <= adds.get(i - 1).counter()) {
                return "outbox counters must increase, " + e.counter() + " follows " + adds.get(i - 1).counter();
            }
            if (Checksums.crc32c(e.payload()) != e.payloadChecksum()) {
                return "outbox entry " + e.counter() + " has a payload that does not match its checksum";
            }
        }
        return null;
    }

    /**
     * The rules a commit keeps against the state before it; null if it keeps them. Its messages follow the
     * server position (after the commit's rebase, if any) without a hole or overlap, in its epoch.
     */
    static String checkAgainst(ClientMeta meta, ClientCommit c) {
        ClientState.ServerPosition server = c.rebase() != null ? c.rebase().position() : meta.server();
        List<Message> messages = c.messages();
        if (!messages.isEmpty()) {
            Message first = messages.get(0);
            if (first.seq() != server.seq() + 1) {
                return "messages must follow the server position " + server.seq() + " without a hole or overlap,"
                        + " the first has seq " + first.seq();
            }
            if (server.epoch() != 0 && first.epoch() != server.epoch()) {
                return "messages must be of the server position's epoch " + server.epoch()
                        + " (another epoch needs a rebase), got epoch " + first.epoch();
            }
        }
        if (!c.outboxAdd().isEmpty() && c.outboxAdd().get(0).counter() <= meta.lastCounter()) {
            return "outbox counters must be above every counter used before (" + meta.lastCounter() + "), got "
                    + c.outboxAdd().get(0).counter();
        }
        return null;
    }

    /** The hand-over rule, against the state after the commit's messages; null if it keeps it. */
    static String checkHandOver(ClientMeta before, ClientMeta after, ClientCommit c) {
        long handedOver = c.handedOver();
        if (handedOver != -1) {
            if (handedOver > after.cursor()) {
                return "hand-over to seq " + handedOver + " is beyond the cursor " + after.cursor();
            }
            if (handedOver < before.handedOver()) {
                return "hand-over must not move back, from " + before.handedOver() + " to " + handedOver;
            }
        }
        return null;
    }

    /**
     * The state a commit that keeps the rules leaves behind.
     *
     * @param stored the commit's messages that the store did not hold, numbered on from the store's cursor
     */
    static ClientMeta after(ClientMeta meta, ClientCommit c, List<Message> stored) {
        ClientMeta m = meta;
        if (c.rebase() != null) {
            m = m.withServer(c.rebase().position());
            if (c.rebase().expired() != null) {
                m = m.withExpired(c.rebase().expired());
            }
        }
        List<Message> messages = c.messages();
        if (!messages.isEmpty()) {
            Message last = messages.get(messages.size() - 1);
            m = m.withServer(new ClientState.ServerPosition(c.serverStore(), last.epoch(), last.seq(), last.id()));
        }
        if (!stored.isEmpty()) {
            Message first = stored.get(0);
            Message last = stored.get(stored.size() - 1);
            m = m.appended(first.epoch(), first.seq(), last.seq(), last.id(), stored.size());
        }
        if (c.handedOver() != -1) {
            m = m.withHandedOver(c.handedOver());
        }
        if (!c.outboxAdd().isEmpty()) {
            m = m.withLastCounter(c.outboxAdd().get(c.outboxAdd().size() - 1).counter());
        }
        return m;
    }
}
