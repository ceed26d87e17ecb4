package io.imr.engine;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Send;
import io.imr.api.frame.SendAck;
import io.imr.api.store.Accepted;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.ServerStore;
import io.imr.api.store.Submission;
import io.imr.api.strategy.Event;
import io.imr.engine.internal.StoreCommits;
import io.imr.engine.metrics.EngineMetrics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server's send path (G6): checks each {@code Send}, groups what arrives together into one
 * append commit (seqs are assigned in the store's commit), answers each sender with a
 * {@code SendAck} and tells the recipients' devices ({@code MessagesAppended}), strictly in commit
 * order. It also keeps the cache of each user's inbox state (epoch and max seq) that those events,
 * the welcome and the pongs carry.
 *
 * <p>Owns: the appends in flight, their order, the pending-send count of each session, the inbox
 * cache. May not touch: a session's state (it only sends a session frames or asks it to close),
 * a device's strategy half other than through its driver's {@code feed}, or any other store
 * operation than the append commit. Runs on the engine's context only.
 */
final class AppendPipeline {

    private static final Logger LOG = Logger.getLogger(AppendPipeline.class.getName());

    /**
     * Append commits handed to the store and not yet returned. Two keep the store's writer busy (one
     * commits while the next waits); more would only make each smaller.
     */
    static final int MAX_APPENDS_RUNNING = 2;

    private final int maxPendingSends;
    private final ServerStore store;
    private final EngineRuntime runtime;
    private final EngineMetrics metrics;
    private final Function<String, List<ServerDevice>> devicesOf;

    private final Map<String, InboxState> inboxes = new HashMap<>();
    private final ArrayDeque<PendingAppend> appendsInOrder = new ArrayDeque<>();
    private final List<PendingAppend> appendBuffer = new ArrayList<>();
    private int appendsRunning;

    /**
     * @param maxPendingSends sends of one session accepted and not yet committed; beyond, the session is closed
     * @param devicesOf       the devices of a user now in memory, to tell of what was appended
     */
    AppendPipeline(int maxPendingSends, ServerStore store, EngineRuntime runtime, EngineMetrics metrics,
                   Function<String, List<ServerDevice>> devicesOf) {
        this.maxPendingSends = maxPendingSends;
        this.store = store;
        this.runtime = runtime;
        this.metrics = metrics;
        this.devicesOf = devicesOf;
    }

    // ---------------------------------------------------------------- inbox state cache

    /** The user's inbox state as this engine last knew it. */
    InboxState inbox(String user) {
        return inboxes.computeIfAbsent(user, store::inbox);
    }

    /** What a hello read of the user's inbox. */
    void cache(InboxState state) {
        inboxes.put(state.user(), state);
    }

    /** No device of the user is in memory any more. */
    void forget(String user) {
        inboxes.remove(user);
    }

    // ---------------------------------------------------------------- the send path

    /** A session's {@code Send}: refused, or queued for the next append commit. */
    void submit(ServerSession session, Send send) {
        if (Checksums.crc32c(send.payload()) != send.payloadChecksum()) {
            session.channel.send(new ErrorFrame(ErrorFrame.Code.SEND_REFUSED,
                    "payload does not match its checksum; the message was not stored", send.clientId()));
            metrics.corrupt.increment();
            return;
        }
        if (session.pendingSends >= maxPendingSends) {
            session.close(ErrorFrame.Code.NOT_ALLOWED, "more than " + maxPendingSends
                    + " sends waiting for their commit; wait for send-acks before sending more");
            return;
        }
        session.pendingSends++;
        Submission submission = new Submission(session.principal.user(), send.clientId(), send.to(), send.payload(),
                send.payloadChecksum(), runtime.currentTimeMillis());
        PendingAppend pending = new PendingAppend(session, submission);
        appendsInOrder.add(pending);
        if (appendBuffer.isEmpty() && appendsRunning < MAX_APPENDS_RUNNING) {
            // Everything that arrives before this task runs goes into the same store commit.
            runtime.execute(this::flushAppends);
        }
        appendBuffer.add(pending);
    }

    private void flushAppends() {
        if (appendBuffer.isEmpty() || appendsRunning >= MAX_APPENDS_RUNNING) {
            return; // the next completion flushes: what arrives meanwhile makes the next commit bigger
        }
        appendsRunning++;
        List<PendingAppend> batch = new ArrayList<>(appendBuffer);
        appendBuffer.clear();
        List<Submission> submissions = new ArrayList<>(batch.size());
        batch.forEach(p -> submissions.add(p.submission));
        long started = runtime.nanoTime();
        StoreCommits.submit(runtime, () -> store.commit(ServerCommit.append(submissions)), (accepted, error) -> {
            appendsRunning--;
            metrics.commit(batch.size(), runtime.nanoTime() - started);
            for (int i = 0; i < batch.size(); i++) {
                PendingAppend p = batch.get(i);
                p.done = true;
                p.error = error;
                p.accepted = error == null ? accepted.get(i) : null;
            }
            drainAppends();
            flushAppends();
        });
    }

    /** Answers senders and tells recipients' devices, strictly in commit order. */
    private void drainAppends() {
        Map<String, List<Message>> appended = new LinkedHashMap<>();
        while (!appendsInOrder.isEmpty() && appendsInOrder.peek().done) {
            PendingAppend p = appendsInOrder.poll();
            ServerSession s = p.session;
            s.pendingSends--;
            if (p.error != null) {
                // Nothing was stored; the sender resends from its outbox after reconnecting.
                LOG.log(Level.WARNING, "append failed, closing " + s.describe() + ": " + p.error);
                s.close(ErrorFrame.Code.UNAVAILABLE, "the server could not store a message; reconnect and resend");
                continue;
            }
            Message m = p.accepted.message();
            if (s.active()) {
                s.channel.send(new SendAck(p.submission.clientId(), m.seq(), m.epoch()));
            }
            if (p.accepted.duplicate()) {
                metrics.duplicate.increment();
            } else {
                metrics.received.increment();
                metrics.committed.increment();
                appended.computeIfAbsent(m.recipient(), k -> new ArrayList<>()).add(m);
            }
        }
        appended.forEach((user, messages) -> {
            InboxState before = inbox(user);
            long maxSeq = Math.max(before.maxSeq(), messages.get(messages.size() - 1).seq());
            inboxes.put(user, new InboxState(user, messages.get(messages.size() - 1).epoch(), maxSeq,
                    before.firstSeq() == 0 ? messages.get(0).seq() : before.firstSeq()));
            for (ServerDevice d : devicesOf.apply(user)) {
                d.driver.feed(new Event.MessagesAppended(runtime.nanoTime(), runtime.nextRandom(), messages, maxSeq));
            }
        });
    }

    /** One accepted send, from its session's {@code Send} until its commit returned and it was answered. */
    private static final class PendingAppend {
        final ServerSession session;
        final Submission submission;
        boolean done;
        Throwable error;
        Accepted accepted;

        PendingAppend(ServerSession session, Submission submission) {
            this.session = session;
            this.submission = submission;
        }
    }
}
