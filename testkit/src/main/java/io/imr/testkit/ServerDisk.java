package io.imr.testkit;

import io.imr.api.Message;
import io.imr.api.store.Accepted;
import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.Submission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What survives a crash of the server: each user's inbox, the dedup index by (sender, client id),
 * each device's state and the store's generations (one each time a store is opened over it, with
 * the generation that stored each message), changed only by commits that completed. Seqs are
 * assigned when a commit is applied, so a commit that is lost or fails uses up none (no hole).
 * {@link #copy()} and {@link #restore} are the backup and the restore of the server-restore fault.
 */
final class ServerDisk {

    /** One user's sequence. */
    static final class Inbox {
        long epoch = 1;
        long maxSeq;
        /** The lowest seq held after trims, 0 before the first trim. */
        long trimmedBelow;
        final TreeMap<Long, Message> messages = new TreeMap<>();
        /** The ordinal of the generation that stored each seq. */
        final TreeMap<Long, Integer> storedBy = new TreeMap<>();

        Inbox copy() {
            Inbox c = new Inbox();
            c.epoch = epoch;
            c.maxSeq = maxSeq;
            c.trimmedBelow = trimmedBelow;
            c.messages.putAll(messages);
            c.storedBy.putAll(storedBy);
            return c;
        }
    }

    final Map<String, Inbox> inboxes = new HashMap<>();
    final Map<String, Message> dedup = new HashMap<>();
    final Map<String, DeviceState> devices = new HashMap<>();
    /** Generation id &rarr; ordinal, from 1, in the order the store was opened. */
    final Map<String, Integer> generations = new LinkedHashMap<>();
    /** The ordinal of the generation that runs now (the last opened). */
    int current;
    /** Sends stored a second time by the last commit (only with the dedup off). */
    final List<String> storedTwice = new ArrayList<>();
    /**
     * For the checks only, not part of the data (a restore does not take it back): the highest seq below which
     * each user's inbox was ever trimmed, by epoch ("user/epoch").
     */
    final Map<String, Long> everTrimmedBelow = new HashMap<>();
    /** Off only for the planted bug that drops the send dedup. */
    final boolean dedupOn;

    ServerDisk(boolean dedupOn) {
        this.dedupOn = dedupOn;
    }

    /**
     * Openings of stores over this disk in the whole run, restores included: not part of the data (a restore
     * does not take it back), so that every generation id is unique, as the MapDB store's random ones are.
     */
    private int opens;

    /** A store is opened over this disk: it records a new generation and returns its id. */
    String open() {
        current = generations.size() + 1;
        String id = "g" + current + "-" + ++opens;
        generations.put(id, current);
        return id;
    }

    /** A copy of everything, as a backup of the data folder taken now. */
    ServerDisk copy() {
        ServerDisk c = new ServerDisk(dedupOn);
        inboxes.forEach((user, in) -> c.inboxes.put(user, in.copy()));
        c.dedup.putAll(dedup);
        c.devices.putAll(devices);
        c.generations.putAll(generations);
        c.current = current;
        return c;
    }

    /** Puts a backup's content back in place of this one's (the server is down). */
    void restore(ServerDisk backup) {
        ServerDisk c = backup.copy();
        inboxes.clear();
        inboxes.putAll(c.inboxes);
        dedup.clear();
        dedup.putAll(c.dedup);
        devices.clear();
        devices.putAll(c.devices);
        generations.clear();
        generations.putAll(c.generations);
        current = c.current;
    }

    /** As {@link io.imr.api.store.ServerStore#vouches}. */
    boolean vouches(String user, long seq, String id, String generation) {
        Integer known = generations.get(generation);
        Inbox in = inboxes.get(user);
        if (known == null || in == null) {
            return false;
        }
        Integer by = in.storedBy.get(seq);
        if (seq < in.trimmedBelow && seq <= in.maxSeq) {
            return by != null && by <= known; // trimmed: its id is gone, its generation is kept
        }
        Message m = in.messages.get(seq);
        return m != null && m.id().equals(id) && by != null && by <= known;
    }

    /** As {@link io.imr.api.store.ServerStore#trim}. */
    InboxState trim(String user, long below) {
        Inbox in = inboxes.get(user);
        if (in == null || in.maxSeq == 0) {
            return inboxState(user);
        }
        long to = Math.min(below, in.maxSeq + 1);
        if (to > in.trimmedBelow && to > firstHeld(in)) {
            in.messages.headMap(to, false).clear();
            in.trimmedBelow = to;
            everTrimmedBelow.merge(user + "/" + in.epoch, to, Math::max);
        }
        return inboxState(user);
    }

    private static long firstHeld(Inbox in) {
        return in.messages.isEmpty() ? in.maxSeq + 1 : in.messages.firstKey();
    }

    /** As {@link io.imr.api.store.ServerStore#firstSeqSince}. */
    long firstSeqSince(String user, long millis) {
        Inbox in = inboxes.get(user);
        if (in == null) {
            return 1;
        }
        for (Message m : in.messages.values()) {
            if (m.serverTimeMillis() >= millis) {
                return m.seq();
            }
        }
        return in.maxSeq + 1;
    }

    /** As {@link io.imr.api.store.ServerStore#devices}. */
    List<DeviceState> devices(String user) {
        TreeMap<String, DeviceState> of = new TreeMap<>();
        devices.forEach((k, d) -> {
            if (d.user().equals(user)) {
                of.put(d.device(), d);
            }
        });
        return new ArrayList<>(of.values());
    }

    /** As {@link io.imr.api.store.ServerStore#users}. */
    List<String> users(String after, int limit) {
        List<String> out = new ArrayList<>();
        for (String u : new TreeMap<>(inboxes).tailMap(after, false).keySet()) {
            if (out.size() >= limit) {
                break;
            }
            out.add(u);
        }
        return out;
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
        long first = !in.messages.isEmpty() ? in.messages.firstKey() : in.trimmedBelow > 0 ? in.maxSeq + 1 : 0;
        return new InboxState(user, in.epoch, in.maxSeq, first);
    }

    List<Accepted> apply(ServerCommit c) {
        storedTwice.clear();
        List<Accepted> out = new ArrayList<>(c.submissions().size());
        for (Submission s : c.submissions()) {
            String k = key(s.sender(), s.clientId());
            Message known = dedup.get(k);
            if (known != null && dedupOn) {
                Inbox of = inboxes.get(known.recipient());
                boolean trimmed = of != null && of.epoch == known.epoch() && known.seq() < of.trimmedBelow;
                out.add(trimmed ? Accepted.trimmed(known.recipient(), known.seq(), known.epoch())
                        : new Accepted(known, true));
                continue;
            }
            if (known != null) {
                storedTwice.add(k.replace('\u0000', '/'));
            }
            Inbox in = inbox(s.to());
            in.maxSeq++;
            Message m = Message.of(s.sender(), s.clientId(), s.to(), in.maxSeq, in.epoch, s.serverTimeMillis(),
                    s.payload(), s.payloadChecksum());
            in.messages.put(m.seq(), m);
            in.storedBy.put(m.seq(), current);
            dedup.putIfAbsent(k, m);
            out.add(new Accepted(m, false));
        }
        for (DeviceState d : c.devices()) {
            String k = d.user() + "/" + d.device();
            d = DeviceState.written(devices.get(k), d);
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
        Message m = dedup.get(key(sender, clientId));
        if (m != null) {
            Inbox of = inboxes.get(m.recipient());
            if (of != null && of.epoch == m.epoch() && m.seq() < of.trimmedBelow) {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(m);
    }

}
