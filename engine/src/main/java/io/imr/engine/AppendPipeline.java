package io.imr.engine;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Send;
import io.imr.api.frame.SendAck;
import io.imr.api.store.Accepted;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.ServerStore;
import io.imr.api.store.Submission;
import io.imr.api.strategy.Event;
import io.imr.engine.internal.FailureEpisode;
import io.imr.engine.internal.StoreCommits;
import io.imr.engine.metrics.EngineMetrics;
import io.imr.engine.metrics.MetricNames;
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
 * order. It also keeps the inbox state (epoch and max seq) of each user with a device in memory or
 * a hello under way, which those events, the welcome and the pongs carry.
 *
 * <p>Owns: the appends in flight, their order, the pending-send count of each session, the inbox
 * states it watches. May not touch: a session's state (it only sends a session frames or asks it to close),
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
    private final FailureEpisode storing = new FailureEpisode("storing sends", LOG::warning);
    private final Function<String, List<ServerDevice>> devicesOf;

    private final Map<String, Watched> watched = new HashMap<>();
    private final ArrayDeque<PendingAppend> appendsInOrder = new ArrayDeque<>();
    private final List<PendingAppend> appendBuffer = new ArrayList<>();
    private int appendsRunning;
    /** The largest payload stored ({@link ServerEngineConfig#payloadLimit()}). */
    private final int payloadLimit;

    /**
     * @param maxPendingSends sends of one session accepted and not yet committed; beyond, the session is closed
     * @param devicesOf       the devices of a user now in memory, to tell of what was appended
     */
    AppendPipeline(int maxPendingSends, int payloadLimit, ServerStore store, EngineRuntime runtime,
                   EngineMetrics metrics, Function<String, List<ServerDevice>> devicesOf) {
        this.maxPendingSends = maxPendingSends;
        this.payloadLimit = payloadLimit;
        this.store = store;
        this.runtime = runtime;
        this.metrics = metrics;
        this.devicesOf = devicesOf;
    }

    // ---------------------------------------------------------------- inbox state cache

    /**
     * Remembers the inbox state of {@code user} from now on, until as many {@link #unwatch} calls:
     * each device of the user in memory and each hello of the user under way watches it. Appends to
     * a user nobody watches are remembered nowhere (memory stays bounded by what is connected, G7)
     * and cost no store read.
     */
    void watch(String user) {
        watched.computeIfAbsent(user, k -> new Watched()).watchers++;
    }

    /** Ends one {@link #watch}. */
    void unwatch(String user) {
        Watched w = watched.get(user);
        if (w != null && --w.watchers == 0) {
            watched.remove(user);
        }
    }

    /**
     * What a hello read of a watched user's inbox, off the context, settled against what committed
     * since it was read: the newer state wins (a later epoch, else a higher max seq), so an append
     * that committed between that read and the welcome is neither missed nor overwritten (G9).
     *
     * @return the state to welcome the device with, remembered from now on
     */
    InboxState settle(InboxState read) {
        Watched w = watched.get(read.user());
        if (w == null) {
            throw new IllegalStateException("settling the inbox of " + read.user() + ", which nobody watches");
        }
        w.state = newer(read, w.state);
        return w.state;
    }

    /** The inbox state of a user watched since its state was {@linkplain #settle settled}: a welcomed session's. */
    InboxState inbox(String user) {
        Watched w = watched.get(user);
        if (w == null || w.state == null) {
            throw new IllegalStateException("the inbox of " + user + " is not watched or not settled yet");
        }
        return w.state;
    }

    /** The newer of two states of one inbox ({@code known} may be null): a later epoch, else a higher max seq. */
    static InboxState newer(InboxState candidate, InboxState known) {
        if (known == null) {
            return candidate;
        }
        boolean later = candidate.epoch() > known.epoch()
                || candidate.epoch() == known.epoch() && candidate.maxSeq() > known.maxSeq();
        if (later) {
            return candidate;
        }
        return candidate.firstSeq() != 0 && candidate.epoch() == known.epoch()
                ? new InboxState(known.user(), known.epoch(), known.maxSeq(), candidate.firstSeq()) : known;
    }

    /** One watched user's inbox: how many watch it, and its state once known (null before). */
    private static final class Watched {
        int watchers;
        InboxState state;
    }

    // ---------------------------------------------------------------- the send path

    /**
     * A session's {@code Send} batch: each item whose payload does not match its checksum, or is larger than the
     * server stores, is refused alone ({@code SEND_REFUSED} naming its client id: for good); each beyond its device's
     * send rate is answered {@code RATE_LIMITED} naming its client id (the device sends it again later); the others
     * are queued for the next append commit, one submission each. A session that would have more than
     * {@code maxPendingSends} sends waiting is closed.
     */
    void submit(ServerSession session, Send send) {
        List<Send.Item> items = send.items();
        int n = items.size();
        boolean[] refused = null;
        int accepted = n;
        int limited = 0;
        long nowNanos = runtime.nanoTime();
        for (int i = 0; i < n; i++) {
            Send.Item item = items.get(i);
            ErrorFrame answer = null;
            if (Checksums.crc32c(item.payload()) != item.payloadChecksum()) {
                answer = new ErrorFrame(ErrorFrame.Code.SEND_REFUSED,
                        "payload does not match its checksum; the message was not stored", send.clientId(item));
                metrics.corrupt.increment();
            } else if (item.payload().length > payloadLimit) {
                answer = new ErrorFrame(ErrorFrame.Code.SEND_REFUSED, "payload of " + item.payload().length
                        + " bytes is larger than this server stores (" + payloadLimit + " bytes); the message was not"
                        + " stored", send.clientId(item));
            } else {
                long wait = session.limits().send(send.outboxId(), item.counter(), nowNanos);
                if (wait > 0) {
                    limited++;
                    answer = new ErrorFrame(ErrorFrame.Code.RATE_LIMITED, "over this device's send-rate: keep it, send"
                            + " it again after retry_after_ms", send.clientId(item),
                            Math.max(1, (wait + 999_999) / 1_000_000));
                }
            }
            if (answer != null) {
                if (refused == null) {
                    refused = new boolean[n];
                }
                refused[i] = true;
                accepted--;
                session.channel.send(answer);
            }
        }
        if (limited > 0) {
            metrics.limited(MetricNames.LIMITED_SEND, limited);
        }
        if (accepted == 0) {
            return;
        }
        if (session.pendingSends + accepted > maxPendingSends) {
            session.close(ErrorFrame.Code.NOT_ALLOWED, "more than " + maxPendingSends
                    + " sends waiting for their commit; wait for send-acks before sending more");
            return;
        }
        session.pendingSends += accepted;
        String sender = session.principal.user();
        long now = runtime.currentTimeMillis();
        if (appendBuffer.isEmpty() && appendsRunning < MAX_APPENDS_RUNNING) {
            // Everything that arrives before this task runs goes into the same store commit.
            runtime.execute(this::flushAppends);
        }
        for (int i = 0; i < n; i++) {
            if (refused != null && refused[i]) {
                continue;
            }
            Send.Item item = items.get(i);
            Submission submission = new Submission(sender, send.clientId(item), item.to(), item.payload(),
                    item.payloadChecksum(), now);
            PendingAppend pending = new PendingAppend(session, send.outboxId(), item.counter(), submission);
            appendsInOrder.add(pending);
            appendBuffer.add(pending);
        }
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
        Map<ServerSession, SendAcks> answers = new LinkedHashMap<>();
        while (!appendsInOrder.isEmpty() && appendsInOrder.peek().done) {
            PendingAppend p = appendsInOrder.poll();
            ServerSession s = p.session;
            s.pendingSends--;
            if (p.error != null) {
                // Nothing was stored; the sender resends from its outbox after reconnecting. One line for a run of
                // failed appends (a full disk fails every one until space is freed), not one per message.
                storing.failed(p.error, "each sender's session is closed and it resends, until the store writes again");
                s.close(ErrorFrame.Code.UNAVAILABLE, "the server could not store a message; reconnect and resend");
                continue;
            }
            storing.succeeded();
            Accepted a = p.accepted;
            if (s.active()) {
                answers.computeIfAbsent(s, SendAcks::new).add(p.outboxId, p.counter, a.seq(), a.epoch());
            }
            if (a.duplicate()) {
                metrics.duplicate.increment(); // its message may have been trimmed since: only its seq is answered
            } else {
                Message m = a.message();
                metrics.received.increment();
                metrics.committed.increment();
                appended.computeIfAbsent(m.recipient(), k -> new ArrayList<>()).add(m);
            }
        }
        // Each session hears of everything this drain committed for it in one SendAck (or a few).
        answers.values().forEach(SendAcks::flush);
        appended.forEach((user, messages) -> {
            Watched w = watched.get(user);
            if (w == null) {
                return; // no device of the user in memory and no hello of it under way: nobody to tell
            }
            Message first = messages.get(0);
            Message last = messages.get(messages.size() - 1);
            long maxSeq = w.state == null ? last.seq() : Math.max(w.state.maxSeq(), last.seq());
            w.state = newer(new InboxState(user, last.epoch(), maxSeq,
                    w.state == null || w.state.firstSeq() == 0 ? first.seq() : w.state.firstSeq()), w.state);
            for (ServerDevice d : devicesOf.apply(user)) {
                d.driver.feed(new Event.MessagesAppended(runtime.nanoTime(), runtime.nextRandom(), messages, maxSeq));
            }
        });
    }

    /** One accepted send, from its session's {@code Send} until its commit returned and it was answered. */
    private static final class PendingAppend {
        final ServerSession session;
        final String outboxId;
        final long counter;
        final Submission submission;
        boolean done;
        Throwable error;
        Accepted accepted;

        PendingAppend(ServerSession session, String outboxId, long counter, Submission submission) {
            this.session = session;
            this.outboxId = outboxId;
            this.counter = counter;
            this.submission = submission;
        }
    }

    /**
     * The answers one drain owes a session, as runs: a counter that follows the run's last with the seq
     * that follows its last, of the same epoch, extends it; anything else starts a new run. A frame holds
     * at most {@link Frame#MAX_RUNS} runs of one outbox.
     */
    static final class SendAcks {
        private final ServerSession session;
        private String outboxId;
        private List<SendAck.Run> runs = new ArrayList<>();
        private long firstCounter;
        private long firstSeq;
        private long count;
        private long epoch;

        SendAcks(ServerSession session) {
            this.session = session;
        }

        void add(String outbox, long counter, long seq, long seqEpoch) {
            if (count > 0 && outbox.equals(outboxId) && seqEpoch == epoch && counter == firstCounter + count
                    && seq == firstSeq + count) {
                count++;
                return;
            }
            endRun();
            if (!outbox.equals(outboxId) || runs.size() == Frame.MAX_RUNS) {
                send();
                outboxId = outbox;
            }
            firstCounter = counter;
            firstSeq = seq;
            epoch = seqEpoch;
            count = 1;
        }

        void flush() {
            endRun();
            send();
        }

        private void endRun() {
            if (count > 0) {
                runs.add(new SendAck.Run(firstCounter, count, firstSeq, epoch));
                count = 0;
            }
        }

        private void send() {
            if (!runs.isEmpty()) {
                if (session.active()) {
                    session.channel.send(new SendAck(outboxId, runs));
                }
                runs = new ArrayList<>();
            }
        }
    }
}
