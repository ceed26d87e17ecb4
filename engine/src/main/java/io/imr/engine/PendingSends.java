package io.imr.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The outbox's sends in counter order, from the application's call until the server answers, with
 * where each stands: being enqueued, durable and unsent, in flight, gone. Counters only grow (the
 * outbox refuses one at or below the last), so the sends are a queue: added at the tail, answered
 * mostly at the head, found by binary search. This replaces a sorted map and two sorted sets of
 * boxed counters that cost the sender a third of its engine thread's time.
 *
 * <p>Sends become durable in the order they were added (enqueue commits complete in order), so
 * the unsent ones are found from a cursor: everything before it is in flight or gone. Not
 * thread-safe: the engine's thread only.
 *
 * @param <T> what is kept per send
 */
final class PendingSends<T> {

    /** Where a send stands. */
    enum State { ENQUEUING, UNSENT, IN_FLIGHT, GONE }

    /** One send. */
    static final class Slot<T> {
        final long counter;
        final T value;
        State state;
        long sentAt = -1;

        Slot(long counter, T value, State state) {
            this.counter = counter;
            this.value = value;
            this.state = state;
        }
    }

    @SuppressWarnings("unchecked")
    private Slot<T>[] ring = new Slot[16];
    /** Absolute positions: slots live in [head, tail); position p is at ring[p & (ring.length - 1)]. */
    private long head;
    private long tail;
    /** Sends from here on may be unsent; before it, every one is in flight or gone. */
    private long cursor;
    /**
     * No send from here on is in flight: at or above the cursor, and above it when a send in flight was taken back
     * ({@link #unsent}), which moves the cursor back below sends still in flight.
     */
    private long flightEnd;
    private int live;
    private int inFlight;

    /** Sends not gone. */
    int size() {
        return live;
    }

    int inFlight() {
        return inFlight;
    }

    /** The largest counter ever added, or 0. */
    long lastCounter() {
        return tail == head ? 0 : slot(tail - 1).counter;
    }

    /**
     * Adds a send behind the others.
     *
     * @throws IllegalArgumentException if its counter is not above every counter held
     */
    Slot<T> add(long counter, T value, State state) {
        if (state != State.ENQUEUING && state != State.UNSENT) {
            throw new IllegalArgumentException("a send is added enqueuing or unsent, not " + state);
        }
        if (tail > head && slot(tail - 1).counter >= counter) {
            throw new IllegalArgumentException("counter " + counter + " is not above " + slot(tail - 1).counter);
        }
        if (tail - head == ring.length) {
            grow();
        }
        Slot<T> s = new Slot<>(counter, value, state);
        ring[(int) (tail & (ring.length - 1))] = s;
        tail++;
        live++;
        return s;
    }

    /** The send with this counter, or null if it is gone or was never added. */
    Slot<T> get(long counter) {
        long at = find(counter);
        if (at < tail) {
            Slot<T> s = slot(at);
            if (s.counter == counter && s.state != State.GONE) {
                return s;
            }
        }
        return null;
    }

    /** The enqueue commit of a send is durable: it may be sent. */
    void durable(Slot<T> s) {
        if (s.state == State.ENQUEUING) {
            s.state = State.UNSENT;
        }
    }

    /**
     * Takes unsent sends in counter order, marking them in flight, until {@code window} are in flight
     * or a send still being enqueued is reached.
     */
    List<Slot<T>> takeUnsent(int window) {
        List<Slot<T>> out = new ArrayList<>();
        while (inFlight < window && cursor < tail) {
            Slot<T> s = slot(cursor);
            if (s.state == State.ENQUEUING) {
                break;
            }
            if (s.state == State.UNSENT) {
                s.state = State.IN_FLIGHT;
                inFlight++;
                out.add(s);
            }
            cursor++;
        }
        flightEnd = Math.max(flightEnd, cursor);
        return out;
    }

    /** The sends in flight, in counter order. */
    void forEachInFlight(Consumer<Slot<T>> action) {
        for (long p = head; p < Math.min(flightEnd, tail); p++) {
            Slot<T> s = slot(p);
            if (s.state == State.IN_FLIGHT) {
                action.accept(s);
            }
        }
    }

    /** Every send not gone, in counter order. */
    void forEach(Consumer<Slot<T>> action) {
        for (long p = head; p < tail; p++) {
            Slot<T> s = slot(p);
            if (s.state != State.GONE) {
                action.accept(s);
            }
        }
    }

    /** The connection is gone: every send in flight is unsent again, to go first on the next one. */
    void allUnsent() {
        for (long p = head; p < Math.min(flightEnd, tail); p++) {
            Slot<T> s = slot(p);
            if (s.state == State.IN_FLIGHT) {
                s.state = State.UNSENT;
                s.sentAt = -1;
            }
        }
        inFlight = 0;
        cursor = head;
        flightEnd = head;
    }

    /**
     * The server did not take a send in flight (a rate limit): it is unsent again, to go with the next sends.
     *
     * @return whether it was in flight
     */
    boolean unsent(long counter) {
        long at = find(counter);
        if (at >= tail) {
            return false;
        }
        Slot<T> s = slot(at);
        if (s.counter != counter || s.state != State.IN_FLIGHT) {
            return false;
        }
        s.state = State.UNSENT;
        s.sentAt = -1;
        inFlight--;
        cursor = Math.min(cursor, at);
        return true;
    }

    /** Removes a send (answered, or its enqueue failed); returns it, or null if it was gone already. */
    Slot<T> remove(long counter) {
        Slot<T> s = get(counter);
        if (s == null) {
            return null;
        }
        gone(s);
        return s;
    }

    /**
     * Takes back the sends still being enqueued (the newest ones: they become durable in order) and those gone
     * behind them, as if never added, so that their counters may be added again; returns the ones taken back that
     * were not gone, in counter order.
     */
    List<Slot<T>> dropEnqueuing() {
        List<Slot<T>> dropped = new ArrayList<>();
        while (tail > head && (slot(tail - 1).state == State.ENQUEUING || slot(tail - 1).state == State.GONE)) {
            Slot<T> s = slot(tail - 1);
            if (s.state == State.ENQUEUING) {
                live--;
                dropped.add(0, s);
            }
            ring[(int) ((tail - 1) & (ring.length - 1))] = null;
            tail--;
        }
        if (cursor > tail) {
            cursor = tail;
        }
        return dropped;
    }

    /** Marks a send that is not gone as gone, and moves the head past the gone ones. */
    private void gone(Slot<T> s) {
        if (s.state == State.IN_FLIGHT) {
            inFlight--;
        }
        s.state = State.GONE;
        live--;
        while (head < tail && slot(head).state == State.GONE) {
            ring[(int) (head & (ring.length - 1))] = null;
            head++;
        }
        if (cursor < head) {
            cursor = head;
        }
    }

    /**
     * Removes the sends whose counters are in {@code [first, last]}, in counter order, passing each to
     * {@code removed}; counters not held are skipped.
     */
    void removeRange(long first, long last, Consumer<Slot<T>> removed) {
        for (long p = find(first); p < tail; p++) {
            Slot<T> s = slot(p);
            if (s.counter > last) {
                break;
            }
            if (s.state != State.GONE) {
                gone(s);
                removed.accept(s);
                // gone() may have moved the head past p; positions stay absolute, so p goes on.
                p = Math.max(p, head - 1);
            }
        }
    }

    /** The position of the first slot whose counter is at least {@code counter}, or {@code tail}. */
    private long find(long counter) {
        long lo = head;
        long hi = tail;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (slot(mid).counter < counter) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private Slot<T> slot(long position) {
        return ring[(int) (position & (ring.length - 1))];
    }

    @SuppressWarnings("unchecked")
    private void grow() {
        Slot<T>[] bigger = new Slot[ring.length * 2];
        for (long p = head; p < tail; p++) {
            bigger[(int) (p & (bigger.length - 1))] = slot(p);
        }
        ring = bigger;
    }
}
