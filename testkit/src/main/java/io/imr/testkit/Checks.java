package io.imr.testkit;

import io.imr.api.Message;
import io.imr.api.ClientIds;
import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Pull;
import io.imr.api.frame.SendAck;
import io.imr.api.strategy.SimulationHints;
import io.imr.api.store.Accepted;
import io.imr.api.store.ClientCommit;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * The checkers that run while the simulation runs: the stores, the network and the strategy
 * halves report to them as things happen, so a guarantee is checked at the moment it could break
 * (every commit, every confirmation leaving a process, every step of a half). The checks at the end
 * of a run (G1) are the {@link Simulation}'s.
 */
final class Checks {

    private final Recorder recorder;
    private final VirtualScheduler scheduler;
    /** What each device's store holds, by device name (user/device). */
    final Map<String, ClientDisk> disks = new HashMap<>();
    /** The payload each message was sent with, by message id. */
    final Map<String, byte[]> sent = new HashMap<>();
    /** The sender of each client id. */
    final Map<String, String> senderOf = new HashMap<>();
    ServerDisk serverDisk;
    /** The virtual time of each message's (last) commit on the server, by id. */
    private final Map<String, Long> acceptedAt = new HashMap<>();

    /** Devices that joined after the faults: their catch-up is not delivery latency. */
    final java.util.Set<String> lateJoiners = new java.util.HashSet<>();
    /** Every hello each device sent, by device name, in order (the stale-hello fault replays one). */
    final Map<String, java.util.List<Hello>> hellos = new HashMap<>();

    /** Each device's pulls on its current link, and the bounds of the strategy its client half runs. */
    private final Map<String, Pulls> pulls = new HashMap<>();

    Checks(Recorder recorder, VirtualScheduler scheduler) {
        this.recorder = recorder;
        this.scheduler = scheduler;
    }

    /** A device's outstanding pulls (G7: a bad link must not cause a refetch storm). */
    private static final class Pulls {
        SimulationHints hints;
        int link;
        /** Send times of pulls not answered yet, by fromSeq (a pull answered is matched by its fromSeq). */
        final ArrayDeque<long[]> outstanding = new ArrayDeque<>();
    }

    void event(String who, Object what) {
        recorder.event(who, what);
    }

    /** A device's store refused a commit: the engine or strategy asked for something the rules forbid. */
    void clientRejected(ClientDisk disk, ClientCommit commit, String reason) {
        recorder.event(disk.name(), "commit REJECTED: " + MemoryClientStore.summary(commit) + ": " + reason);
        if (commit.messages().isEmpty()) {
            recorder.violated("ENGINE", disk.name() + " asked its store for a commit it refuses: " + reason);
        } else if (reason.contains("checksum")) {
            recorder.violated("G4", disk.name() + " asked to store a corrupt message: " + reason);
        } else {
            recorder.violated("G3", disk.name() + " asked to store messages out of order: " + reason);
        }
    }

    /**
     * A device's commit was applied: G2, G3 and G4 after every commit.
     *
     * @param stored     what it stored, in the store's own numbering (the rest of its messages the store held)
     * @param heldBefore how many messages the store held before it
     */
    void clientCommitted(ClientDisk disk, ClientCommit commit, java.util.List<Message> stored, long heldBefore) {
        recorder.event(disk.name(), "COMMITTED " + MemoryClientStore.summary(commit)
                + (stored.size() == commit.messages().size() ? "" : " (" + (commit.messages().size() - stored.size())
                + " held already)"));
        if (disk.messages.size() != heldBefore + stored.size() || disk.ids.size() != disk.messages.size()) {
            recorder.duplicates++;
            recorder.violated("G2", disk.name() + " holds " + disk.messages.size() + " messages under "
                    + disk.ids.size() + " ids after a commit");
        }
        long now = scheduler.now();
        for (Message m : stored) {
            byte[] original = sent.get(m.id());
            if (!m.payloadIntact() || original == null || !Arrays.equals(original, m.payload())) {
                recorder.corruptStored++;
                recorder.violated("G4", disk.name() + " stored message " + m.id() + " (seq " + m.seq()
                        + ") with a payload its sender never sent");
            }
            recorder.delivered++;
            if (!lateJoiners.contains(disk.name())) {
                // In virtual time from the server's commit: the message's server time is the server's wall clock,
                // which the clock-jump fault moves.
                Long at = acceptedAt.get(m.id());
                if (at != null) {
                    recorder.latenciesMillis.add((now - at) / 1_000_000);
                }
            }
        }
        if (!disk.contiguous()) {
            recorder.orderViolations++;
            recorder.violated("G3", disk.name() + " is not contiguous after a commit: " + disk.messages.size()
                    + " messages from seq " + disk.messages.firstKey() + " to " + disk.messages.lastKey()
                    + ", cursor " + disk.cursor);
        }
    }

    /** The server's store stored a send it had stored already, under another seq (G6). */
    void serverStoredTwice(java.util.List<String> ids) {
        for (String id : ids) {
            recorder.duplicates++;
            recorder.violated("G6", "the server stored send " + id + " a second time");
        }
    }

    void serverCommitted(java.util.List<Accepted> accepted) {
        for (Accepted a : accepted) {
            if (!a.duplicate()) {
                acceptedAt.put(a.message().id(), scheduler.now());
            }
        }
        if (!accepted.isEmpty()) {
            recorder.event("server", (java.util.function.Supplier<String>) () -> {
                StringBuilder sb = new StringBuilder("COMMITTED");
                accepted.forEach(a -> sb.append(' ').append(a.message() != null ? a.message().id() : "(trimmed)")
                        .append(a.duplicate() ? "(dup)" : "").append("->").append(a.recipient()).append('#')
                        .append(a.seq()));
                return sb.toString();
            });
        }
    }

    /**
     * A frame leaves a device on a link. An acknowledgement must follow the commit of what it confirms
     * (G5), and so must the implicit confirmations: a hello's cursor, and a pull's committed cursor (a
     * pull claims everything up to it). Pulls outstanding are bounded (G7).
     */
    void deviceSends(String device, int link, Frame frame) {
        ClientDisk disk = disks.get(device);
        if (frame instanceof Ack ack) {
            long last = ack.ranges().get(ack.ranges().size() - 1).last();
            boolean atPosition = ack.epoch() == disk.server.epoch() && last <= disk.server.seq();
            if (!atPosition && disk.committedUpTo(ack.epoch()) < last) {
                recorder.violated("G5", device + " acknowledged seqs up to " + last + " of epoch " + ack.epoch()
                        + " before their commit (its store is at server seq " + disk.server.seq() + " of epoch "
                        + disk.server.epoch() + ")");
                return;
            }
        } else if (frame instanceof AckUpTo upTo) {
            if (upTo.epoch() != disk.server.epoch() || upTo.seq() > disk.server.seq()) {
                recorder.violated("G5", device + " acknowledged up to seq " + upTo.seq() + " of epoch " + upTo.epoch()
                        + " with its store at server seq " + disk.server.seq() + " of epoch " + disk.server.epoch());
            }
        } else if (frame instanceof Hello hello) {
            hellos.computeIfAbsent(device, d -> new java.util.ArrayList<>()).add(hello);
            if (hello.cursor() > disk.server.seq() || hello.cursor() > 0 && (hello.epoch() != disk.server.epoch()
                    || !hello.serverStore().equals(disk.server.store()))) {
                recorder.violated("G5", device + " said hello at seq " + hello.cursor() + " of epoch " + hello.epoch()
                        + " of server store " + hello.serverStore() + " with its store at server seq "
                        + disk.server.seq() + " of epoch " + disk.server.epoch() + " of " + disk.server.store());
            }
        } else if (frame instanceof Pull pull) {
            if (pull.committed() > disk.server.seq()) {
                recorder.violated("G5", device + " pulled from seq " + pull.fromSeq() + ", claiming seq "
                        + pull.committed() + " committed, with its store at server seq " + disk.server.seq());
                return;
            }
            pullSent(device, link, pull);
        }
    }

    /** The strategy a device's client half runs now: its pulls are held to that strategy's bounds. */
    void clientStrategy(String device, SimulationHints hints) {
        pulls.computeIfAbsent(device, d -> new Pulls()).hints = hints;
    }

    private void pullSent(String device, int link, Pull pull) {
        Pulls p = pulls.computeIfAbsent(device, d -> new Pulls());
        if (p.link != link) {
            p.link = link;
            p.outstanding.clear();
        }
        long now = scheduler.now();
        long timeout = p.hints == null ? Long.MAX_VALUE : p.hints.pullTimeout().toNanos();
        p.outstanding.removeIf(o -> now - o[1] >= timeout);
        p.outstanding.add(new long[] {pull.fromSeq(), now});
        int bound = p.hints == null ? Integer.MAX_VALUE : p.hints.maxPullsInFlight();
        if (p.outstanding.size() > bound) {
            recorder.violated("G7", device + " has " + p.outstanding.size() + " pulls outstanding on one connection,"
                    + " above the bound " + bound + " (a refetch storm)");
        }
    }

    /** A pull result reached a device: the pull of that start is answered. */
    void pullAnswered(String device, int link, long fromSeq) {
        Pulls p = pulls.get(device);
        if (p == null || p.link != link) {
            return;
        }
        for (Iterator<long[]> it = p.outstanding.iterator(); it.hasNext(); ) {
            if (it.next()[0] == fromSeq) {
                it.remove();
                return;
            }
        }
    }

    /** A frame leaves the server: a send-ack must follow the server's commit of the message (G5, G6). */
    void serverSends(String device, Frame frame) {
        if (frame instanceof SendAck a) {
            for (SendAck.Run r : a.runs()) {
                for (long counter = r.firstCounter(); counter <= r.lastCounter(); counter++) {
                    String clientId = ClientIds.of(a.outboxId(), counter);
                    String sender = senderOf.get(clientId);
                    // The dedup index itself: a message trimmed by retention since is not found by findBySender.
                    Optional<Message> stored = sender == null ? Optional.empty()
                            : Optional.ofNullable(serverDisk.dedup.get(ServerDisk.key(sender, clientId)));
                    if (stored.isEmpty()) {
                        recorder.violated("G5", "the server confirmed send " + clientId + " to " + device
                                + " before committing it");
                        return;
                    }
                    long seq = r.seqOf(counter);
                    if (stored.get().seq() != seq || stored.get().epoch() != r.epoch()) {
                        recorder.violated("G6", "the server confirmed send " + clientId + " to " + device
                                + " with seq " + seq + " of epoch " + r.epoch() + ", but stored it at seq "
                                + stored.get().seq() + " of epoch " + stored.get().epoch());
                        return;
                    }
                }
            }
        }
    }

    /** After every step of a server half (G7). */
    void serverHalf(String device, int unconfirmed, int bound) {
        recorder.maxUnconfirmed = Math.max(recorder.maxUnconfirmed, unconfirmed);
        if (unconfirmed > bound) {
            recorder.violated("G7", "the server half of " + device + " holds " + unconfirmed
                    + " unconfirmed messages, above the bound " + bound);
        }
    }

    /** After every step of a client half (G7). */
    void clientHalf(String device, int buffered, int bound) {
        recorder.maxBuffered = Math.max(recorder.maxBuffered, buffered);
        if (buffered > bound) {
            recorder.violated("G7", "the client half of " + device + " buffers " + buffered
                    + " messages, above the bound " + bound);
        }
    }
}
