package io.imr.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Deliver;
import io.imr.api.strategy.Action;
import io.imr.api.strategy.ClientAction;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientEvent;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.ClientSetup;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives one client half directly, as the engine would, for the kit's per-verb contract tests:
 * events in, actions recorded, named timers fired on a fake clock. It records every confirmation the
 * half puts out (acks by id, ack-up-to, and the implicit one of a pull's committed cursor) so a test can say up
 * to which seq the half may have confirmed so far.
 */
final class HalfProbe {

    private static final long EPOCH = 1;

    private final ClientReliability half;
    private final Map<String, Long> timers = new HashMap<>();
    private final List<ClientAction> all = new ArrayList<>();
    private final List<Action.PullRange> pulls = new ArrayList<>();
    private Action.Persist running;
    private long now = 1_000_000_000_000L;
    private long draws = 7;

    HalfProbe(ReliabilityStrategyProvider provider) {
        this.half = provider.newClient(new ClientSetup("bob", "phone", provider.simulationHints().options()));
    }

    /** Started at this committed cursor of epoch 1, and a session up with this max seq. */
    HalfProbe connected(long cursor, long maxSeq) {
        on(new Event.Started(now, draw(), EPOCH, cursor));
        on(new Event.Connected(now, draw(), EPOCH, cursor, maxSeq));
        return this;
    }

    void deliver(long maxSeq, long... seqs) {
        List<Message> ms = new ArrayList<>();
        for (long s : seqs) {
            ms.add(message(s, true));
        }
        on(new Event.FrameArrived(now, draw(), new Deliver(ms, maxSeq)));
    }

    void deliverCorrupt(long maxSeq, long seq) {
        on(new Event.FrameArrived(now, draw(), new Deliver(List.of(message(seq, false)), maxSeq)));
    }

    /** Offers a commit; returns the Persist the half put, or null. At most one may be running. */
    Action.Persist persist() {
        List<ClientAction> out = on(new Event.ReadyToPersist(now, draw()));
        Action.Persist found = null;
        for (ClientAction a : out) {
            if (a instanceof Action.Persist p) {
                if (found != null || running != null) {
                    fail("the half put a second Persist while one was running: " + out);
                }
                found = p;
            }
        }
        if (found != null) {
            running = found;
        }
        return found;
    }

    void committed(Action.Persist p) {
        running = null;
        on(new Event.CommitDone(now, draw(), p.token()));
    }

    void failed(Action.Persist p) {
        running = null;
        on(new Event.CommitFailed(now, draw(), p.token(), "disk full (injected)"));
    }

    /** Moves the clock on, firing every timer that falls due, in deadline order. */
    void advance(Duration d) {
        long until = now + d.toNanos();
        while (true) {
            String next = null;
            long at = Long.MAX_VALUE;
            for (Map.Entry<String, Long> t : timers.entrySet()) {
                if (t.getValue() <= until && t.getValue() < at) {
                    next = t.getKey();
                    at = t.getValue();
                }
            }
            if (next == null) {
                break;
            }
            timers.remove(next);
            now = Math.max(now, at);
            on(new Event.TimerFired(now, draw(), next));
            if (running == null) {
                persist();
            }
        }
        now = until;
    }

    /** Fails unless every confirmation so far, implicit ones included, claims at most this seq. */
    void assertConfirmsAtMost(long seq, String when) {
        for (ClientAction a : all) {
            long claimed = -1;
            if (a instanceof Action.SendFrame f && f.frame() instanceof AckUpTo u) {
                claimed = u.seq();
            } else if (a instanceof Action.SendFrame f && f.frame() instanceof Ack ack) {
                claimed = ack.ranges().get(ack.ranges().size() - 1).last();
            } else if (a instanceof Action.PullRange p) {
                claimed = p.committed();
            }
            if (claimed > seq) {
                fail(when + ", the half confirmed up to seq " + claimed + " with only " + seq + " committed: " + a);
            }
        }
    }

    boolean pulledFrom(long seq) {
        return pulls.stream().anyMatch(p -> p.fromSeq() == seq);
    }

    List<Action.PullRange> pulls() {
        return pulls;
    }

    static List<Long> seqs(Action.Persist p) {
        List<Long> out = new ArrayList<>();
        p.messages().forEach(m -> out.add(m.seq()));
        return out;
    }

    private List<ClientAction> on(ClientEvent event) {
        ClientActions out = new ClientActions();
        half.on(event, out);
        List<ClientAction> actions = out.drain();
        for (ClientAction a : actions) {
            if (a instanceof Action.ScheduleTimer t) {
                timers.put(t.timer(), now + t.delayNanos());
            } else if (a instanceof Action.CancelTimer c) {
                timers.remove(c.timer());
            } else if (a instanceof Action.PullRange p) {
                pulls.add(p);
            }
        }
        all.addAll(actions);
        return actions;
    }

    private long draw() {
        draws = draws * 6364136223846793005L + 1442695040888963407L;
        return draws;
    }

    /** Message {@code seq} of bob's sequence, from alice's outbox, its client id ending in its seq. */
    private static Message message(long seq, boolean intact) {
        byte[] payload = ("message " + seq).getBytes(StandardCharsets.UTF_8);
        int crc = Checksums.crc32c(payload);
        return Message.of("alice", "probe-" + seq, "bob", seq, EPOCH, 0, payload, intact ? crc : crc ^ 1);
    }
}
