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
import io.imr.engine.internal.StoreCommits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
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
    private static final class Pending {
        final OutboxEntry entry;
        final CompletableFuture<Long> result;
        long sentAt = -1;

        Pending(OutboxEntry entry, CompletableFuture<Long> result) {
            this.entry = entry;
            this.result = result;
        }
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

    // Every entry the store holds or is being enqueued, by counter.
    private final TreeMap<Long, Pending> pending = new TreeMap<>();
    // Durable and not sent on this connection / sent and not answered: kept apart so that sending and
    // answering cost O(log n), not a walk over the whole outbox.
    private final TreeSet<Long> unsent = new TreeSet<>();
    private final TreeSet<Long> inFlight = new TreeSet<>();
    private final List<Pending> enqueueBuffer = new ArrayList<>();
    private final List<Long> removeBuffer = new ArrayList<>();
    private String outboxId;
    private long lastCounter;
    private boolean removalRunning;

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
        for (OutboxEntry e : entries) {
            pending.put(e.counter(), new Pending(e, null));
            unsent.add(e.counter());
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
        lastCounter = counter;
        Pending p = new Pending(new OutboxEntry(counter, to, payload, Checksums.crc32c(payload),
                runtime.currentTimeMillis()), result);
        pending.put(counter, p);
        size.set(pending.size());
        if (enqueueBuffer.isEmpty()) {
            runtime.execute(this::flushEnqueue);
        }
        enqueueBuffer.add(p);
    }

    private void flushEnqueue() {
        if (enqueueBuffer.isEmpty()) {
            return;
        }
        List<Pending> batch = new ArrayList<>(enqueueBuffer);
        enqueueBuffer.clear();
        List<OutboxEntry> entries = new ArrayList<>(batch.size());
        batch.forEach(p -> entries.add(p.entry));
        StoreCommits.submit(runtime, () -> store.commit(ClientCommit.enqueue(entries)), (state, error) -> {
            for (Pending p : batch) {
                if (error == null) {
                    unsent.add(p.entry.counter());
                } else {
                    pending.remove(p.entry.counter());
                    p.result.completeExceptionally(new ClientException("the send could not be stored in the outbox: "
                            + error.getMessage(), error));
                }
            }
            size.set(pending.size());
            pump();
        });
    }

    /**
     * Sends durable entries not in flight, in counter order, within the window, if a session is up: as
     * few {@code Send} frames as fit ({@link #MAX_BATCH_PAYLOAD}, {@link Frame#MAX_BATCH}), one per pump
     * mostly.
     */
    void pump() {
        if (!uplink.ready() || unsent.isEmpty()) {
            return;
        }
        List<Pending> batch = new ArrayList<>(Math.min(unsent.size(), config.sendWindow()));
        while (inFlight.size() < config.sendWindow() && !unsent.isEmpty()) {
            Long counter = unsent.pollFirst();
            Pending p = pending.get(counter);
            if (p != null) {
                batch.add(p);
                inFlight.add(counter);
            }
        }
        transmit(batch);
    }

    /** Sends again, in batches, what the server has not answered for {@code resendAfter} (it deduplicates). */
    void resendOverdue() {
        if (!uplink.ready()) {
            return;
        }
        long overdue = runtime.nanoTime() - config.resendAfter().toNanos();
        List<Pending> batch = new ArrayList<>();
        for (Long counter : inFlight) {
            Pending p = pending.get(counter);
            if (p != null && p.sentAt < overdue) {
                batch.add(p);
            }
        }
        transmit(batch);
    }

    /** The connection is gone: everything in flight is sent again on the next one. */
    void connectionLost() {
        for (Long counter : inFlight) {
            Pending p = pending.get(counter);
            if (p != null) {
                p.sentAt = -1;
                unsent.add(counter);
            }
        }
        inFlight.clear();
    }

    /**
     * Sends entries, in counter order, in frames of at most {@link Frame#MAX_BATCH} items and
     * {@link #MAX_BATCH_PAYLOAD} payload bytes (one larger entry goes alone).
     */
    private void transmit(List<Pending> batch) {
        if (batch.isEmpty()) {
            return;
        }
        long now = runtime.nanoTime();
        List<Send.Item> items = new ArrayList<>(Math.min(batch.size(), Frame.MAX_BATCH));
        long bytes = 0;
        for (Pending p : batch) {
            OutboxEntry e = p.entry;
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
        boolean any = false;
        for (SendAck.Run run : ack.runs()) {
            // Only the counters held: a run may be long, the outbox holds at most maxOutbox.
            Map<Long, Pending> held = pending.subMap(run.firstCounter(), true, run.lastCounter(), true);
            while (!held.isEmpty()) {
                long counter = held.keySet().iterator().next();
                Pending p = take(counter);
                long seq = run.seqOf(counter);
                confirmations.accept(new SendConfirmation(ClientIds.of(outboxId, counter), counter, p.entry.to(), seq,
                        run.epoch()));
                if (p.result != null) {
                    p.result.complete(seq);
                }
                any = true;
            }
        }
        if (any) {
            answered();
        }
    }

    /** The server refused a send for good (a bad checksum, a rule): the application hears why; it is not sent again. */
    void refused(ErrorFrame e) {
        long counter = counterOf(e.ref());
        Pending p = take(counter);
        if (p == null) {
            return;
        }
        answered();
        LOG.warning("the server refused send " + e.ref() + ": " + e.message());
        if (p.result != null) {
            p.result.completeExceptionally(new ClientException.SendRefusedException(e.message()));
        }
    }

    private Pending take(long counter) {
        Pending p = pending.remove(counter);
        if (p == null) {
            return null;
        }
        size.set(pending.size());
        inFlight.remove(counter);
        unsent.remove(counter);
        removeBuffer.add(counter);
        return p;
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
            if (error != null) {
                // Still in the store's outbox: a restart resends them and the server answers from its dedup index.
                LOG.fine("removing " + batch.size() + " answered sends from the outbox failed: " + error);
            }
            flushRemovals();
        });
    }

    /** Fails every send still waiting for an answer (the client stops); the store keeps them for the next run. */
    void failAll(Throwable why) {
        for (Pending p : pending.values()) {
            if (p.result != null) {
                p.result.completeExceptionally(why);
            }
        }
    }

    /** The counter of a client id of this outbox, or -1 for another outbox's or none. */
    private long counterOf(String clientId) {
        if (!ClientIds.isClientId(clientId) || !ClientIds.outboxOf(clientId).equals(outboxId)) {
            return -1;
        }
        return ClientIds.counterOf(clientId);
    }
}
