package io.imr.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.store.Accepted;
import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.ServerStore;
import io.imr.api.store.StoreException;
import io.imr.api.store.Submission;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit for server stores: every rule of the {@link ServerStore} SPI, run against
 * a store by one small subclass that says how to open it over its data and how to make a write
 * fail, as {@link StrategyCompatibilityKit} does for strategies:
 *
 * <pre>
 * class MyServerStoreCompatibilityTest extends ServerStoreCompatibilityKit {
 *     &#64;TempDir Path dir;
 *     protected ServerStore open() { return MyServerStore.open(dir); }
 *     protected void failNextWrite() { ... }
 * }
 * </pre>
 *
 * <p>Each test opens the store with {@link #open()} before it runs and closes it after; a test
 * that restarts the store closes it and calls {@link #open()} again, which must open the same data.
 */
public abstract class ServerStoreCompatibilityKit {

    /** How long a commit may take before the kit calls it hung. */
    private static final long TIMEOUT_SECONDS = 60;

    /**
     * Opens the store under test. Each test starts on empty data (a new instance of the subclass runs
     * each test); called again after {@link ServerStore#close()}, it opens the same data, as a restart
     * of the server does.
     */
    protected abstract ServerStore open();

    /**
     * Makes the next commit of the open store fail while it is written, as a full disk or an I/O error
     * does (once; the commits after it write normally). The store must then fail every commit of that
     * group with a {@link StoreException} that is not a rejection, store nothing of it, and stay usable.
     */
    protected abstract void failNextWrite();

    /** The open store; tests that restart it assign the new one. */
    protected ServerStore store;

    @BeforeEach
    void openStore() {
        store = open();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    /** Closes the store and opens it again over the same data. */
    protected ServerStore reopen() {
        store.close();
        store = open();
        return store;
    }

    // ---------------------------------------------------------------- seqs

    @Test
    @DisplayName("each recipient gets consecutive seqs from 1 of its own, in submission order, in epoch 1")
    void seqsPerRecipient() {
        List<Accepted> a = commit(sub("alice", "o-1", "bob"), sub("alice", "o-2", "carol"), sub("dave", "d-1", "bob"),
                sub("alice", "o-3", "bob"));
        assertEquals(List.of(1L, 1L, 2L, 3L), seqs(a));
        assertTrue(a.stream().noneMatch(Accepted::duplicate), "nothing was stored before");
        Message first = a.get(0).message();
        assertEquals("alice/o-1", first.id());
        assertEquals("bob", first.recipient());
        assertEquals(1, first.epoch());
        assertTrue(first.payloadIntact());
        assertEquals(new InboxState("bob", 1, 3, 1), store.inbox("bob"));
        assertEquals(new InboxState("carol", 1, 1, 1), store.inbox("carol"));
        assertEquals(new InboxState("nobody", 1, 0, 0), store.inbox("nobody"));
        assertEquals(List.of(a.get(0).message(), a.get(2).message(), a.get(3).message()), store.read("bob", 1, 10));
        assertEquals(List.of(a.get(2).message()), store.read("bob", 2, 1));
        assertEquals(List.of(), store.read("bob", 4, 10));
        assertEquals(List.of(), store.read("bob", 1, 0));
        assertEquals(List.of(), store.read("nobody", 1, 10));
        assertEquals(4L, commit(sub("erin", "e-1", "bob")).get(0).message().seq());
    }

    @Test
    @DisplayName("seqs are assigned in the commit: many commits in flight at once get consecutive seqs, none twice")
    void seqsInFlight() {
        List<CompletionStage<List<Accepted>>> stages = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            stages.add(store.commit(ServerCommit.append(List.of(sub("alice", "o-" + i, i % 2 == 0 ? "bob" : "carol")))));
        }
        Map<String, List<Long>> seqs = new TreeMap<>();
        for (CompletionStage<List<Accepted>> s : stages) {
            Message m = await(s).get(0).message();
            seqs.computeIfAbsent(m.recipient(), u -> new ArrayList<>()).add(m.seq());
        }
        assertEquals(range(1, 25), seqs.get("bob"));
        assertEquals(range(1, 25), seqs.get("carol"));
    }

    // ---------------------------------------------------------------- dedup

    @Test
    @DisplayName("a duplicate in the same commit, a later commit and after a restart is answered with the first message")
    void duplicates() {
        List<Accepted> one = commit(sub("alice", "o-1", "bob"), sub("alice", "o-2", "bob"), sub("alice", "o-1", "bob"));
        assertEquals(List.of(false, false, true), duplicates(one));
        assertEquals(one.get(0).message(), one.get(2).message());
        // A resend that names another recipient and payload is still the message stored first.
        Submission resend = new Submission("alice", "o-2", "carol", bytes("other"), Checksums.crc32c(bytes("other")),
                99);
        Accepted again = commit(resend).get(0);
        assertTrue(again.duplicate());
        assertEquals(one.get(1).message(), again.message());
        assertEquals(0, store.inbox("carol").maxSeq());
        reopen();
        List<Accepted> after = commit(sub("alice", "o-1", "bob"), resend, sub("alice", "o-3", "bob"));
        assertEquals(List.of(true, true, false), duplicates(after));
        assertEquals(one.get(0).message(), after.get(0).message());
        assertEquals(one.get(1).message(), after.get(1).message());
        assertEquals(3, after.get(2).message().seq());
        assertEquals(3, store.read("bob", 1, 10).size());
    }

    @Test
    @DisplayName("duplicates across commits queued together (grouped by a store that groups) are detected too")
    void duplicatesAcrossQueuedCommits() {
        List<CompletionStage<List<Accepted>>> stages = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 1; i <= 20; i++) {
                stages.add(store.commit(ServerCommit.append(List.of(sub("alice", "o-" + i, "bob")))));
            }
        }
        Map<String, Message> first = new HashMap<>();
        int duplicates = 0;
        for (CompletionStage<List<Accepted>> s : stages) {
            Accepted a = await(s).get(0);
            Message known = first.putIfAbsent(a.message().clientId(), a.message());
            if (known != null) {
                assertTrue(a.duplicate(), a.message().id() + " was stored before");
                assertEquals(known, a.message());
                duplicates++;
            } else {
                assertFalse(a.duplicate(), a.message().id() + " is new");
            }
        }
        assertEquals(40, duplicates);
        assertEquals(new InboxState("bob", 1, 20, 1), store.inbox("bob"));
        assertEquals(range(1, 20), seqs(store.read("bob", 1, 100)));
    }

    @Test
    @DisplayName("gaps and counters out of order: a counter not stored is new wherever it falls, one stored is a duplicate")
    void gapsAndOutOfOrder() {
        Map<Long, Message> stored = new TreeMap<>();
        storeNew(stored, 1, 2, 3);
        storeNew(stored, 7, 8); // a gap: 4..6 were never sent (a failed enqueue, a refused send)
        storeNew(stored, 5); // below the last counters, in the gap: never stored, so new
        storeNew(stored, 100);
        storeNew(stored, 4, 6, 9);
        for (int pass = 0; pass < 2; pass++) {
            for (Map.Entry<Long, Message> e : stored.entrySet()) {
                Accepted a = commit(sub("alice", "o-" + e.getKey(), "bob")).get(0);
                assertTrue(a.duplicate(), "counter " + e.getKey() + " was stored");
                assertEquals(e.getValue(), a.message());
                assertEquals(Optional.of(e.getValue()), store.findBySender("alice", "o-" + e.getKey()));
            }
            for (long c : new long[] {10, 11, 50, 99, 101}) {
                assertEquals(Optional.empty(), store.findBySender("alice", "o-" + c), "counter " + c);
            }
            reopen();
        }
        assertEquals(stored.size(), store.inbox("bob").maxSeq());
        assertEquals(new ArrayList<>(stored.values()).stream().map(Message::seq).sorted().toList(),
                seqs(store.read("bob", 1, 100)));
    }

    @Test
    @DisplayName("interleaved recipients, senders and outboxes: each message is found and deduplicated as itself")
    void interleaved() {
        List<Submission> subs = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            subs.add(sub("alice", "o-" + i, i % 2 == 0 ? "bob" : "carol")); // alternating recipients
            subs.add(sub("alice", "p-" + i, "bob")); // a second outbox of the same sender, interleaving into bob's
            subs.add(sub("dave", "o-" + i, "bob")); // the same outbox id and counter of another sender: another message
        }
        List<Accepted> first = new ArrayList<>();
        for (int from = 0; from < subs.size(); from += 7) {
            first.addAll(commit(subs.subList(from, Math.min(subs.size(), from + 7)).toArray(Submission[]::new)));
        }
        assertTrue(first.stream().noneMatch(Accepted::duplicate));
        assertEquals(75, store.inbox("bob").maxSeq());
        assertEquals(15, store.inbox("carol").maxSeq());
        for (int pass = 0; pass < 2; pass++) {
            List<Accepted> again = commit(subs.toArray(Submission[]::new));
            for (int i = 0; i < subs.size(); i++) {
                assertTrue(again.get(i).duplicate(), subs.get(i).toString());
                assertEquals(first.get(i).message(), again.get(i).message());
                assertEquals(Optional.of(first.get(i).message()),
                        store.findBySender(subs.get(i).sender(), subs.get(i).clientId()));
            }
            reopen();
        }
        assertEquals(75, store.inbox("bob").maxSeq());
    }

    @Test
    @DisplayName("findBySender: empty for what was never stored and for ids not <outbox id>-<counter>; checks names")
    void findBySender() {
        Message m = commit(sub("alice", "o-1", "bob")).get(0).message();
        assertEquals(Optional.of(m), store.findBySender("alice", "o-1"));
        assertEquals(Optional.empty(), store.findBySender("alice", "o-2"));
        assertEquals(Optional.empty(), store.findBySender("bob", "o-1"));
        assertEquals(Optional.empty(), store.findBySender("alice", "p-1"));
        assertEquals(Optional.empty(), store.findBySender("alice", "o1"));
        assertEquals(Optional.empty(), store.findBySender("alice", "o-01"));
        assertThrows(IllegalArgumentException.class, () -> store.findBySender("a/b", "o-1"));
        assertThrows(IllegalArgumentException.class, () -> store.findBySender("alice", "o 1"));
    }

    // ---------------------------------------------------------------- rejection and failure rules

    @Test
    @DisplayName("a client id that is not <outbox id>-<counter> is rejected: the commit fails alone, stores nothing")
    void clientIdRejected() {
        for (String id : List.of("c1", "o-0", "o-01", "o-1a", "-1", "o-", "o-1-2", "o--1",
                "o-99999999999999999999")) {
            StoreException e = failure(store.commit(ServerCommit.append(List.of(sub("alice", "o-1", "bob"),
                    sub("alice", id, "bob")))));
            assertInstanceOf(StoreException.RejectedException.class, e, id);
            assertTrue(e.getMessage().contains(id), "the message names the client id: " + e.getMessage());
        }
        assertEquals(0, store.inbox("bob").maxSeq());
        assertEquals(Optional.empty(), store.findBySender("alice", "o-1"));
        assertEquals(1L, commit(sub("alice", "o-1", "bob")).get(0).message().seq(), "no seq was used up");
    }

    @Test
    @DisplayName("a payload that does not match its checksum, or is too large, is rejected alone; others still commit")
    void payloadRejected() {
        Submission good = sub("alice", "o-1", "bob");
        Submission bad = new Submission("alice", "o-2", "bob", good.payload(), good.payloadChecksum() + 1, 0);
        byte[] big = new byte[Message.MAX_PAYLOAD + 1];
        Submission large = new Submission("alice", "o-3", "bob", big, Checksums.crc32c(big), 0);
        CompletionStage<List<Accepted>> rejected = store.commit(ServerCommit.append(List.of(good, bad)));
        CompletionStage<List<Accepted>> tooLarge = store.commit(ServerCommit.append(List.of(large)));
        CompletionStage<List<Accepted>> other = store.commit(ServerCommit.append(List.of(sub("carol", "c-1", "bob"))));
        assertInstanceOf(StoreException.RejectedException.class, failure(rejected));
        assertInstanceOf(StoreException.RejectedException.class, failure(tooLarge));
        assertEquals(1L, await(other).get(0).message().seq(), "the rejected commits used up no seq");
        assertEquals(Optional.empty(), store.findBySender("alice", "o-1"));
        assertFalse(commit(good).get(0).duplicate(), "a resend of a rejected submission is new");
        assertEquals(2, store.inbox("bob").maxSeq());
    }

    @Test
    @DisplayName("a write failure fails the commit with a StoreException, stores nothing, and the store stays usable")
    void writeFailure() {
        commit(sub("alice", "o-1", "bob"));
        DeviceState phone = new DeviceState("bob", "phone", 1, 1, 1);
        commit(ServerCommit.device(phone));
        failNextWrite();
        StoreException e = failure(store.commit(new ServerCommit(List.of(sub("alice", "o-2", "bob"),
                sub("alice", "o-1", "bob")), List.of(new DeviceState("bob", "phone", 1, 2, 2)))));
        assertFalse(e instanceof StoreException.RejectedException, "a write failure is no rejection: " + e);
        assertFalse(e instanceof StoreException.ClosedException, "a write failure is not a closed store: " + e);
        assertEquals(new InboxState("bob", 1, 1, 1), store.inbox("bob"));
        assertEquals(Optional.empty(), store.findBySender("alice", "o-2"));
        assertEquals(Optional.of(phone), store.device("bob", "phone"));
        // Usable: the resend is stored as new, at the seq the failed one would have had.
        List<Accepted> resend = commit(sub("alice", "o-2", "bob"), sub("alice", "o-3", "bob"));
        assertEquals(List.of(false, false), duplicates(resend));
        assertEquals(List.of(2L, 3L), seqs(resend));
        reopen();
        assertEquals(range(1, 3), seqs(store.read("bob", 1, 10)));
        assertEquals(resend.get(0).message(), store.findBySender("alice", "o-2").orElseThrow());
    }

    @Test
    @DisplayName("a closed store fails commits with ClosedException and reads throw it; closing twice does nothing")
    void closed() {
        commit(sub("alice", "o-1", "bob"));
        store.close();
        assertInstanceOf(StoreException.ClosedException.class, failure(store.commit(ServerCommit.append(
                List.of(sub("alice", "o-2", "bob"))))));
        assertThrows(StoreException.ClosedException.class, () -> store.read("bob", 1, 10));
        assertThrows(StoreException.ClosedException.class, () -> store.inbox("bob"));
        assertThrows(StoreException.ClosedException.class, () -> store.findBySender("alice", "o-1"));
        assertThrows(StoreException.ClosedException.class, () -> store.device("bob", "phone"));
        store.close();
        store = open();
        assertEquals(1, store.inbox("bob").maxSeq(), "the commit after close stored nothing");
        assertEquals(Optional.empty(), store.findBySender("alice", "o-2"));
    }

    // ---------------------------------------------------------------- devices

    @Test
    @DisplayName("devices: written states are kept; the confirmed watermark never moves back within an epoch")
    void devices() {
        assertEquals(Optional.empty(), store.device("bob", "phone"));
        commit(ServerCommit.device(new DeviceState("bob", "phone", 1, 10, 8)));
        commit(ServerCommit.device(new DeviceState("bob", "phone", 1, 12, 5)));
        assertEquals(Optional.of(new DeviceState("bob", "phone", 1, 12, 8)), store.device("bob", "phone"));
        // Within one commit too: the later lower watermark keeps the higher one.
        commit(new ServerCommit(List.of(), List.of(new DeviceState("bob", "phone", 1, 13, 11),
                new DeviceState("bob", "phone", 1, 13, 9))));
        assertEquals(Optional.of(new DeviceState("bob", "phone", 1, 13, 11)), store.device("bob", "phone"));
        // In another epoch it may be lower.
        commit(ServerCommit.device(new DeviceState("bob", "phone", 2, 3, 2)));
        assertEquals(Optional.of(new DeviceState("bob", "phone", 2, 3, 2)), store.device("bob", "phone"));
        commit(ServerCommit.device(new DeviceState("bob", "tablet", 1, 1, 1)));
        reopen();
        assertEquals(Optional.of(new DeviceState("bob", "phone", 2, 3, 2)), store.device("bob", "phone"));
        assertEquals(Optional.of(new DeviceState("bob", "tablet", 1, 1, 1)), store.device("bob", "tablet"));
        assertEquals(Optional.empty(), store.device("bob", "watch"));
        assertEquals(Optional.empty(), store.device("carol", "phone"));
    }

    // ---------------------------------------------------------------- generations (G10)

    @Test
    @DisplayName("generations: a new one each opening; a store vouches for what it holds, stored by that generation or before")
    void generations() {
        String first = store.generation();
        assertFalse(first == null || first.isEmpty(), "a generation");
        assertTrue(first.length() <= io.imr.api.frame.Hello.MAX_SERVER_STORE, "at most MAX_SERVER_STORE characters");
        Message a = commit(sub("alice", "o-1", "bob")).get(0).message();
        assertTrue(store.vouches("bob", 1, a.id(), first));
        assertFalse(store.vouches("bob", 1, "alice/o-9", first), "another message at the seq");
        assertFalse(store.vouches("bob", 2, a.id(), first), "a seq not held");
        assertFalse(store.vouches("carol", 1, a.id(), first), "another user");
        assertFalse(store.vouches("bob", 1, a.id(), "g9-unknown"), "a generation this store never ran");
        assertFalse(store.vouches("bob", 1, "", first));
        assertFalse(store.vouches("bob", 0, a.id(), first));
        reopen();
        String second = store.generation();
        assertNotEquals(first, second);
        Message b = commit(sub("alice", "o-2", "bob")).get(0).message();
        assertTrue(store.vouches("bob", 1, a.id(), first), "stored by the generation named");
        assertTrue(store.vouches("bob", 1, a.id(), second), "stored by a generation before the one named");
        assertTrue(store.vouches("bob", 2, b.id(), second));
        assertFalse(store.vouches("bob", 2, b.id(), first), "stored by a generation after the one named");
        assertEquals(1, store.inbox("bob").epoch(), "opening never changes a user's epoch");
    }

    // ---------------------------------------------------------------- group commit and crash semantics

    @Test
    @DisplayName("group commit: commits from several threads all complete; seqs per recipient unique and consecutive")
    void concurrentCommits() throws Exception {
        int threads = 4;
        int perThread = 60;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<Accepted>>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                String sender = "s" + t;
                futures.add(pool.submit(() -> {
                    List<CompletionStage<List<Accepted>>> stages = new ArrayList<>();
                    for (int i = 1; i <= perThread; i++) {
                        List<Submission> subs = new ArrayList<>();
                        subs.add(sub(sender, "o-" + i, i % 3 == 0 ? "carol" : "bob"));
                        if (i % 5 == 0) {
                            subs.add(sub(sender, "o-" + (i - 1), "bob")); // a duplicate of the one before
                        }
                        stages.add(store.commit(ServerCommit.append(subs)));
                    }
                    List<Accepted> out = new ArrayList<>();
                    for (CompletionStage<List<Accepted>> s : stages) {
                        out.addAll(await(s));
                    }
                    return out;
                }));
            }
            Map<String, List<Long>> seqs = new TreeMap<>();
            Map<String, Message> byId = new HashMap<>();
            for (Future<List<Accepted>> f : futures) {
                for (Accepted a : f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    if (a.duplicate()) {
                        assertEquals(byId.get(a.message().id()), a.message(), "a duplicate is the first message");
                    } else {
                        assertTrue(byId.put(a.message().id(), a.message()) == null, "stored once: " + a.message().id());
                        seqs.computeIfAbsent(a.message().recipient(), u -> new ArrayList<>()).add(a.message().seq());
                    }
                }
            }
            assertEquals(threads * perThread, byId.size());
            for (Map.Entry<String, List<Long>> e : seqs.entrySet()) {
                List<Long> sorted = e.getValue().stream().sorted().toList();
                assertEquals(range(1, sorted.size()), sorted, e.getKey() + "'s seqs");
                assertEquals(sorted.size(), store.inbox(e.getKey()).maxSeq());
            }
            reopen();
            for (Message m : byId.values()) {
                assertEquals(Optional.of(m), store.findBySender(m.sender(), m.clientId()));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("a restart keeps every committed message, run, device and generation")
    void restartKeepsEverything() {
        List<Accepted> a = commit(sub("alice", "o-1", "bob"), sub("alice", "o-2", "bob"), sub("carol", "x-5", "bob"),
                sub("alice", "o-3", "dave"));
        commit(ServerCommit.device(new DeviceState("bob", "phone", 1, 3, 2)));
        String generation = store.generation();
        for (int i = 0; i < 2; i++) {
            reopen();
            assertEquals(new InboxState("bob", 1, 3, 1), store.inbox("bob"));
            assertEquals(new InboxState("dave", 1, 1, 1), store.inbox("dave"));
            assertEquals(List.of(a.get(0).message(), a.get(1).message(), a.get(2).message()), store.read("bob", 1, 10));
            assertEquals(Optional.of(a.get(3).message()), store.findBySender("alice", "o-3"));
            assertEquals(Optional.of(new DeviceState("bob", "phone", 1, 3, 2)), store.device("bob", "phone"));
            assertTrue(store.vouches("bob", 3, a.get(2).message().id(), generation));
        }
        assertEquals(List.of(4L, 5L), seqs(commit(sub("alice", "o-4", "bob"), sub("alice", "o-5", "bob"))));
    }

    // ---------------------------------------------------------------- retention

    @Test
    @DisplayName("trim: removes the seqs below, reads start at the first held, numbering goes on; idempotent; durable")
    void trim() {
        List<Accepted> a = commit(sub("alice", "o-1", "bob"), sub("alice", "o-2", "bob"), sub("alice", "o-3", "bob"),
                sub("alice", "o-4", "bob"), sub("alice", "o-5", "carol"));
        assertEquals(new InboxState("bob", 1, 4, 3), await(store.trim("bob", 3)));
        assertEquals(new InboxState("bob", 1, 4, 3), store.inbox("bob"));
        assertEquals(List.of(a.get(2).message(), a.get(3).message()), store.read("bob", 1, 10));
        assertEquals(List.of(a.get(3).message()), store.read("bob", 4, 10));
        assertEquals(new InboxState("bob", 1, 4, 3), await(store.trim("bob", 3)), "again: nothing more");
        assertEquals(new InboxState("bob", 1, 4, 3), await(store.trim("bob", 2)), "below what is held: nothing");
        assertEquals(new InboxState("carol", 1, 1, 1), store.inbox("carol"), "other inboxes untouched");
        assertEquals(new InboxState("nobody", 1, 0, 0), await(store.trim("nobody", 5)), "an empty inbox: nothing");
        assertEquals(5L, commit(sub("alice", "o-6", "bob")).get(0).seq(), "numbering goes on");
        reopen();
        assertEquals(new InboxState("bob", 1, 5, 3), store.inbox("bob"));
        assertEquals(range(3, 5), seqs(store.read("bob", 1, 10)));
        // Everything, and beyond maxSeq + 1: first becomes maxSeq + 1, and the next message is held again.
        assertEquals(new InboxState("bob", 1, 5, 6), await(store.trim("bob", 99)));
        assertEquals(List.of(), store.read("bob", 1, 10));
        assertEquals(6L, commit(sub("dave", "d-1", "bob")).get(0).seq());
        assertEquals(new InboxState("bob", 1, 6, 6), store.inbox("bob"));
        assertEquals(range(6, 6), seqs(store.read("bob", 1, 10)));
        assertThrows(IllegalArgumentException.class, () -> store.trim("bob", 0));
        assertThrows(IllegalArgumentException.class, () -> store.trim("not a user", 2));
    }

    @Test
    @DisplayName("trim keeps dedup: a resend of a trimmed message is a duplicate answered with its seq, stores nothing")
    void trimKeepsDedup() {
        List<Accepted> a = commit(sub("alice", "o-1", "bob"), sub("alice", "o-2", "bob"), sub("alice", "o-3", "bob"));
        await(store.trim("bob", 3));
        for (int i = 0; i < 2; i++) {
            List<Accepted> again = commit(sub("alice", "o-1", "bob"), sub("alice", "o-3", "bob"),
                    sub("alice", "o-4", "bob"));
            assertEquals(List.of(true, true, i == 1), duplicates(again));
            assertEquals(new Accepted("bob", 1, 1, null, true), again.get(0), "trimmed: its seq and epoch");
            assertEquals(a.get(2).message(), again.get(1).message(), "held: the message itself");
            assertEquals(4L, again.get(2).seq());
            assertEquals(Optional.empty(), store.findBySender("alice", "o-1"), "trimmed messages are not found");
            assertEquals(Optional.of(a.get(2).message()), store.findBySender("alice", "o-3"));
            reopen();
        }
        assertEquals(new InboxState("bob", 1, 4, 3), store.inbox("bob"));
    }

    @Test
    @DisplayName("trim keeps what vouching needs: the generation that stored a trimmed seq, not its id")
    void trimAndVouching() {
        String first = store.generation();
        Message one = commit(sub("alice", "o-1", "bob")).get(0).message();
        reopen();
        String second = store.generation();
        commit(sub("alice", "o-2", "bob"), sub("alice", "o-3", "bob"));
        await(store.trim("bob", 3));
        assertTrue(store.vouches("bob", 1, one.id(), first), "trimmed, stored by the generation named");
        assertTrue(store.vouches("bob", 1, "", first), "trimmed: the id is not checked");
        assertTrue(store.vouches("bob", 2, "", second));
        assertFalse(store.vouches("bob", 2, "", first), "trimmed, stored by a generation after the one named");
        assertFalse(store.vouches("bob", 1, "", "g9-unknown"), "a generation this store never ran");
        assertFalse(store.vouches("bob", 4, "", second), "a seq never given");
        reopen();
        assertTrue(store.vouches("bob", 1, one.id(), first));
        assertFalse(store.vouches("bob", 2, "", first));
    }

    @Test
    @DisplayName("a trim whose write fails removes nothing and the store stays usable; a closed store refuses it")
    void trimFailure() {
        commit(sub("alice", "o-1", "bob"), sub("alice", "o-2", "bob"), sub("alice", "o-3", "bob"));
        failNextWrite();
        StoreException e = failure(store.trim("bob", 3));
        assertFalse(e instanceof StoreException.ClosedException, e.toString());
        assertEquals(new InboxState("bob", 1, 3, 1), store.inbox("bob"));
        assertEquals(range(1, 3), seqs(store.read("bob", 1, 10)));
        assertEquals(new InboxState("bob", 1, 3, 3), await(store.trim("bob", 3)));
        reopen();
        assertEquals(range(3, 3), seqs(store.read("bob", 1, 10)));
        store.close();
        assertInstanceOf(StoreException.ClosedException.class, failure(store.trim("bob", 4)));
        store = open();
        assertEquals(new InboxState("bob", 1, 3, 3), store.inbox("bob"));
    }

    @Test
    @DisplayName("a trim grouped with appends to the same inbox trims what the group appended too, and the rest is held")
    void trimWithAppends() {
        commit(sub("alice", "o-1", "bob"));
        CompletionStage<List<Accepted>> appended = store.commit(ServerCommit.append(List.of(sub("alice", "o-2", "bob"),
                sub("alice", "o-3", "bob"))));
        CompletionStage<InboxState> trimmed = store.trim("bob", 3);
        CompletionStage<List<Accepted>> after = store.commit(ServerCommit.append(List.of(sub("alice", "o-4", "bob"))));
        assertEquals(List.of(2L, 3L), seqs(await(appended)));
        assertEquals(new InboxState("bob", 1, 3, 3), await(trimmed));
        assertEquals(4L, await(after).get(0).seq());
        assertEquals(range(3, 4), seqs(store.read("bob", 1, 10)));
        reopen();
        assertEquals(range(3, 4), seqs(store.read("bob", 1, 10)));
        assertEquals(new InboxState("bob", 1, 4, 3), store.inbox("bob"));
    }

    @Test
    @DisplayName("firstSeqSince, devices and users answer what retention asks")
    void retentionQueries() {
        byte[] p = bytes("x");
        store.commit(ServerCommit.append(List.of(new Submission("alice", "o-1", "bob", p, Checksums.crc32c(p), 1_000),
                new Submission("alice", "o-2", "bob", p, Checksums.crc32c(p), 2_000),
                new Submission("alice", "o-3", "bob", p, Checksums.crc32c(p), 3_000),
                new Submission("alice", "o-4", "carol", p, Checksums.crc32c(p), 3_000)))).toCompletableFuture().join();
        assertEquals(1, store.firstSeqSince("bob", 0));
        assertEquals(2, store.firstSeqSince("bob", 1_500));
        assertEquals(3, store.firstSeqSince("bob", 3_000));
        assertEquals(4, store.firstSeqSince("bob", 3_001), "none: maxSeq + 1");
        assertEquals(1, store.firstSeqSince("nobody", 0));
        await(store.trim("bob", 3));
        assertEquals(3, store.firstSeqSince("bob", 0), "from the first held");
        commit(new ServerCommit(List.of(), List.of(new DeviceState("bob", "tablet", 1, 2, 2, 5_000),
                new DeviceState("bob", "phone", 1, 1, 1, 4_000), new DeviceState("bobby", "phone", 1, 1, 1, 1))));
        commit(ServerCommit.device(new DeviceState("bob", "phone", 1, 2, 2)));
        assertEquals(List.of(new DeviceState("bob", "phone", 1, 2, 2, 4_000),
                new DeviceState("bob", "tablet", 1, 2, 2, 5_000)), store.devices("bob"), "last seen never moves back");
        assertEquals(List.of(), store.devices("carol"));
        commit(ServerCommit.device(new DeviceState("bob", "phone", 0, 0, 0, 6_000)));
        assertEquals(Optional.of(new DeviceState("bob", "phone", 1, 2, 2, 6_000)), store.device("bob", "phone"),
                "a state of epoch 0 (seen before its first watermark returned) changes only the time");
        assertEquals(List.of("bob", "carol"), store.users("", 10));
        assertEquals(List.of("bob"), store.users("", 1));
        assertEquals(List.of("carol"), store.users("bob", 10));
        reopen();
        assertEquals(2, store.devices("bob").size());
        assertEquals(List.of("bob", "carol"), store.users("", 10));
    }

    @Test
    @DisplayName("keeps a device's revocation and a user's revocation of all its devices: never moved back, kept"
            + " across watermark writes and a reopen")
    void revocations() {
        commit(ServerCommit.device(new DeviceState("bob", "phone", 1, 2, 2, 4_000)));
        commit(ServerCommit.device(new DeviceState("bob", "phone", 0, 0, 0, 0, 9_000)));
        assertEquals(Optional.of(new DeviceState("bob", "phone", 1, 2, 2, 4_000, 9_000)), store.device("bob", "phone"),
                "a revocation changes no watermark");
        commit(ServerCommit.device(new DeviceState("bob", "phone", 1, 3, 3, 10_000)));
        commit(ServerCommit.device(new DeviceState("bob", "phone", 0, 0, 0, 0, 5_000)));
        assertEquals(Optional.of(new DeviceState("bob", "phone", 1, 3, 3, 10_000, 9_000)),
                store.device("bob", "phone"), "a revocation never moves back, nor is it forgotten by a later write");
        commit(ServerCommit.device(new DeviceState("bob", DeviceState.ALL_DEVICES, 0, 0, 0, 0, 12_000)));
        assertEquals(Optional.of(new DeviceState("bob", DeviceState.ALL_DEVICES, 0, 0, 0, 0, 12_000)),
                store.device("bob", DeviceState.ALL_DEVICES));
        reopen();
        assertEquals(9_000, store.device("bob", "phone").orElseThrow().revokedBefore());
        assertEquals(12_000, store.device("bob", DeviceState.ALL_DEVICES).orElseThrow().revokedBefore());
        assertEquals(List.of(DeviceState.ALL_DEVICES, "phone"), store.devices("bob").stream().map(DeviceState::device)
                .toList(), "in device name order");
    }

    // ---------------------------------------------------------------- helpers

    /** Stores counters of alice's outbox "o" to bob, one commit, each new; records the messages. */
    private void storeNew(Map<Long, Message> stored, long... counters) {
        List<Submission> subs = new ArrayList<>();
        for (long c : counters) {
            subs.add(sub("alice", "o-" + c, "bob"));
        }
        List<Accepted> a = commit(subs.toArray(Submission[]::new));
        for (int i = 0; i < counters.length; i++) {
            assertFalse(a.get(i).duplicate(), "counter " + counters[i] + " was never stored");
            stored.put(counters[i], a.get(i).message());
        }
    }

    /** A submission whose payload is derived from its identity. */
    protected static Submission sub(String sender, String clientId, String to) {
        byte[] p = bytes(sender + "/" + clientId);
        return new Submission(sender, clientId, to, p, Checksums.crc32c(p), 7_000);
    }

    private static byte[] bytes(String s) {
        return ("payload of " + s).getBytes(StandardCharsets.UTF_8);
    }

    private List<Accepted> commit(Submission... submissions) {
        return commit(ServerCommit.append(List.of(submissions)));
    }

    private List<Accepted> commit(ServerCommit commit) {
        return await(store.commit(commit));
    }

    private static List<Long> seqs(List<?> items) {
        return items.stream().map(o -> o instanceof Accepted a ? a.seq() : ((Message) o).seq()).toList();
    }

    private static List<Boolean> duplicates(List<Accepted> accepted) {
        return accepted.stream().map(Accepted::duplicate).toList();
    }

    private static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }

    /** Waits for a stage; the store's own failure comes out unwrapped. */
    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new AssertionError("commit failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new AssertionError("commit did not complete within " + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The StoreException a stage fails with; fails the test if it succeeds or fails otherwise. */
    private static StoreException failure(CompletionStage<?> stage) {
        try {
            Object result = await(stage);
            return fail("expected the commit to fail, it returned " + result);
        } catch (StoreException e) {
            return e;
        } catch (CompletionException e) {
            if (e.getCause() instanceof StoreException se) {
                return se;
            }
            throw e;
        }
    }
}
