package io.imr.testkit;

import io.imr.api.Message;
import io.imr.api.store.Accepted;
import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.Submission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What survives a crash of the server: each user's inbox, the dedup index by (sender, client id)
 * and each device's state, changed only by commits that completed. Seqs are assigned when a commit
 * is applied, so a commit that is lost or fails uses up none (no hole).
 */
final class ServerDisk {

    /** One user's sequence. */
    static final class Inbox {
        long epoch = 1;
        long maxSeq;
        final TreeMap<Long, Message> messages = new TreeMap<>();
    }

    final Map<String, Inbox> inboxes = new HashMap<>();
    final Map<String, Message> dedup = new HashMap<>();
    final Map<String, DeviceState> devices = new HashMap<>();
    /** Off only for the planted bug that drops the send dedup. */
    final boolean dedupOn;

    ServerDisk(boolean dedupOn) {
        this.dedupOn = dedupOn;
    }

    static String key(String sender, String clientId) {
        return sender + "\u0000" + clientId;
    }

    Inbox inbox(String user) {
        return inboxes.computeIfAbsent(user, u -> new Inbox());
    }

    InboxState inboxState(String user) {
        Inbox in = inboxes.get(user);
        if (in == null) {
            return new InboxState(user, 1, 0, 0);
        }
        return new InboxState(user, in.epoch, in.maxSeq, in.messages.isEmpty() ? 0 : in.messages.firstKey());
    }

    List<Accepted> apply(ServerCommit c) {
        List<Accepted> out = new ArrayList<>(c.submissions().size());
        for (Submission s : c.submissions()) {
            String k = key(s.sender(), s.clientId());
            Message known = dedup.get(k);
            if (known != null && dedupOn) {
                out.add(new Accepted(known, true));
                continue;
            }
            Inbox in = inbox(s.to());
            in.maxSeq++;
            Message m = Message.of(s.sender(), s.clientId(), s.to(), in.maxSeq, in.epoch, s.serverTimeMillis(),
                    s.payload(), s.payloadChecksum());
            in.messages.put(m.seq(), m);
            dedup.putIfAbsent(k, m);
            out.add(new Accepted(m, false));
        }
        for (DeviceState d : c.devices()) {
            String k = d.user() + "/" + d.device();
            DeviceState before = devices.get(k);
            if (before != null && before.epoch() == d.epoch() && d.confirmed() < before.confirmed()) {
                d = new DeviceState(d.user(), d.device(), d.epoch(), d.cursor(), before.confirmed());
            }
            devices.put(k, d);
        }
        return out;
    }

    List<Message> read(String user, long fromSeq, int limit) {
        Inbox in = inboxes.get(user);
        List<Message> out = new ArrayList<>();
        if (in == null) {
            return out;
        }
        for (Message m : in.messages.tailMap(fromSeq, true).values()) {
            if (out.size() >= limit) {
                break;
            }
            out.add(m);
        }
        return out;
    }

    Optional<Message> findBySender(String sender, String clientId) {
        return Optional.ofNullable(dedup.get(key(sender, clientId)));
    }

    InboxState startEpoch(String user, long atLeast) {
        Inbox in = inbox(user);
        in.epoch++;
        in.maxSeq = Math.max(in.maxSeq, atLeast);
        return inboxState(user);
    }
}
