package io.imr.store.mapdb;

import static io.imr.store.mapdb.TestData.await;
import static io.imr.store.mapdb.TestData.entries;
import static io.imr.store.mapdb.TestData.failureOf;
import static io.imr.store.mapdb.TestData.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientState;
import io.imr.api.store.OutboxEntry;
import io.imr.api.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("MapDbClientStore")
class ClientStoreTest {

    @TempDir
    Path dir;

    private MapDbClientStore store;

    @BeforeEach
    void open() {
        store = MapDbClientStore.open(dir, "alice", "phone");
    }

    @AfterEach
    void close() {
        store.close();
    }

    private MapDbClientStore reopen() {
        store.close();
        store = MapDbClientStore.open(dir, "alice", "phone");
        return store;
    }

    private static List<Long> seqs(List<Message> messages) {
        return messages.stream().map(Message::seq).toList();
    }

    @Nested
    @DisplayName("opening")
    class Opening {

        @Test
        @DisplayName("a new store is empty, belongs to its user and device and has a random 16-hex-digit outbox id")
        void newStore() {
            ClientState s = store.state();
            assertThat(s.user()).isEqualTo("alice");
            assertThat(s.device()).isEqualTo("phone");
            assertThat(s.outboxId()).matches("[0-9a-f]{16}");
            assertThat(List.of(s.epoch(), s.cursor(), s.firstSeq(), s.count(), s.handedOver(), s.lastCounter()))
                    .containsOnly(0L);
            assertThat(s.idAtCursor()).isEmpty();
            assertThat(s.outboxSize()).isZero();
            assertThat(store.read(1, 10)).isEmpty();
            assertThat(store.outbox()).isEmpty();
        }

        @Test
        @DisplayName("reopening keeps the outbox id, and two stores get different ones")
        void outboxIdIsKept(@TempDir Path other) {
            String id = store.state().outboxId();
            assertThat(reopen().state().outboxId()).isEqualTo(id);
            try (MapDbClientStore second = MapDbClientStore.open(other, "alice", "phone")) {
                assertThat(second.state().outboxId()).isNotEqualTo(id);
            }
        }

        @Test
        @DisplayName("opening for another user or device fails naming both, and leaves the store as it was")
        void otherOwner() {
            store.close();
            assertThatThrownBy(() -> MapDbClientStore.open(dir, "bob", "phone"))
                    .isExactlyInstanceOf(StoreException.class)
                    .hasMessageContaining("alice").hasMessageContaining("bob");
            assertThatThrownBy(() -> MapDbClientStore.open(dir, "alice", "tablet"))
                    .isExactlyInstanceOf(StoreException.class)
                    .hasMessageContaining("phone").hasMessageContaining("tablet");
            store = MapDbClientStore.open(dir, "alice", "phone");
            assertThat(store.state().user()).isEqualTo("alice");
        }

        @Test
        @DisplayName("openExisting reads a store without knowing its owner, and fails clearly where there is none")
        void openExisting(@TempDir Path empty) throws Exception {
            await(store.commit(TestData.received(messages("alice", 1, 1, 3))));
            store.close();
            store = MapDbClientStore.openExisting(dir);
            assertThat(store.state().cursor()).isEqualTo(3);
            assertThat(store.state().device()).isEqualTo("phone");

            Path nothing = empty.resolve("nothing-here");
            assertThatThrownBy(() -> MapDbClientStore.openExisting(nothing))
                    .isExactlyInstanceOf(StoreException.class)
                    .hasMessageContaining("no client store in " + nothing);
            assertThatThrownBy(() -> MapDbClientStore.openExisting(empty))
                    .hasMessageContaining("no client store");
            assertThat(nothing).doesNotExist();
            try (Stream<Path> files = Files.list(empty)) {
                assertThat(files).isEmpty();
            }
        }

        @Test
        @DisplayName("invalid user or device names are refused before anything is created")
        void invalidNames(@TempDir Path fresh) throws Exception {
            Path d = fresh.resolve("s");
            assertThatThrownBy(() -> MapDbClientStore.open(d, "al ice", "phone"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> MapDbClientStore.open(d, "alice", ""))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(d).doesNotExist();
        }

        @Test
        @DisplayName("close waits for the commits queued before it, and they are durable")
        void closeDrainsQueue(@TempDir Path other) throws Exception {
            FaultPlan plan = new FaultPlan();
            MapDbClientStore s = MapDbClientStore.open(other, "alice", "phone", plan.options());
            plan.holdNextGroup();
            CompletionStage<ClientState> first = s.commit(TestData.received(messages("alice", 1, 1, 2)));
            plan.awaitHeld();
            CompletionStage<ClientState> second = s.commit(TestData.received(messages("alice", 1, 3, 4)));
            CompletionStage<ClientState> third = s.commit(ClientCommit.handedOver(4));
            Thread closer = new Thread(s::close);
            closer.start();
            plan.release();
            closer.join(30_000);
            assertThat(closer.isAlive()).isFalse();
            assertThat(await(first).cursor()).isEqualTo(2);
            assertThat(await(second).cursor()).isEqualTo(4);
            assertThat(await(third).handedOver()).isEqualTo(4);
            assertThat(failureOf(s.commit(ClientCommit.handedOver(4))))
                    .isInstanceOf(StoreException.ClosedException.class);
            try (MapDbClientStore again = MapDbClientStore.open(other, "alice", "phone")) {
                assertThat(again.state().cursor()).isEqualTo(4);
                assertThat(again.state().handedOver()).isEqualTo(4);
            }
        }

        @Test
        @DisplayName("after close, commits fail with ClosedException, and so do state and reads; closing twice does nothing")
        void closed() {
            store.close();
            assertThat(failureOf(store.commit(ClientCommit.handedOver(0))))
                    .isInstanceOf(StoreException.ClosedException.class);
            assertThatThrownBy(store::state).isInstanceOf(StoreException.ClosedException.class);
            assertThatThrownBy(() -> store.read(1, 1)).isInstanceOf(StoreException.ClosedException.class);
            assertThatThrownBy(store::outbox).isInstanceOf(StoreException.ClosedException.class);
            store.close();
        }
    }

    @Nested
    @DisplayName("round trips")
    class RoundTrips {

        @Test
        @DisplayName("messages move the cursor with them and read back as committed, also after reopening")
        void messagesAndCursor() {
            ClientState s = await(store.commit(TestData.received(messages("alice", 1, 1, 5))));
            assertThat(s.cursor()).isEqualTo(5);
            assertThat(s.idAtCursor()).isEqualTo(TestData.message("alice", 1, 5).id());
            assertThat(s.epoch()).isEqualTo(1);
            assertThat(s.firstSeq()).isEqualTo(1);
            assertThat(s.count()).isEqualTo(5);
            await(store.commit(TestData.received(messages("alice", 1, 6, 9))));
            assertThat(store.state().count()).isEqualTo(9);
            assertThat(store.read(1, 100)).isEqualTo(messages("alice", 1, 1, 9));

            reopen();
            assertThat(store.state().cursor()).isEqualTo(9);
            assertThat(store.state().count()).isEqualTo(9);
            assertThat(store.read(1, 100)).isEqualTo(messages("alice", 1, 1, 9));
        }

        @Test
        @DisplayName("reads page from any seq across batch records, within the limit")
        void paging() {
            for (long from = 1; from <= 100; from += 10) {
                await(store.commit(TestData.received(messages("alice", 1, from, from + 9))));
            }
            assertThat(seqs(store.read(37, 5))).containsExactly(37L, 38L, 39L, 40L, 41L);
            assertThat(seqs(store.read(95, 50))).containsExactly(95L, 96L, 97L, 98L, 99L, 100L);
            assertThat(store.read(101, 5)).isEmpty();
            assertThat(store.read(1, 0)).isEmpty();
            assertThat(seqs(store.read(0, 2))).containsExactly(1L, 2L);
            assertThatThrownBy(() -> store.read(1, -1)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        @DisplayName("a large commit is split into several records and a 1 MiB message gets one of its own")
        void largeCommits() {
            await(store.commit(TestData.received(messages("alice", 1, 1, 3000))));
            byte[] big = TestData.payload("big", Message.MAX_PAYLOAD);
            Message large = Message.of("s", "big-1", "alice", 3001, 1, 1, big, Checksums.crc32c(big));
            await(store.commit(TestData.received(List.of(large))));
            assertThat(store.read(1, 5000)).hasSize(3001);
            reopen();
            assertThat(store.read(2999, 5)).containsExactly(TestData.message("alice", 1, 2999),
                    TestData.message("alice", 1, 3000), large);
            assertThat(store.state().count()).isEqualTo(3001);
        }

        @Test
        @DisplayName("the outbox lists waiting sends by counter; confirmed ones leave, unknown counters are ignored")
        void outbox() {
            await(store.commit(ClientCommit.enqueue(entries("bob", 1, 5))));
            await(store.commit(ClientCommit.enqueue(entries("carol", 6, 8))));
            assertThat(store.state().outboxSize()).isEqualTo(8);
            assertThat(store.state().lastCounter()).isEqualTo(8);

            ClientState s = await(store.commit(ClientCommit.confirmed(List.of(2L, 4L, 6L, 99L, 4L))));
            assertThat(s.outboxSize()).isEqualTo(5);
            assertThat(store.outbox()).extracting(OutboxEntry::counter).containsExactly(1L, 3L, 5L, 7L, 8L);
            assertThat(store.outbox().get(0)).isEqualTo(TestData.entry("bob", 1));

            reopen();
            assertThat(store.outbox()).extracting(OutboxEntry::counter).containsExactly(1L, 3L, 5L, 7L, 8L);
            await(store.commit(ClientCommit.confirmed(List.of(1L, 3L, 5L, 7L, 8L))));
            assertThat(store.outbox()).isEmpty();
            assertThat(store.state().lastCounter()).isEqualTo(8);
            reopen();
            assertThat(store.outbox()).isEmpty();
            assertThat(store.state().outboxSize()).isZero();
            assertThat(store.state().lastCounter()).isEqualTo(8);
        }

        @Test
        @DisplayName("entries enqueued and confirmed in one commit leave nothing behind")
        void enqueueAndConfirmTogether() {
            await(store.commit(new ClientCommit(null, "", List.of(), -1, entries("bob", 1, 3), List.of(1L, 2L, 3L))));
            assertThat(store.outbox()).isEmpty();
            assertThat(store.state().lastCounter()).isEqualTo(3);
            reopen();
            assertThat(store.outbox()).isEmpty();
        }

        @Test
        @DisplayName("the hand-over mark moves forward up to the cursor and survives reopening")
        void handOver() {
            await(store.commit(new ClientCommit(null, TestData.GEN, messages("alice", 1, 1, 4), 2, List.of(), List.of())));
            assertThat(store.state().handedOver()).isEqualTo(2);
            await(store.commit(ClientCommit.handedOver(4)));
            assertThat(reopen().state().handedOver()).isEqualTo(4);
        }

        @Test
        @DisplayName("after the server went back, ids held are not stored again; the rest follow the device's own last"
                + " message; the server position follows the server's numbering")
        void resyncByIdAfterTheServerWentBack() {
            List<Message> first = messages("alice", 1, 1, 4);
            await(store.commit(TestData.received(first)));
            // The server was restored from a copy holding 1..2; it then stored n3 at 3 and got m4 again at 4.
            Message n3 = TestData.message("alice", 1, 3).renumbered(3, 1);
            Message fresh = Message.of("zed", "z-1", "alice", 3, 1, 0, n3.payload(), n3.payloadChecksum());
            Message m4Again = first.get(3).renumbered(4, 1);
            ClientState resync = await(store.commit(ClientCommit.rebase(new ClientCommit.Rebase("g2-b", 1, 0))));
            assertThat(resync.server()).isEqualTo(new ClientState.ServerPosition("g2-b", 1, 0, ""));
            assertThat(resync.cursor()).isEqualTo(4);
            ClientState s = await(store.commit(ClientCommit.messages("g2-b",
                    List.of(first.get(0), first.get(1), fresh, m4Again))));
            assertThat(s.cursor()).isEqualTo(5);
            assertThat(s.count()).isEqualTo(5);
            assertThat(s.idAtCursor()).isEqualTo(fresh.id());
            assertThat(s.server()).isEqualTo(new ClientState.ServerPosition("g2-b", 1, 4, m4Again.id()));
            reopen();
            assertThat(store.state().server()).isEqualTo(s.server());
            List<Message> held = store.read(1, 10);
            assertThat(seqs(held)).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(held).extracting(Message::id).containsExactly(first.get(0).id(), first.get(1).id(),
                    first.get(2).id(), first.get(3).id(), fresh.id());
            assertThat(held.get(4).payload()).isEqualTo(fresh.payload());
            // An id held is never stored again, also in a later commit or twice in one.
            Message again = fresh.renumbered(5, 1);
            ClientState t = await(store.commit(ClientCommit.messages("g2-b", List.of(again))));
            assertThat(t.count()).isEqualTo(5);
            assertThat(t.server().seq()).isEqualTo(5);
        }

        @Test
        @DisplayName("a new store numbers from 1 whatever seq the server starts it at, and a rebase before any message")
        void firstMessages(@TempDir Path other) {
            try (MapDbClientStore late = MapDbClientStore.open(other, "bob", "pc")) {
                await(late.commit(ClientCommit.rebase(new ClientCommit.Rebase("g1-a", 1, 500))));
                ClientState s = await(late.commit(ClientCommit.messages("g1-a", messages("bob", 1, 501, 502))));
                assertThat(s.firstSeq()).isEqualTo(1);
                assertThat(s.cursor()).isEqualTo(2);
                assertThat(s.epoch()).isEqualTo(1);
                assertThat(s.count()).isEqualTo(2);
                assertThat(s.server().seq()).isEqualTo(502);
                assertThat(late.read(1, 10)).extracting(Message::id)
                        .containsExactlyElementsOf(messages("bob", 1, 501, 502).stream().map(Message::id).toList());
            }
        }

        @Test
        @DisplayName("each opening is counted durably: the incarnation a hello carries")
        void openingsCounted() {
            assertThat(store.state().incarnation()).isEqualTo(1);
            assertThat(reopen().state().incarnation()).isEqualTo(2);
            assertThat(reopen().state().incarnation()).isEqualTo(3);
        }

        @Test
        @DisplayName("a store of format 1 is refused with a message that says so, and its file is not changed")
        void formatOneRefused(@TempDir Path old) throws Exception {
            StoreFiles.create(old, MapDbClientStore.DB_FILE, db -> new ClientLayout(db).meta.put("client",
                    new Bytes.Writer(64).u8(1).string("alice").string("phone").string("0123456789abcdef").varLong(1)
                            .varLong(3).string("a/b").varLong(1).varLong(3).varLong(3).varLong(0).toByteArray()),
                    new SyncCounter());
            byte[] before = java.nio.file.Files.readAllBytes(old.resolve(MapDbClientStore.DB_FILE));
            assertThatThrownBy(() -> MapDbClientStore.open(old, "alice", "phone"))
                    .isExactlyInstanceOf(StoreException.class)
                    .hasMessageContaining(old.toString())
                    .hasMessageContaining("client store of format 1, written by an older imr")
                    .hasMessageContaining("reads format 4 only");
            assertThat(java.nio.file.Files.readAllBytes(old.resolve(MapDbClientStore.DB_FILE))).isEqualTo(before);
        }

        @Test
        @DisplayName("a store of format 2 (an index entry per message id) is refused naming both formats, never misread")
        void formatTwoRefused(@TempDir Path old) throws Exception {
            // What format 2 wrote: its meta (version 2, same fields), a message and its client.ids entry.
            Message m = messages("alice", 1, 1, 1).get(0);
            StoreFiles.create(old, MapDbClientStore.DB_FILE, db -> {
                db.treeMap("client.meta", org.mapdb.Serializer.STRING, org.mapdb.Serializer.BYTE_ARRAY).createOrOpen()
                        .put("client", new Bytes.Writer(64).u8(2).string("alice").string("phone")
                                .string("0123456789abcdef").varLong(1).varLong(1).string(m.id()).varLong(1).varLong(1)
                                .varLong(0).varLong(0).string(TestData.GEN).varLong(1).varLong(1).string(m.id())
                                .varLong(1).toByteArray());
                db.treeMap("client.messages", org.mapdb.Serializer.LONG, org.mapdb.Serializer.BYTE_ARRAY)
                        .valuesOutsideNodesEnable().createOrOpen().put(1L, MessageBatchCodec.encode(List.of(m)));
                db.treeMap("client.ids", org.mapdb.Serializer.STRING_DELTA, org.mapdb.Serializer.LONG).createOrOpen()
                        .put(m.id(), 1L);
            }, new SyncCounter());
            byte[] before = java.nio.file.Files.readAllBytes(old.resolve(MapDbClientStore.DB_FILE));
            assertThatThrownBy(() -> MapDbClientStore.open(old, "alice", "phone"))
                    .isExactlyInstanceOf(StoreException.class)
                    .hasMessageContaining(old.toString())
                    .hasMessageContaining("client store of format 2, written by an older imr")
                    .hasMessageContaining("reads format 4 only")
                    .hasMessageNotContaining("\n");
            assertThat(java.nio.file.Files.readAllBytes(old.resolve(MapDbClientStore.DB_FILE))).isEqualTo(before);
        }

        @Test
        @DisplayName("a store of format 3 (no expired ranges) is refused naming both formats, never misread")
        void formatThreeRefused(@TempDir Path old) throws Exception {
            // What format 3 wrote: its meta (version 3: the fields of version 4 without the expired ranges).
            StoreFiles.create(old, MapDbClientStore.DB_FILE, db -> db.treeMap("client.meta",
                    org.mapdb.Serializer.STRING, org.mapdb.Serializer.BYTE_ARRAY).createOrOpen().put("client",
                    new Bytes.Writer(64).u8(3).string("alice").string("phone").string("0123456789abcdef").varLong(0)
                            .varLong(0).string("").varLong(0).varLong(0).varLong(0).varLong(0).string("").varLong(0)
                            .varLong(0).string("").varLong(1).toByteArray()), new SyncCounter());
            byte[] before = java.nio.file.Files.readAllBytes(old.resolve(MapDbClientStore.DB_FILE));
            assertThatThrownBy(() -> MapDbClientStore.open(old, "alice", "phone"))
                    .isExactlyInstanceOf(StoreException.class)
                    .hasMessageContaining("client store of format 3, written by an older imr")
                    .hasMessageContaining("reads format 4 only")
                    .hasMessageNotContaining("\n");
            assertThat(java.nio.file.Files.readAllBytes(old.resolve(MapDbClientStore.DB_FILE))).isEqualTo(before);
        }

        @Test
        @DisplayName("an empty commit changes nothing and succeeds")
        void emptyCommit() {
            await(store.commit(TestData.received(messages("alice", 1, 1, 2))));
            ClientState before = store.state();
            assertThat(await(store.commit(TestData.received(List.of())))).isEqualTo(before);
        }
    }

    /** A message to alice at a seq of the server's numbering, epoch 1. */
    private static Message from(String sender, String clientId, long seq) {
        byte[] p = TestData.payload(sender + "/" + clientId, 64);
        return Message.of(sender, clientId, "alice", seq, 1, 1_000 + seq, p, Checksums.crc32c(p));
    }

    /** The same messages renumbered from a seq on, as a server that went back sends them again. */
    private static List<Message> renumbered(List<Message> ms, long from) {
        List<Message> out = new ArrayList<>();
        for (Message m : ms) {
            out.add(m.renumbered(from++, 1));
        }
        return out;
    }

    @Nested
    @DisplayName("held ids: runs of outbox counters per (sender, outbox id)")
    class HeldRuns {

        @Test
        @DisplayName("gaps, counters out of order, several senders and outboxes: what is held is recognised, the rest"
                + " stored, also after reopening")
        void gapsAndOutOfOrder() {
            List<Message> first = new ArrayList<>();
            String[] ids = {"s:o-1", "s:o-2", "s:o-3", "t:o-1", "s:o-7", "s:o-8", "s:p-1", "s:o-5", "t:o-2", "s:o-100"};
            for (String id : ids) {
                String[] parts = id.split(":");
                first.add(from(parts[0], parts[1], first.size() + 1));
            }
            await(store.commit(TestData.received(first)));
            assertThat(store.state().count()).isEqualTo(ids.length);
            for (int pass = 0; pass < 2; pass++) {
                // The server went back (another generation) and sends everything again, mixed with messages the
                // device never had: in the gaps (s:o-4, s:o-6), another outbox (s:q-1),
                // above (s:o-101), and the same counter of another sender (u:o-1); and a duplicate in the commit.
                String gen = "g" + (pass + 2) + "-b";
                await(store.commit(ClientCommit.rebase(new ClientCommit.Rebase(gen, 1, 0))));
                List<Message> again = new ArrayList<>(first);
                List<Message> fresh = pass == 0
                        ? List.of(from("s", "o-4", 1), from("s", "o-6", 1), from("s", "q-1", 1), from("s", "o-101", 1),
                                from("u", "o-1", 1))
                        : List.of();
                again.add(3, fresh.isEmpty() ? first.get(0) : fresh.get(0));
                again.addAll(fresh.size() > 1 ? fresh.subList(1, fresh.size()) : List.of());
                again.add(first.get(5));
                long before = store.state().count();
                ClientState s = await(store.commit(ClientCommit.messages(gen, renumbered(again, 1))));
                assertThat(s.count()).isEqualTo(before + fresh.size());
                assertThat(s.cursor()).isEqualTo(before + fresh.size());
                List<Message> held = store.read(1, 100);
                assertThat(held).extracting(Message::id).doesNotHaveDuplicates();
                assertThat(held.subList((int) before, held.size())).extracting(Message::id)
                        .containsExactlyElementsOf(fresh.stream().map(Message::id).toList());
                reopen();
            }
            assertThat(store.state().count()).isEqualTo(ids.length + 5);
        }

        @Test
        @DisplayName("a message twice in one commit is stored once, whether its outbox's counters rise or not")
        void duplicatesInOneCommit() throws Exception {
            java.util.Random random = new java.util.Random(11);
            java.util.Set<String> held = new java.util.HashSet<>();
            long seq = 0;
            for (int round = 0; round < 40; round++) {
                // Mostly rising counters of a few outboxes, some repeated and some going back.
                List<Message> batch = new ArrayList<>();
                for (int i = 0, n = 1 + random.nextInt(30); i < n; i++) {
                    String sender = random.nextInt(4) == 0 ? "t" : "s";
                    String outbox = random.nextInt(5) == 0 ? "p" : "o";
                    long counter = 1 + round * 8L + random.nextInt(random.nextInt(8) == 0 ? 200 : 12);
                    batch.add(from(sender, outbox + "-" + counter, 1));
                }
                List<String> expected = new ArrayList<>();
                for (Message m : batch) {
                    if (!held.contains(m.id()) && !expected.contains(m.id())) {
                        expected.add(m.id());
                    }
                }
                long before = store.state().count();
                ClientState state = await(store.commit(TestData.received(renumbered(batch, seq + 1))));
                seq += batch.size();
                assertThat(state.count()).as("round %d", round).isEqualTo(before + expected.size());
                assertThat(store.read(before + 1, 1000)).extracting(Message::id).as("round %d", round)
                        .containsExactlyElementsOf(expected);
                held.addAll(expected);
                if (round % 10 == 9) {
                    reopen();
                }
            }
        }

        @Test
        @DisplayName("a commit rejected in a group leaves none of its counters held; the group's runs are written once")
        void rejectedInGroup(@TempDir Path other) throws Exception {
            FaultPlan plan = new FaultPlan();
            try (MapDbClientStore s = MapDbClientStore.open(other, "alice", "phone", plan.options())) {
                plan.holdNextGroup();
                CompletionStage<ClientState> held = s.commit(ClientCommit.handedOver(0));
                plan.awaitHeld();
                CompletionStage<ClientState> a = s.commit(TestData.received(List.of(from("s", "o-1", 1),
                        from("s", "o-2", 2))));
                // Rejected after its messages were numbered: its hand-over is beyond the cursor.
                CompletionStage<ClientState> rejected = s.commit(new ClientCommit(null, TestData.GEN,
                        List.of(from("s", "o-3", 3)), 9, List.of(), List.of()));
                CompletionStage<ClientState> b = s.commit(TestData.received(List.of(from("s", "o-3", 3),
                        from("s", "o-2", 4), from("s", "o-4", 5))));
                plan.release();
                await(held);
                assertThat(await(a).count()).isEqualTo(2);
                assertThat(failureOf(rejected)).isInstanceOf(StoreException.RejectedException.class);
                assertThat(await(b).count()).as("o-3 is stored: the rejected commit held nothing").isEqualTo(4);
            }
            try (MapDbClientStore s = MapDbClientStore.open(other, "alice", "phone")) {
                assertThat(s.read(1, 10)).extracting(Message::clientId).containsExactly("o-1", "o-2", "o-3", "o-4");
                await(s.commit(ClientCommit.rebase(new ClientCommit.Rebase("g2-x", 1, 0))));
                ClientState after = await(s.commit(ClientCommit.messages("g2-x", List.of(from("s", "o-1", 1),
                        from("s", "o-4", 2), from("s", "o-5", 3)))));
                assertThat(after.count()).isEqualTo(5);
            }
        }

        @Test
        @DisplayName("a message whose client id is not <outbox id>-<counter> is rejected, nothing stored")
        void clientIdForm() {
            for (String id : List.of("c1", "o-0", "o-01", "o-1-2")) {
                assertThat(failureOf(store.commit(TestData.received(List.of(from("s", "o-1", 1), from("s", id, 2))))))
                        .as(id).isInstanceOf(StoreException.RejectedException.class)
                        .hasMessageContaining("s/" + id)
                        .hasMessageContaining("not <outbox id>-<counter>");
            }
            assertThat(store.state().count()).isZero();
        }
    }

    @Nested
    @DisplayName("rules: a commit that breaks one fails with RejectedException and stores nothing")
    class Rules {

        private void assertRejected(ClientCommit commit, String because) {
            ClientState before = store.state();
            List<OutboxEntry> outbox = store.outbox();
            assertThat(failureOf(store.commit(commit)))
                    .isInstanceOf(StoreException.RejectedException.class)
                    .hasMessageContaining(because);
            assertThat(store.state()).isEqualTo(before);
            assertThat(store.outbox()).isEqualTo(outbox);
            assertThat(store.read(before.cursor() + 1, 10)).isEmpty();
        }

        @BeforeEach
        void someState() {
            await(store.commit(new ClientCommit(null, TestData.GEN, messages("alice", 1, 1, 5), 3, entries("bob", 1, 3), List.of())));
        }

        @Test
        @DisplayName("a hole after the cursor, an overlap, or a hole inside the commit")
        void holes() {
            assertRejected(TestData.received(messages("alice", 1, 7, 8)), "follow the server position 5");
            assertRejected(TestData.received(messages("alice", 1, 5, 6)), "follow the server position 5");
            List<Message> gap = new ArrayList<>(messages("alice", 1, 6, 7));
            gap.add(TestData.message("alice", 1, 9));
            assertRejected(TestData.received(gap), "without a hole");
        }

        @Test
        @DisplayName("a message to another user")
        void wrongUser() {
            assertRejected(TestData.received(messages("bob", 1, 6, 6)), "this store is user alice's");
        }

        @Test
        @DisplayName("a payload that does not match its checksum")
        void corruptPayload() {
            List<Message> batch = new ArrayList<>(messages("alice", 1, 6, 7));
            batch.set(1, TestData.corrupt(batch.get(1)));
            assertRejected(TestData.received(batch), "does not match its checksum");
            OutboxEntry good = TestData.entry("bob", 4);
            OutboxEntry bad = new OutboxEntry(4, "bob", good.payload(), good.payloadChecksum() + 1, 0);
            assertRejected(ClientCommit.enqueue(List.of(bad)), "does not match its checksum");
        }

        @Test
        @DisplayName("messages of another epoch without a rebase, or of mixed epochs")
        void wrongEpoch() {
            assertRejected(TestData.received(messages("alice", 2, 6, 6)), "server position's epoch 1");
            List<Message> mixed = List.of(TestData.message("alice", 1, 6), TestData.message("alice", 2, 7));
            assertRejected(TestData.received(mixed), "of one epoch");
        }

        @Test
        @DisplayName("a hand-over beyond the cursor or moving back")
        void badHandOver() {
            assertRejected(ClientCommit.handedOver(6), "beyond the cursor 5");
            assertRejected(ClientCommit.handedOver(2), "must not move back");
        }

        @Test
        @DisplayName("an outbox counter used before, or counters not increasing")
        void reusedCounter() {
            assertRejected(ClientCommit.enqueue(entries("bob", 3, 4)), "above every counter used before (3)");
            assertRejected(ClientCommit.enqueue(List.of(TestData.entry("bob", 6), TestData.entry("bob", 5))),
                    "must increase");
        }

        @Test
        @DisplayName("messages that do not follow the position a rebase sets")
        void rebaseThenHole() {
            assertRejected(new ClientCommit(new ClientCommit.Rebase("g2-b", 1, 9), "g2-b", messages("alice", 1, 6, 6), -1,
                    List.of(), List.of()), "follow the server position 9");
        }

        @Test
        @DisplayName("a rejected commit fails alone in its group; the commits queued around it succeed")
        void rejectedAloneInGroup(@TempDir Path other) throws Exception {
            FaultPlan plan = new FaultPlan();
            try (MapDbClientStore s = MapDbClientStore.open(other, "alice", "phone", plan.options())) {
                plan.holdNextGroup();
                CompletionStage<ClientState> first = s.commit(TestData.received(messages("alice", 1, 1, 2)));
                plan.awaitHeld();
                // Queued behind a commit that is not stored yet: checked against the state it leaves.
                CompletionStage<ClientState> a = s.commit(TestData.received(messages("alice", 1, 3, 5)));
                CompletionStage<ClientState> hole = s.commit(TestData.received(messages("alice", 1, 9, 9)));
                CompletionStage<ClientState> wrongUser = s.commit(TestData.received(messages("bob", 1, 6, 6)));
                CompletionStage<ClientState> beyond = s.commit(ClientCommit.handedOver(6));
                CompletionStage<ClientState> b = s.commit(new ClientCommit(null, TestData.GEN, messages("alice", 1, 6, 7), 4,
                        entries("bob", 1, 2), List.of()));
                CompletionStage<ClientState> reused = s.commit(ClientCommit.enqueue(entries("bob", 2, 2)));
                CompletionStage<ClientState> c = s.commit(ClientCommit.handedOver(7));
                plan.release();

                assertThat(await(first).cursor()).isEqualTo(2);
                assertThat(await(a).cursor()).isEqualTo(5);
                assertThat(failureOf(hole)).isInstanceOf(StoreException.RejectedException.class);
                assertThat(failureOf(wrongUser)).isInstanceOf(StoreException.RejectedException.class);
                assertThat(failureOf(beyond)).isInstanceOf(StoreException.RejectedException.class);
                assertThat(await(b).cursor()).isEqualTo(7);
                assertThat(failureOf(reused)).isInstanceOf(StoreException.RejectedException.class);
                assertThat(await(c).handedOver()).isEqualTo(7);
                // The opening's count, then: wrongUser failed at submission; the others of the second group went
                // into one commit.
                assertThat(plan.groupSizes()).containsExactly(1, 1, 3);
                assertThat(seqs(s.read(1, 100))).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
                assertThat(s.outbox()).extracting(OutboxEntry::counter).containsExactly(1L, 2L);
            }
            try (MapDbClientStore s = MapDbClientStore.open(other, "alice", "phone")) {
                assertThat(s.state().cursor()).isEqualTo(7);
                assertThat(s.state().handedOver()).isEqualTo(7);
                assertThat(s.state().lastCounter()).isEqualTo(2);
            }
        }
    }

    @Test
    @DisplayName("a reader whose thread is interrupted still reads, keeps its interrupt, and breaks nothing for others")
    void interruptedReader() throws Exception {
        await(store.commit(TestData.received(messages("alice", 1, 1, 50))));
        List<Object> seen = new ArrayList<>();
        Thread reader = new Thread(() -> {
            Thread.currentThread().interrupt();
            seen.add(store.read(1, 100).size());
            seen.add(Thread.currentThread().isInterrupted());
        });
        reader.start();
        reader.join();
        assertThat(seen).containsExactly(50, true);
        await(store.commit(TestData.received(messages("alice", 1, 51, 60))));
        assertThat(store.read(1, 100)).hasSize(60);
    }
}
