package io.imr.testkit;

import io.imr.api.Message;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientState;
import io.imr.api.store.OutboxEntry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * What survives a crash of a device: the committed content of its store, changed only by commits
 * that completed. The rules are those of the SPI ({@link ClientCommit}), as the MapDB store keeps
 * them: messages follow the cursor without a hole, one epoch per commit, intact payloads, a rebase
 * only to a higher epoch and never back, a hand-over never back nor beyond the cursor, outbox
 * counters above every counter used.
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
    final TreeMap<Long, Message> messages = new TreeMap<>();
    final Set<String> ids = new HashSet<>();
    final TreeMap<Long, OutboxEntry> outbox = new TreeMap<>();

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
                lastCounter, outbox.size());
    }

    /** Null when the commit keeps the store's rules, else which rule it breaks. */
    String check(ClientCommit c) {
        long e = epoch;
        long cur = cursor;
        if (c.rebase() != null) {
            if (c.rebase().epoch() <= e) {
                return "a rebase must go to an epoch above " + e + ", got " + c.rebase().epoch();
            }
            if (c.rebase().cursor() < cur) {
                return "a rebase must not move the cursor back, from " + cur + " to " + c.rebase().cursor();
            }
            e = c.rebase().epoch();
            cur = c.rebase().cursor();
        }
        List<Message> ms = c.messages();
        for (int i = 0; i < ms.size(); i++) {
            Message m = ms.get(i);
            if (!m.recipient().equals(user)) {
                return "message " + m.id() + " is to " + m.recipient() + ", not " + user;
            }
            if (!m.payloadIntact()) {
                return "message " + m.id() + " (seq " + m.seq() + ") has a payload that does not match its checksum";
            }
            long expected = i == 0 ? cur + 1 : ms.get(i - 1).seq() + 1;
            if (m.seq() != expected) {
                return "messages must follow the cursor " + cur + " without a hole or overlap: seq " + m.seq()
                        + " where " + expected + " was due";
            }
            if ((e != 0 || i > 0) && m.epoch() != (i == 0 ? e : ms.get(0).epoch())) {
                return "message seq " + m.seq() + " is of epoch " + m.epoch() + ", the store's is " + e;
            }
        }
        long cursorAfter = ms.isEmpty() ? cur : ms.get(ms.size() - 1).seq();
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

    /**
     * Applies a commit that keeps the rules.
     *
     * @return the ids of its messages that the store held already (the store does not refuse them: the
     *         checker must see them)
     */
    List<String> apply(ClientCommit c) {
        if (c.rebase() != null) {
            epoch = c.rebase().epoch();
            cursor = c.rebase().cursor();
            idAtCursor = c.rebase().idAtCursor();
        }
        List<String> again = new ArrayList<>();
        for (Message m : c.messages()) {
            if (!ids.add(m.id())) {
                again.add(m.id());
            }
            messages.put(m.seq(), m);
            epoch = m.epoch();
            cursor = m.seq();
            idAtCursor = m.id();
        }
        if (c.handedOver() != -1) {
            handedOver = c.handedOver();
        }
        for (OutboxEntry e : c.outboxAdd()) {
            outbox.put(e.counter(), e);
            lastCounter = e.counter();
        }
        c.outboxRemove().forEach(outbox::remove);
        return again;
    }

    /** Whether the held messages are exactly first..cursor (G3). */
    boolean contiguous() {
        return messages.isEmpty() || messages.size() == messages.lastKey() - messages.firstKey() + 1
                && messages.lastKey() == cursor;
    }
}
