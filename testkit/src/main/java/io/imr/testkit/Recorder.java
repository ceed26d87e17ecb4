package io.imr.testkit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * What one run saw: the trail of recent events (a ring, rendered only when a guarantee breaks, so a
 * passing seed pays for no strings), the first violation, and the counters of the report.
 */
final class Recorder {

    /** Events kept for the report of a broken guarantee: 80, or the system property {@code imr.sim.trail}. */
    static final int TRAIL = Math.max(1, Integer.getInteger("imr.sim.trail", 80));

    private final long seed;
    private final VirtualScheduler scheduler;
    private final ArrayDeque<Entry> trail = new ArrayDeque<>(TRAIL);
    private Violation violation;

    // Counters of the report (section 8 of the specification).
    long messages;
    long confirmed;
    long delivered;
    long lost;
    long duplicates;
    long orderViolations;
    long corruptStored;
    long controlBytes;
    /** Bytes of frames between a receiving device and the server that carry no message: ack, ack-up-to, pull, notify. */
    long confirmationBytes;
    long payloadBytes;
    long pulls;
    /** Server restarts with another strategy (the server-swap fault). */
    long swaps;
    long expired;
    /** Each swap as "from>to", in the order they happened. */
    final List<String> swapPairs = new ArrayList<>();
    long retransmits;
    int maxUnconfirmed;
    int maxBuffered;
    final List<Long> latenciesMillis = new ArrayList<>();

    Recorder(long seed, VirtualScheduler scheduler) {
        this.seed = seed;
        this.scheduler = scheduler;
    }

    private record Entry(long time, String who, Object what) {
        String render() {
            Object w = what instanceof Supplier<?> s ? s.get() : what;
            return String.format("%10.3fs %-14s %s", time / 1e9, who, w);
        }
    }

    /** Adds an event to the trail; {@code what} is rendered with toString (or get, for a Supplier) only if needed. */
    void event(String who, Object what) {
        if (trail.size() == TRAIL) {
            trail.pollFirst();
        }
        trail.addLast(new Entry(scheduler.now(), who, what));
    }

    /** Records a broken guarantee; the first one is kept, with the trail as it is now. */
    void violated(String guarantee, String detail) {
        if (violation != null) {
            return;
        }
        event("CHECK", guarantee + ": " + detail);
        List<String> lines = new ArrayList<>(trail.size());
        trail.forEach(e -> lines.add(e.render()));
        violation = new Violation(guarantee, seed, detail, lines);
    }

    Violation violation() {
        return violation;
    }

    boolean broken() {
        return violation != null;
    }
}
