package io.imr.app;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks one receiving device's store against what was sent to its user: every message a sender saw confirmed is
 * stored once, with the seq the server confirmed and the payload the sender sent (G1, G2, G4), the store's seqs run
 * from 1 without a hole (G3), and each outbox's messages are stored in the order it numbered them. Counts every
 * departure, so that a report says how many, not only that one happened.
 */
final class SoakCheck {

    /** A message as the device stored it. */
    record Stored(long seq, String sender, String clientId, String sha256) {
    }

    /** A confirmation as a sender's manifest recorded it: the server stored this message with this seq. */
    record Confirmed(String sender, String clientId, long seq, String sha256) {
    }

    /** What went wrong at one device, by kind; all zero when nothing did. */
    record Tally(long stored, long lost, long duplicates, long altered, long holes, long outOfOrder, long unexpected) {

        boolean clean() {
            return lost == 0 && duplicates == 0 && altered == 0 && holes == 0 && outOfOrder == 0 && unexpected == 0;
        }

        Tally plus(Tally o) {
            return new Tally(stored + o.stored, lost + o.lost, duplicates + o.duplicates, altered + o.altered,
                    holes + o.holes, outOfOrder + o.outOfOrder, unexpected + o.unexpected);
        }

        static final Tally ZERO = new Tally(0, 0, 0, 0, 0, 0, 0);
    }

    private SoakCheck() {
    }

    /**
     * @param stored    the device's messages in seq order, as its store reads them
     * @param confirmed every confirmation of a message to the device's user (a message confirmed twice, once before
     *                  and once after a crash of its sender, may be listed twice, with the same seq)
     * @param payload   the sha256 a message's payload must have, by sender and client id (the senders' payloads
     *                  follow from their counters), or null when it cannot be known
     * @param problems  where to add one line per departure (the first few of each kind are enough to debug)
     */
    static Tally check(List<Stored> stored, List<Confirmed> confirmed, PayloadOracle payload, List<String> problems) {
        long duplicates = 0;
        long altered = 0;
        long holes = 0;
        long outOfOrder = 0;
        long unexpected = 0;
        long lost = 0;
        Map<String, Stored> byId = new HashMap<>();
        Map<String, Long> lastCounter = new HashMap<>();
        long expectedSeq = 1;
        for (Stored s : stored) {
            if (s.seq() != expectedSeq) {
                holes += Math.max(1, s.seq() - expectedSeq);
                note(problems, "hole: seq " + s.seq() + " stored after " + (expectedSeq - 1));
            }
            expectedSeq = s.seq() + 1;
            String key = s.sender() + "/" + s.clientId();
            if (byId.putIfAbsent(key, s) != null) {
                duplicates++;
                note(problems, "duplicate: " + key + " at seq " + s.seq() + " and " + byId.get(key).seq());
            }
            String want = payload.sha256(s.sender(), s.clientId());
            if (want != null && !want.equals(s.sha256())) {
                altered++;
                note(problems, "altered: " + key + " at seq " + s.seq() + " has payload sha256 " + s.sha256());
            }
            int dash = s.clientId().lastIndexOf('-');
            if (dash > 0) {
                String outbox = s.sender() + "/" + s.clientId().substring(0, dash);
                long counter = Long.parseLong(s.clientId().substring(dash + 1));
                Long before = lastCounter.put(outbox, counter);
                if (before != null && before >= counter) {
                    outOfOrder++;
                    note(problems, "out of order: " + key + " at seq " + s.seq() + " after counter " + before);
                }
            }
        }
        Set<String> confirmedIds = new HashSet<>();
        for (Confirmed c : confirmed) {
            String key = c.sender() + "/" + c.clientId();
            if (!confirmedIds.add(key)) {
                continue;
            }
            Stored s = byId.get(key);
            if (s == null) {
                lost++;
                note(problems, "lost: " + key + " confirmed with seq " + c.seq() + ", not stored");
            } else if (s.seq() != c.seq() || !s.sha256().equals(c.sha256())) {
                altered++;
                note(problems, "altered: " + key + " confirmed as seq " + c.seq() + ", stored as seq " + s.seq()
                        + (s.sha256().equals(c.sha256()) ? "" : " with another payload"));
            }
        }
        for (String key : byId.keySet()) {
            if (!confirmedIds.contains(key)) {
                unexpected++;
                note(problems, "unexpected: " + key + " stored, never confirmed to its sender");
            }
        }
        return new Tally(stored.size(), lost, duplicates, altered, holes, outOfOrder, unexpected);
    }

    /** The sha256 a sent message's payload has, or null when unknown. */
    @FunctionalInterface
    interface PayloadOracle {
        String sha256(String sender, String clientId);
    }

    private static void note(List<String> problems, String line) {
        if (problems.size() < 50) {
            problems.add(line);
        }
    }
}
