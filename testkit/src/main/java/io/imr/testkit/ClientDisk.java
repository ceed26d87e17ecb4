package io.imr.testkit;

import io.imr.api.Message;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientState;
import io.imr.api.store.OutboxEntry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * What survives a crash of a device: the committed content of its store, changed only by commits
 * that completed. The rules are those of the SPI ({@link ClientCommit}), as the MapDB store keeps
 * them: messages come in the server's numbering and follow the server position without a hole, of
 * its epoch, with intact payloads; a message whose id the store holds is not stored again, the
 * others are numbered on from the store's own cursor; a hand-over never back nor beyond the cursor;
 * outbox counters above every counter used. Each opening of a store over it counts one incarnation.
 */
final class ClientDisk {

    final String user;
    final String device;
    final String outboxId;
    long epoch;
    long cursor;
    String idAtCursor = "";
    long handedOver;
    long lastCounter;
    ClientState.ServerPosition server = ClientState.ServerPosition.NONE;
    long incarnation;
    /** The ranges of the server's sequence recorded as expired (retention). */
    List<io.imr.api.store.ExpiredRange> expired = List.of();
    final TreeMap<Long, Message> messages = new TreeMap<>();
    final Set<String> ids = new HashSet<>();
    final TreeMap<Long, OutboxEntry> outbox = new TreeMap<>();
    /** The highest server seq of each epoch that a commit carried (in the server's numbering). */
    private final Map<Long, Long> committedUpTo = new HashMap<>();

    ClientDisk(String user, String device, String outboxId) {
        this.user = user;
        this.device = device;
        this.outboxId = outboxId;
    }

    String name() {
        return user + "/" + device;
    }

    ClientState state() {
        long first = messages.isEmpty() ? 0 : messages.firstKey();
        return new ClientState(user, device, outboxId, epoch, cursor, idAtCursor, first, messages.size(), handedOver,
                lastCounter, outbox.size(), server, incarnation, expired);
    }

    /** Null when the commit keeps the store's rules, else which rule it breaks. */
    String check(ClientCommit c) {
        ClientState.ServerPosition pos = c.rebase() != null ? c.rebase().position() : server;
        List<Message> ms = c.messages();
        for (int i = 0; i < ms.size(); i++) {
            Message m = ms.get(i);
            if (!m.recipient().equals(user)) {
                return "message " + m.id() + " is to " + m.recipient() + ", not " + user;
            }
            if (!m.payloadIntact()) {
                return "message " + m.id() + " (seq " + m.seq() + ") has a payload that does not match its checksum";
            }
            if (!io.imr.api.ClientIds.isClientId(m.clientId())) {
                return "message " + m.id() + " (seq " + m.seq() + ") has a client id that is not <outbox id>-<counter>";
            }
            long expected = i == 0 ? pos.seq() + 1 : ms.get(i - 1).seq() + 1;
            if (m.seq() != expected) {
                return "messages must follow the server position " + pos.seq() + " without a hole or overlap: seq "
                        + m.seq() + " where " + expected + " was due";
            }
            if ((pos.epoch() != 0 || i > 0) && m.epoch() != (i == 0 ? pos.epoch() : ms.get(0).epoch())) {
                return "message seq " + m.seq() + " is of epoch " + m.epoch() + ", the server position's is "
                        + pos.epoch();
            }
        }
        long cursorAfter = cursor + toStore(ms).size();
        if (c.handedOver() != -1 && (c.handedOver() > cursorAfter || c.handedOver() < handedOver)) {
            return "hand-over to " + c.handedOver() + " must be from " + handedOver + " to the cursor " + cursorAfter;
        }
        List<OutboxEntry> adds = c.outboxAdd();
        for (int i = 0; i < adds.size(); i++) {
            long floor = i == 0 ? lastCounter : adds.get(i - 1).counter();
            if (adds.get(i).counter() <= floor) {
                return "outbox counter " + adds.get(i).counter() + " must be above " + floor;
            }
        }
        return null;
    }

    /** The received messages whose ids the store does not hold, in order, each id once. */
    private List<Message> toStore(List<Message> received) {
        List<Message> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Message m : received) {
            if (!ids.contains(m.id()) && seen.add(m.id())) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * Applies a commit that keeps the rules.
     *
     * @return the messages it stored, numbered in the store's own numbering (the others it held already)
     */
    List<Message> apply(ClientCommit c) {
        if (c.rebase() != null) {
            server = c.rebase().position();
            if (c.rebase().expired() != null) {
                expired = io.imr.api.store.ExpiredRange.recorded(expired, c.rebase().expired());
            }
        }
        List<Message> stored = new ArrayList<>();
        for (Message m : toStore(c.messages())) {
            Message own = m.seq() == cursor + 1 && m.epoch() == 1 ? m : m.renumbered(cursor + 1, 1);
            ids.add(own.id());
            messages.put(own.seq(), own);
            stored.add(own);
            epoch = 1;
            cursor = own.seq();
            idAtCursor = own.id();
        }
        for (Message m : c.messages()) {
            committedUpTo.merge(m.epoch(), m.seq(), Math::max);
        }
        if (!c.messages().isEmpty()) {
            Message last = c.messages().get(c.messages().size() - 1);
            server = new ClientState.ServerPosition(c.serverStore(), last.epoch(), last.seq(), last.id());
        }
        if (c.handedOver() != -1) {
            handedOver = c.handedOver();
        }
        for (OutboxEntry e : c.outboxAdd()) {
            outbox.put(e.counter(), e);
            lastCounter = e.counter();
        }
        c.outboxRemove().forEach(outbox::remove);
        return stored;
    }

    /** The highest seq of the server's numbering in {@code epoch} that a commit carried, 0 for none. */
    long committedUpTo(long epoch) {
        return committedUpTo.getOrDefault(epoch, 0L);
    }

    /** Whether the held messages are exactly first..cursor (G3). */
    boolean contiguous() {
        return messages.isEmpty() || messages.size() == messages.lastKey() - messages.firstKey() + 1
                && messages.lastKey() == cursor;
    }
}
