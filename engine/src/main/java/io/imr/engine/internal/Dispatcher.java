package io.imr.engine.internal;

import io.imr.api.store.ExpiredRange;

import io.imr.api.Message;
import io.imr.api.store.ClientStore;
import io.imr.engine.MessageListener;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Hands committed messages to the application's listener, in seq order, on the listener's own
 * executor, and reports how far it got so the engine can record the hand-over. Messages the
 * engine just committed are taken from memory; anything else (a replay after a restart, or a
 * listener so slow that the in-memory queue overflowed) is read back from the store, so memory
 * stays bounded however far behind the listener is (G7).
 *
 * <p>Owns: the listener's executor and how far it got in memory. May not: commit (the engine's
 * {@code HandOverRecorder} records the hand-over) or touch the connection. Thread-safe: the engine
 * calls it from its context, the listener's executor runs it.
 */
public final class Dispatcher {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());
    private static final int PAGE = 256;
    private static final int MAX_QUEUED = 8192;
    private static final long[] RETRY_DELAYS_MILLIS = {100, 1000};

    private final ClientStore store;
    private final Executor executor;
    private final MessageListener listener;
    private final LongConsumer handedOver;
    private final Object lock = new Object();
    private final ArrayDeque<Message> queued = new ArrayDeque<>();
    /** Expired ranges to tell the listener, each once every message up to its seq was handed over. */
    private final ArrayDeque<Notice> notices = new ArrayDeque<>();
    private long target;
    private long done;
    private boolean running;
    private boolean stopped;

    /**
     * @param handedOver told the seq up to which messages were handed over, from the executor's thread
     */
    public Dispatcher(ClientStore store, Executor executor, MessageListener listener, LongConsumer handedOver) {
        this.store = store;
        this.executor = executor;
        this.listener = listener;
        this.handedOver = handedOver;
    }

    /** Starts from the store's committed state: replays what was committed but not handed over. */
    public void start(long handedOverSeq, long cursor) {
        synchronized (lock) {
            done = handedOverSeq;
            target = cursor;
        }
        kick();
    }

    /** Messages were committed; the cursor is now the last one's seq. */
    public void committed(List<Message> messages) {
        if (messages.isEmpty()) {
            return;
        }
        synchronized (lock) {
            Message first = messages.get(0);
            long expected = queued.isEmpty() ? target + 1 : queued.peekLast().seq() + 1;
            if (first.seq() != expected || queued.size() + messages.size() > MAX_QUEUED) {
                // Not contiguous with what is queued, or too much: the store has it all.
                queued.clear();
            } else {
                queued.addAll(messages);
            }
            target = Math.max(target, messages.get(messages.size() - 1).seq());
        }
        kick();
    }

    /**
     * Messages up to this seq were committed that are not handed over here (the store numbered them
     * itself, G10): they are read back from the store.
     */
    public void storedUpTo(long cursor) {
        synchronized (lock) {
            target = Math.max(target, cursor);
        }
        kick();
    }

    /**
     * The store recorded seqs of the server's sequence as expired, after its message {@code afterSeq}: the listener
     * is told once it has had every message up to that one.
     */
    public void expired(ExpiredRange range, long afterSeq) {
        synchronized (lock) {
            notices.add(new Notice(range, afterSeq));
        }
        kick();
    }

    private record Notice(ExpiredRange range, long afterSeq) {
    }

    /** Stops after the message being handed over, if any. */
    public void stop() {
        synchronized (lock) {
            stopped = true;
            queued.clear();
        }
    }

    private void kick() {
        synchronized (lock) {
            if (running || stopped || (done >= target && !noticeDue(done))) {
                return;
            }
            running = true;
        }
        executor.execute(this::drain);
    }

    private void drain() {
        while (true) {
            List<Message> batch;
            long until;
            tellExpired(handedSoFar());
            synchronized (lock) {
                if (!stopped && done >= target && noticeDue(done)) {
                    continue; // one came in meanwhile
                }
                if (stopped || done >= target) {
                    running = false;
                    return;
                }
                until = target;
                while (!queued.isEmpty() && queued.peekFirst().seq() <= done) {
                    queued.pollFirst();
                }
                if (!queued.isEmpty() && queued.peekFirst().seq() == done + 1) {
                    batch = List.copyOf(queued);
                    queued.clear();
                } else {
                    batch = null;
                }
            }
            if (batch == null) {
                try {
                    batch = store.read(done + 1, PAGE);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "reading messages to hand over failed; retrying in 1 s", e);
                    pause(1000);
                    continue;
                }
                if (batch.isEmpty()) {
                    synchronized (lock) {
                        done = Math.max(done, until); // nothing stored between
                    }
                    handedOver.accept(until);
                    continue;
                }
            }
            long last = -1;
            for (Message m : batch) {
                if (m.seq() > until || isStopped()) {
                    break;
                }
                tellExpired(m.seq() - 1);
                hand(m);
                last = m.seq();
            }
            if (last > 0) {
                synchronized (lock) {
                    done = Math.max(done, last);
                }
                handedOver.accept(last);
            }
        }
    }

    /** Whether a notice waits whose messages were all handed over. Under the lock. */
    private boolean noticeDue(long handed) {
        return !notices.isEmpty() && notices.peekFirst().afterSeq() <= handed;
    }

    private long handedSoFar() {
        synchronized (lock) {
            return done;
        }
    }

    /** Tells the listener the notices due once every message up to {@code handed} was handed over. */
    private void tellExpired(long handed) {
        while (true) {
            Notice n;
            synchronized (lock) {
                if (stopped || !noticeDue(handed)) {
                    return;
                }
                n = notices.pollFirst();
            }
            try {
                listener.expired(n.range().from(), n.range().to());
            } catch (Exception | Error e) {
                if (e instanceof Error && !(e instanceof AssertionError)) {
                    throw (Error) e;
                }
                LOG.log(Level.SEVERE, "the listener failed on the expired range " + n.range(), e);
            }
        }
    }

    private boolean isStopped() {
        synchronized (lock) {
            return stopped;
        }
    }

    private void hand(Message m) {
        for (int attempt = 0; ; attempt++) {
            try {
                listener.onMessage(m);
                return;
            } catch (Exception | Error e) {
                if (e instanceof Error && !(e instanceof AssertionError)) {
                    throw (Error) e;
                }
                if (attempt >= RETRY_DELAYS_MILLIS.length) {
                    LOG.log(Level.SEVERE, "the listener failed 3 times on message " + m.id() + " (seq " + m.seq()
                            + "); it stays in the store and counts as handed over", e);
                    return;
                }
                pause(RETRY_DELAYS_MILLIS[attempt]);
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
