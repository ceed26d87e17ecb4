package io.imr.engine;

import io.imr.api.Checksums;
import io.imr.api.ClientIds;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Send;
import io.imr.api.frame.SendAck;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientStore;
import io.imr.api.store.OutboxEntry;
import io.imr.engine.internal.FailureEpisode;
import io.imr.engine.internal.StoreCommits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The device's sends until the server confirms them (G6): each send is committed to the store's
 * outbox before it goes on the wire, sent in counter order within a window, sent again when the
 * server does not answer in time or after a reconnect (the server deduplicates), and removed from
 * the store's outbox in batches once confirmed or refused.
 *
 * <p>Owns: the pending sends, their counters, the window, the enqueue and removal commits. May
 * not: open or close connections (it sends through the {@link Uplink} when a session is up) or
 * touch received messages.
 */
final class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class.getName());

    /** One send, from the application's call to the server's answer. */
    private record Pending(OutboxEntry entry, CompletableFuture<Long> result) {
    }

    private final ClientStore store;
    private final EngineRuntime runtime;
    private final ClientEngineConfig config;
    private final Uplink uplink;
    /** The most payload bytes one {@code Send} frame carries (one larger message goes alone): a quarter of the
     * default frame limit. */
    static final long MAX_BATCH_PAYLOAD = 1L << 20;

    private final Consumer<SendConfirmation> confirmations;
    private final AtomicInteger size = new AtomicInteger();

    // Every entry the store holds or is being enqueued, in counter order, and where each stands.
    private final PendingSends<Pending> pending = new PendingSends<>();
    private final List<PendingSends.Slot<Pending>> enqueueBuffer = new ArrayList<>();
    private final List<Long> removeBuffer = new ArrayList<>();
    private String outboxId;
    /** The highest counter taken, stored or on its way into the store. */
    private long lastCounter;
    /** The highest counter the store's outbox committed. */
    private long durableCounter;
    private boolean enqueueRunning;
    /** The last enqueue commit failed (and freed the counters above {@link #durableCounter}); none stored since. */
    private boolean enqueueFailed;
    private boolean removalRunning;
    private final FailureEpisode removing = new FailureEpisode("removing answered sends from the outbox", LOG::warning);
    /** The retry of a removal commit that failed, while one waits. */
    private EngineRuntime.Cancellable removalRetry;
    /**
     * The server limited a send: nothing more is sent until every send in flight was answered, so that the one it
     * limited goes again before any that followed it (the server keeps an outbox's order, {@code DeviceLimits}).
     */
    private boolean drainAfterLimit;
    /** Nothing is sent before this driver time: the server said RATE_LIMITED. */
    private long backOffUntil = Long.MIN_VALUE;
    private EngineRuntime.Cancellable backOffTimer;

    /**
     * How long after a failed removal commit it is tried again (with the answers that came meanwhile): a store that
     * cannot write now (a full disk) is not asked again at once and again, and a confirmed send does not stay in the
     * store's outbox, to be sent again, until the next restart.
     */
    static final long REMOVAL_RETRY_NANOS = 1_000_000_000L;

    Outbox(ClientStore store, EngineRuntime runtime, ClientEngineConfig config, Uplink uplink,
           Consumer<SendConfirmation> confirmations) {
        this.store = store;
        this.runtime = runtime;
        this.config = config;
        this.uplink = uplink;
        this.confirmations = confirmations;
    }

    /** Takes what the store's outbox holds (after a restart, all of it is sent again) and the counters used. */
    void load(String outboxId, long lastCounter, List<OutboxEntry> entries) {
        this.outboxId = outboxId;
        this.lastCounter = lastCounter;
        this.durableCounter = lastCounter;
        List<OutboxEntry> inOrder = new ArrayList<>(entries);
        inOrder.sort(java.util.Comparator.comparingLong(OutboxEntry::counter));
        for (OutboxEntry e : inOrder) {
            pending.add(e.counter(), new Pending(e, null), PendingSends.State.UNSENT);
        }
        size.set(pending.size());
    }

    /** Sends waiting for the server's answer, for the gauge (read from any thread). */
    int size() {
        return size.get();
    }

    /**
     * A new send: refused at once when the outbox is full or the counter was used; otherwise
     * committed with the others that arrive before the commit starts, then sent.
     *
     * @param requested the application's counter, or 0 to take the next one
     */
    void enqueue(long requested, String to, byte[] payload, CompletableFuture<Long> result) {
        if (pending.size() >= config.maxOutbox()) {
            result.completeExceptionally(new ClientException.OutboxFullException("the outbox holds " + pending.size()
                    + " unconfirmed sends, the most allowed; wait for confirmations"));
            return;
        }
        long counter = requested == 0 ? lastCounter + 1 : requested;
        if (counter <= lastCounter) {
            result.completeExceptionally(new IllegalArgumentException("counter " + counter
                    + " was used already; use one above " + lastCounter));
            return;
        }
        if (enqueueFailed && counter != lastCounter + 1) {
            // Sends numbered by the application may have been on their way here when an enqueue failed and freed
            // their predecessors' counters: stored now, they would leave those as a gap.
            result.completeExceptionally(new IllegalArgumentException("counter " + counter + " would leave a gap:"
                    + " the outbox could not store the sends from counter " + (lastCounter + 1) + " on; send counter "
                    + (lastCounter + 1) + " again first"));
            return;
        }
        lastCounter = counter;
        Pending p = new Pending(new OutboxEntry(counter, to, payload, Checksums.crc32c(payload),
                runtime.currentTimeMillis()), result);
        PendingSends.Slot<Pending> slot = pending.add(counter, p, PendingSends.State.ENQUEUING);
        size.set(pending.size());
        if (enqueueBuffer.isEmpty() && !enqueueRunning) {
            runtime.execute(this::flushEnqueue);
        }
        enqueueBuffer.add(slot);
    }

    /**
     * Sends enter the store's outbox in batches, one enqueue commit at a time (what arrives meanwhile goes into the
     * next), so that a commit that fails takes with it every send numbered after it and the counters stay without
     * a gap: each send is stored with a counter above all stored before it, and a counter never stored is free.
     */
    private void flushEnqueue() {
        if (enqueueBuffer.isEmpty()) {
            enqueueRunning = false;
            return;
        }
        enqueueRunning = true;
        List<PendingSends.Slot<Pending>> batch = new ArrayList<>(enqueueBuffer);
        enqueueBuffer.clear();
        List<OutboxEntry> entries = new ArrayList<>(batch.size());
        batch.forEach(s -> entries.add(s.value.entry()));
        StoreCommits.submit(runtime, () -> store.commit(ClientCommit.enqueue(entries)), (state, error) -> {
            if (error == null) {
                enqueueFailed = false;
                batch.forEach(pending::durable);
                durableCounter = Math.max(durableCounter, entries.get(entries.size() - 1).counter());
            } else {
                // Nothing of it was stored. What was enqueued after it fails too (it would be stored above a
                // counter that never was), and the counters above the last stored one are free again.
                enqueueBuffer.clear();
                enqueueFailed = true;
                // The application hears of it from each send's result; it says so as it sees fit.
                ClientException why = new ClientException("the send could not be stored in the outbox: "
                        + error.getMessage(), error);
                for (PendingSends.Slot<Pending> s : pending.dropEnqueuing()) {
                    s.value.result().completeExceptionally(why);
                }
                lastCounter = durableCounter;
            }
            size.set(pending.size());
            flushEnqueue();
            pump();
        });
    }

    /**
     * Sends durable entries not in flight, in counter order, within the window, if a session is up: as
     * few {@code Send} frames as fit ({@link #MAX_BATCH_PAYLOAD}, {@link Frame#MAX_BATCH}), one per pump
     * mostly.
     */
    void pump() {
        if (!uplink.ready() || backingOff()) {
            return;
        }
        if (drainAfterLimit) {
            if (pending.inFlight() > 0) {
                return; // the server answers each: sending before then could overtake one it limits
            }
            drainAfterLimit = false;
        }
        transmit(pending.takeUnsent(config.sendWindow()));
    }

    /** Sends again, in batches, what the server has not answered for {@code resendAfter} (it deduplicates). */
    void resendOverdue() {
        if (!uplink.ready() || backingOff()) {
            return;
        }
        long overdue = runtime.nanoTime() - config.resendAfter().toNanos();
        List<PendingSends.Slot<Pending>> batch = new ArrayList<>();
        pending.forEachInFlight(s -> {
            if (s.sentAt < overdue) {
                batch.add(s);
            }
        });
        transmit(batch);
    }

    /** The connection is gone: everything in flight is sent again on the next one. */
    void connectionLost() {
        pending.allUnsent();
        drainAfterLimit = false;
    }

    /**
     * Sends entries, in counter order, in frames of at most {@link Frame#MAX_BATCH} items and
     * {@link #MAX_BATCH_PAYLOAD} payload bytes (one larger entry goes alone).
     */
    private void transmit(List<PendingSends.Slot<Pending>> batch) {
        if (batch.isEmpty()) {
            return;
        }
        long now = runtime.nanoTime();
        List<Send.Item> items = new ArrayList<>(Math.min(batch.size(), Frame.MAX_BATCH));
        long bytes = 0;
        for (PendingSends.Slot<Pending> p : batch) {
            OutboxEntry e = p.value.entry();
            if (!items.isEmpty() && (items.size() == Frame.MAX_BATCH || bytes + e.payload().length > MAX_BATCH_PAYLOAD)) {
                uplink.send(new Send(outboxId, items));
                items = new ArrayList<>(Math.min(batch.size(), Frame.MAX_BATCH));
                bytes = 0;
            }
            items.add(new Send.Item(e.counter(), e.to(), e.payload(), e.payloadChecksum()));
            bytes += e.payload().length;
            p.sentAt = now;
        }
        uplink.send(new Send(outboxId, items));
    }

    /**
     * The server committed sends: each counter of its runs that is pending is answered with its seq (the
     * application hears it, the outbox lets it go); counters it does not hold are a second answer to a
     * resend, or of another outbox, and are ignored.
     */
    void acked(SendAck ack) {
        if (!ack.outboxId().equals(outboxId)) {
            return;
        }
        int before = pending.size();
        for (SendAck.Run run : ack.runs()) {
            // Only the counters held: a run may be long, the outbox holds at most maxOutbox.
            pending.removeRange(run.firstCounter(), run.lastCounter(), s -> {
                taken(s.counter);
                long seq = run.seqOf(s.counter);
                Pending p = s.value;
                confirmations.accept(new SendConfirmation(ClientIds.of(outboxId, s.counter), s.counter, p.entry().to(),
                        seq, run.epoch()));
                if (p.result() != null) {
                    p.result().complete(seq);
                }
            });
        }
        if (pending.size() != before) {
            answered();
        }
    }

    /**
     * The server did not take a send for now ({@code RATE_LIMITED}): it stays in the outbox, unsent, and nothing is
     * sent until the server's retry delay has passed and every send in flight was answered (a back-off, never a
     * loss); then it goes again, first, with its client id, so the server stores it once and in order.
     */
    void limited(ErrorFrame e) {
        long counter = counterOf(e.ref());
        if (counter < 0) {
            return; // not of this outbox
        }
        pending.unsent(counter);
        drainAfterLimit = true;
        // A server's delay is taken up to the longest reconnect delay: a buggy or hostile one cannot stall sending.
        long until = runtime.nanoTime() + Math.min(Math.max(1, e.retryAfterMillis()) * 1_000_000L,
                config.reconnectMax().toNanos());
        if (until > backOffUntil) {
            backOffUntil = until;
            if (backOffTimer != null) {
                backOffTimer.cancel();
            }
            backOffTimer = runtime.schedule(until - runtime.nanoTime(), () -> {
                backOffTimer = null;
                pump();
            });
        }
    }

    /** Whether a {@code RATE_LIMITED} answer holds sending back now. */
    private boolean backingOff() {
        return runtime.nanoTime() < backOffUntil;
    }

    /** The server refused a send for good (a bad checksum, a rule): the application hears why; it is not sent again. */
    void refused(ErrorFrame e) {
        long counter = counterOf(e.ref());
        PendingSends.Slot<Pending> s = pending.remove(counter);
        if (s == null) {
            return;
        }
        taken(counter);
        answered();
        LOG.warning("the server refused send " + e.ref() + ": " + e.message());
        if (s.value.result() != null) {
            s.value.result().completeExceptionally(new ClientException.SendRefusedException(e.message()));
        }
    }

    /** A send left {@link #pending}: its removal from the store's outbox is due. */
    private void taken(long counter) {
        size.set(pending.size());
        removeBuffer.add(counter);
    }

    /** Sends were answered: their removal from the store's outbox starts, and the window has room again. */
    private void answered() {
        if (!removalRunning) {
            flushRemovals();
        }
        pump();
    }

    /** Answered sends leave the store's outbox in batches: one removal commit at a time. */
    private void flushRemovals() {
        if (removeBuffer.isEmpty()) {
            removalRunning = false;
            return;
        }
        removalRunning = true;
        List<Long> batch = new ArrayList<>(removeBuffer);
        removeBuffer.clear();
        StoreCommits.submit(runtime, () -> store.commit(ClientCommit.confirmed(batch)), (state, error) -> {
            if (error == null) {
                removing.succeeded();
                flushRemovals();
                return;
            }
            // Still in the store's outbox (were the client to stop now, its next run would send them again and the
            // server answer from its dedup index): tried again in a while, with what is answered until then.
            removing.failed(error, "they stay in it and it is tried again every " + REMOVAL_RETRY_NANOS / 1_000_000
                    + " ms");
            removeBuffer.addAll(0, batch);
            removalRetry = runtime.schedule(REMOVAL_RETRY_NANOS, () -> {
                removalRetry = null;
                flushRemovals();
            });
        });
    }

    /** Fails every send still waiting for an answer (the client stops); the store keeps them for the next run. */
    void failAll(Throwable why) {
        if (removalRetry != null) {
            removalRetry.cancel();
            removalRetry = null;
        }
        if (backOffTimer != null) {
            backOffTimer.cancel();
            backOffTimer = null;
        }
        pending.forEach(s -> {
            if (s.value.result() != null) {
                s.value.result().completeExceptionally(why);
            }
        });
    }

    /** The counter of a client id of this outbox, or -1 for another outbox's or none. */
    private long counterOf(String clientId) {
        if (!ClientIds.isClientId(clientId) || !ClientIds.outboxOf(clientId).equals(outboxId)) {
            return -1;
        }
        return ClientIds.counterOf(clientId);
    }
}
