package io.imr.store.mapdb;

import static io.imr.store.mapdb.TestData.await;
import static io.imr.store.mapdb.TestData.failureOf;
import static io.imr.store.mapdb.TestData.submission;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.Message;
import io.imr.api.store.Accepted;
import io.imr.api.store.DeviceState;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.StoreException;
import io.imr.api.store.Submission;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("MapDbServerStore")
class ServerStoreTest {

    @TempDir
    Path dir;

    private final FaultPlan plan = new FaultPlan();
    private MapDbServerStore store;

    @BeforeEach
    void open() {
        store = MapDbServerStore.open(dir, plan.options());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private MapDbServerStore reopen() {
        store.close();
        store = MapDbServerStore.open(dir);
        return store;
    }

    private static List<Submission> from(String sender, String outbox, int first, int last, String to) {
        List<Submission> out = new ArrayList<>();
        for (int i = first; i <= last; i++) {
            out.add(submission(sender, outbox + "-" + i, to));
        }
        return out;
    }

    private static List<Long> seqs(List<?> items) {
        return items.stream().map(o -> o instanceof Accepted a ? a.message().seq() : ((Message) o).seq()).toList();
    }

    @Nested
    @DisplayName("appending")
    class Appending {

        @Test
        @DisplayName("a user nobody wrote to has epoch 1 and no seqs")
        void emptyInbox() {
            assertThat(store.inbox("nobody")).isEqualTo(new InboxState("nobody", 1, 0, 0));
            assertThat(store.read("nobody", 1, 10)).isEmpty();
            assertThat(store.findBySender("x", "y")).isEmpty();
            assertThat(store.device("nobody", "phone")).isEmpty();
        }

        @Test
        @DisplayName("each recipient gets consecutive seqs of its own, in submission order, kept across reopening")
        void perRecipientSeqs() {
            List<Submission> mixed = new ArrayList<>();
            mixed.addAll(from("alice", "a1b2c3d4e5f60718", 1, 3, "bob"));
            mixed.addAll(from("alice", "a1b2c3d4e5f60718", 4, 5, "carol"));
            mixed.add(submission("dave", "d-1", "bob"));
            List<Accepted> accepted = await(store.commit(ServerCommit.append(mixed)));
            assertThat(seqs(accepted)).containsExactly(1L, 2L, 3L, 1L, 2L, 4L);
            assertThat(accepted).noneMatch(Accepted::duplicate);
            Message first = accepted.get(0).message();
            assertThat(first.id()).isEqualTo("alice/a1b2c3d4e5f60718-1");
            assertThat(first.recipient()).isEqualTo("bob");
            assertThat(first.epoch()).isEqualTo(1);
            assertThat(first.payloadIntact()).isTrue();
            assertThat(first.serverTimeMillis()).isEqualTo(7_000);

            assertThat(await(store.commit(ServerCommit.append(List.of(submission("eve", "e-1", "bob"))))).get(0)
                    .message().seq()).isEqualTo(5);
            assertThat(store.inbox("bob")).isEqualTo(new InboxState("bob", 1, 5, 1));
            assertThat(store.inbox("carol")).isEqualTo(new InboxState("carol", 1, 2, 1));

            reopen();
            assertThat(store.inbox("bob")).isEqualTo(new InboxState("bob", 1, 5, 1));
            assertThat(seqs(store.read("bob", 1, 10))).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(store.read("bob", 2, 2)).extracting(Message::id)
                    .containsExactly("alice/a1b2c3d4e5f60718-2", "alice/a1b2c3d4e5f60718-3");
            assertThat(store.read("carol", 1, 10)).extracting(Message::id)
                    .containsExactly("alice/a1b2c3d4e5f60718-4", "alice/a1b2c3d4e5f60718-5");
            assertThat(store.read("bob", 1, 10).get(0)).isEqualTo(first);
            assertThat(await(store.commit(ServerCommit.append(List.of(submission("eve", "e-2", "bob"))))).get(0)
                    .message().seq()).isEqualTo(6);
        }

        @Test
        @DisplayName("reads page across batch records and do not run into the next user's inbox")
        void paging() {
            for (int i = 0; i < 10; i++) {
                await(store.commit(ServerCommit.append(from("s", "o", i * 10 + 1, i * 10 + 10, "bob"))));
                await(store.commit(ServerCommit.append(from("s", "p", i * 10 + 1, i * 10 + 10, "bobby"))));
                await(store.commit(ServerCommit.append(from("s", "q", i * 10 + 1, i * 10 + 10, "bo"))));
            }
            assertThat(seqs(store.read("bob", 45, 3))).containsExactly(45L, 46L, 47L);
            assertThat(seqs(store.read("bob", 98, 10))).containsExactly(98L, 99L, 100L);
            assertThat(store.read("bob", 101, 10)).isEmpty();
            assertThat(store.read("bob", 1, 1000)).hasSize(100).allMatch(m -> m.recipient().equals("bob"));
            assertThat(store.read("bob", 1, 0)).isEmpty();
        }

        @Test
        @DisplayName("a submission whose payload does not match its checksum is rejected with its commit")
        void corruptPayload() {
            Submission good = submission("alice", "x-1", "bob");
            Submission bad = new Submission("alice", "x-2", "bob", good.payload(), good.payloadChecksum() + 1, 0);
            assertThat(failureOf(store.commit(ServerCommit.append(List.of(good, bad)))))
                    .isInstanceOf(StoreException.RejectedException.class)
                    .hasMessageContaining("alice/x-2").hasMessageContaining("checksum");
            assertThat(store.inbox("bob").maxSeq()).isZero();
            assertThat(store.findBySender("alice", "x-1")).isEmpty();
        }

        @Test
        @DisplayName("an oversized payload is rejected")
        void oversized() {
            byte[] big = new byte[Message.MAX_PAYLOAD + 1];
            Submission s = new Submission("alice", "x-1", "bob", big, io.imr.api.Checksums.crc32c(big), 0);
            assertThat(failureOf(store.commit(ServerCommit.append(List.of(s)))))
                    .isInstanceOf(StoreException.RejectedException.class).hasMessageContaining("at most");
        }
    }

    @Nested
    @DisplayName("dedup")
    class Dedup {

        @Test
        @DisplayName("the same (sender, client id) in a later commit gets the first seq and stores nothing")
        void acrossCommits() {
            Accepted first = await(store.commit(ServerCommit.append(List.of(submission("alice", "a-1", "bob"))))).get(0);
            Submission resend = new Submission("alice", "a-1", "carol", new byte[] {1},
                    io.imr.api.Checksums.crc32c(new byte[] {1}), 9_999);
            Accepted again = await(store.commit(ServerCommit.append(List.of(resend)))).get(0);
            assertThat(again.duplicate()).isTrue();
            assertThat(again.message()).isEqualTo(first.message());
            assertThat(store.inbox("bob").maxSeq()).isEqualTo(1);
            assertThat(store.inbox("carol").maxSeq()).isZero();
            assertThat(store.findBySender("alice", "a-1")).contains(first.message());
            reopen();
            assertThat(await(store.commit(ServerCommit.append(List.of(resend)))).get(0)).isEqualTo(again);
            assertThat(store.read("bob", 1, 10)).containsExactly(first.message());
        }

        @Test
        @DisplayName("duplicates inside one commit and inside one group are detected too")
        void insideOneGroup() throws Exception {
            List<Accepted> one = await(store.commit(ServerCommit.append(List.of(submission("alice", "a-1", "bob"),
                    submission("alice", "a-2", "bob"), submission("alice", "a-1", "bob")))));
            assertThat(seqs(one)).containsExactly(1L, 2L, 1L);
            assertThat(one).extracting(Accepted::duplicate).containsExactly(false, false, true);

            plan.holdNextGroup();
            CompletionStage<List<Accepted>> held = store.commit(ServerCommit.append(List.of(submission("x", "x-1", "y"))));
            plan.awaitHeld();
            CompletionStage<List<Accepted>> a = store.commit(ServerCommit.append(List.of(submission("alice", "a-3", "bob"))));
            CompletionStage<List<Accepted>> b = store.commit(ServerCommit.append(List.of(submission("alice", "a-3", "bob"),
                    submission("alice", "a-2", "bob"))));
            plan.release();
            await(held);
            assertThat(await(a).get(0).message().seq()).isEqualTo(3);
            assertThat(await(b)).extracting(Accepted::duplicate).containsExactly(true, true);
            assertThat(seqs(await(b))).containsExactly(3L, 2L);
            assertThat(plan.groupSizes()).endsWith(2);
            assertThat(store.inbox("bob").maxSeq()).isEqualTo(3);
            reopen();
            assertThat(store.read("bob", 1, 10)).hasSize(3);
            assertThat(store.findBySender("alice", "a-3").orElseThrow().seq()).isEqualTo(3);
        }

        @Test
        @DisplayName("lookups by sender check their names; a client id not <outbox id>-<counter> was never stored")
        void lookupNames() {
            assertThatThrownBy(() -> store.findBySender("a/b", "x")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.findBySender("a", "x y")).isInstanceOf(IllegalArgumentException.class);
            assertThat(store.findBySender("a", "x")).isEmpty();
            assertThat(store.findBySender("a", "x-01")).isEmpty();
        }

        @Test
        @DisplayName("a submission whose client id is not <outbox id>-<counter> is rejected and stores nothing")
        void clientIdForm() {
            for (String id : List.of("c1", "o-0", "o-01", "o-1x", "-1", "o-", "a-b-1")) {
                assertThatThrownBy(() -> await(store.commit(ServerCommit.append(List.of(submission("alice", "o-1", "bob"),
                        submission("alice", id, "bob"))))))
                        .as(id).isInstanceOf(StoreException.RejectedException.class)
                        .hasMessageContaining("alice/" + id)
                        .hasMessageContaining("not <outbox id>-<counter>");
            }
            assertThat(store.inbox("bob").maxSeq()).isZero();
            assertThat(store.findBySender("alice", "o-1")).isEmpty();
        }
    }

    @Nested
    @DisplayName("devices")
    class Devices {

        @Test
        @DisplayName("a device's state is stored; its confirmed watermark never moves back within an epoch")
        void watermark() {
            await(store.commit(ServerCommit.device(new DeviceState("bob", "phone", 1, 10, 8))));
            assertThat(store.device("bob", "phone")).contains(new DeviceState("bob", "phone", 1, 10, 8));
            await(store.commit(ServerCommit.device(new DeviceState("bob", "phone", 1, 12, 5))));
            assertThat(store.device("bob", "phone")).contains(new DeviceState("bob", "phone", 1, 12, 8));
            await(store.commit(ServerCommit.device(new DeviceState("bob", "phone", 1, 12, 11))));
            assertThat(store.device("bob", "phone")).contains(new DeviceState("bob", "phone", 1, 12, 11));
            // A new epoch numbers afresh, so its watermark may be lower.
            await(store.commit(ServerCommit.device(new DeviceState("bob", "phone", 2, 3, 2))));
            assertThat(store.device("bob", "phone")).contains(new DeviceState("bob", "phone", 2, 3, 2));
            assertThat(store.device("bob", "tablet")).isEmpty();
            reopen();
            assertThat(store.device("bob", "phone")).contains(new DeviceState("bob", "phone", 2, 3, 2));
        }

        @Test
        @DisplayName("the watermark rule also holds between commits of one group and inside one commit")
        void watermarkInGroup() throws Exception {
            plan.holdNextGroup();
            CompletionStage<?> held = store.commit(ServerCommit.device(new DeviceState("bob", "phone", 1, 10, 9)));
            plan.awaitHeld();
            CompletionStage<?> a = store.commit(new ServerCommit(List.of(), List.of(
                    new DeviceState("bob", "phone", 1, 11, 4), new DeviceState("bob", "tablet", 1, 5, 5))));
            CompletionStage<?> b = store.commit(ServerCommit.device(new DeviceState("bob", "phone", 1, 12, 3)));
            plan.release();
            await(held);
            await(a);
            await(b);
            assertThat(store.device("bob", "phone")).contains(new DeviceState("bob", "phone", 1, 12, 9));
            assertThat(store.device("bob", "tablet")).contains(new DeviceState("bob", "tablet", 1, 5, 5));
        }
    }

    @Nested
    @DisplayName("generations (G10)")
    class Generations {

        private String idAt(long seq) {
            return store.read("bob", seq, 1).get(0).id();
        }

        @Test
        @DisplayName("each opening records a new generation; it vouches for what it and the generations before it stored")
        void eachOpeningIsAGeneration() {
            String first = store.generation();
            assertThat(first).startsWith("g1-").hasSizeLessThanOrEqualTo(64);
            await(store.commit(ServerCommit.append(from("a", "o", 1, 3, "bob"))));
            reopen();
            String second = store.generation();
            assertThat(second).startsWith("g2-").isNotEqualTo(first);
            await(store.commit(ServerCommit.append(from("a", "o", 4, 5, "bob"))));

            assertThat(store.vouches("bob", 3, idAt(3), first)).isTrue();
            assertThat(store.vouches("bob", 3, idAt(3), second)).isTrue();
            // A device of the first generation cannot have got what the second stored.
            assertThat(store.vouches("bob", 5, idAt(5), first)).isFalse();
            assertThat(store.vouches("bob", 5, idAt(5), second)).isTrue();
            // Another message at the seq, a seq not held, a generation never run, another user.
            assertThat(store.vouches("bob", 3, idAt(2), second)).isFalse();
            assertThat(store.vouches("bob", 6, idAt(5), second)).isFalse();
            assertThat(store.vouches("bob", 3, idAt(3), "g2-000000000000")).isFalse();
            assertThat(store.vouches("bob", 3, "", second)).isFalse();
            assertThat(store.vouches("carol", 3, idAt(3), second)).isFalse();
            // Nothing a hello says changes the user's sequence: epoch 1 throughout.
            assertThat(store.inbox("bob")).isEqualTo(new InboxState("bob", 1, 5, 1));
        }

        @Test
        @DisplayName("a copy restored over the data folder knows none of the generations run after the copy")
        void restoredCopy(@TempDir Path backup) throws Exception {
            String original = store.generation();
            await(store.commit(ServerCommit.append(from("a", "o", 1, 3, "bob"))));
            store.close();
            copyFolder(dir, backup);
            store = MapDbServerStore.open(dir);
            String afterCopy = store.generation();
            // Stored after the copy: x at 4, y at 5 (y's sender did not hear the answer).
            await(store.commit(ServerCommit.append(List.of(submission("a", "x-1", "bob"), submission("b", "y-1", "bob")))));
            String x = idAt(4);
            store.close();
            copyFolder(backup, dir);
            store = MapDbServerStore.open(dir);
            String restored = store.generation();
            assertThat(restored).startsWith("g2-").isNotEqualTo(afterCopy);
            // y is resent and lands at 4, then w at 5: neither position of the original vouches for this store.
            await(store.commit(ServerCommit.append(List.of(submission("b", "y-1", "bob"), submission("c", "w-1", "bob")))));
            assertThat(store.vouches("bob", 4, x, afterCopy)).isFalse();
            assertThat(store.vouches("bob", 4, idAt(4), afterCopy)).as("y at 4, but stored by another generation")
                    .isFalse();
            assertThat(store.vouches("bob", 3, idAt(3), afterCopy)).as("the unknown generation vouches for nothing")
                    .isFalse();
            assertThat(store.vouches("bob", 3, idAt(3), original)).as("stored before the copy").isTrue();
            assertThat(store.vouches("bob", 4, idAt(4), restored)).isTrue();
        }

        @Test
        @DisplayName("a store of format 1 is refused with a message that says so, and nothing of it is changed")
        void formatOneRefused(@TempDir Path old) throws Exception {
            StoreFiles.create(old, MapDbServerStore.DB_FILE, db -> {
                ServerLayout layout = new ServerLayout(db);
                layout.format.put("format", new byte[] {1});
            }, new SyncCounter());
            assertRefusedUnchanged(old, 1);
        }

        @Test
        @DisplayName("a store of format 2 (one dedup entry per message) is refused naming both formats, never misread")
        void formatTwoRefused(@TempDir Path old) throws Exception {
            // What format 2 wrote: its format record, a message of bob's in the inbox and its dedup entry
            // "sender/clientId" -> (u8 1, recipient, varint seq) in server.dedup.
            Message m = Message.of("alice", "a1b2-1", "bob", 1, 1, 7_000, new byte[] {1, 2},
                    io.imr.api.Checksums.crc32c(new byte[] {1, 2}));
            StoreFiles.create(old, MapDbServerStore.DB_FILE, db -> {
                db.treeMap("server.format", org.mapdb.Serializer.STRING, org.mapdb.Serializer.BYTE_ARRAY).createOrOpen()
                        .put("format", new byte[] {2});
                db.treeMap("server.inbox", new org.mapdb.serializer.SerializerArrayTuple(org.mapdb.Serializer.STRING,
                        org.mapdb.Serializer.LONG), org.mapdb.Serializer.BYTE_ARRAY).valuesOutsideNodesEnable()
                        .createOrOpen().put(new Object[] {"bob", 1L}, MessageBatchCodec.encode(List.of(m)));
                db.treeMap("server.inbox.meta", org.mapdb.Serializer.STRING, org.mapdb.Serializer.BYTE_ARRAY)
                        .createOrOpen().put("bob", new InboxMeta(1, 1, 1).encode());
                db.treeMap("server.dedup", org.mapdb.Serializer.STRING_DELTA, org.mapdb.Serializer.BYTE_ARRAY)
                        .createOrOpen().put("alice/a1b2-1", new Bytes.Writer(8).u8(1).string("bob").varLong(1)
                                .toByteArray());
                db.treeMap("server.generations", org.mapdb.Serializer.STRING, org.mapdb.Serializer.LONG).createOrOpen()
                        .put("g1-000000000000", 1L);
            }, new SyncCounter());
            assertRefusedUnchanged(old, 2);
        }

        @Test
        @DisplayName("a store of format 3 (tuple keys in the inbox) is refused naming both formats, never misread")
        void formatThreeRefused(@TempDir Path old) throws Exception {
            // What format 3 wrote: its format record, bob's inbox and its generations under (String, Long) tuple
            // keys, the run of alice's outbox and the generation.
            Message m = Message.of("alice", "a1b2-1", "bob", 1, 1, 7_000, new byte[] {1, 2},
                    io.imr.api.Checksums.crc32c(new byte[] {1, 2}));
            org.mapdb.serializer.SerializerArrayTuple tuple = new org.mapdb.serializer.SerializerArrayTuple(
                    org.mapdb.Serializer.STRING, org.mapdb.Serializer.LONG);
            StoreFiles.create(old, MapDbServerStore.DB_FILE, db -> {
                db.treeMap("server.format", org.mapdb.Serializer.STRING, org.mapdb.Serializer.BYTE_ARRAY).createOrOpen()
                        .put("format", new byte[] {3});
                db.treeMap("server.inbox", tuple, org.mapdb.Serializer.BYTE_ARRAY).valuesOutsideNodesEnable()
                        .createOrOpen().put(new Object[] {"bob", 1L}, MessageBatchCodec.encode(List.of(m)));
                db.treeMap("server.inbox.generation", tuple, org.mapdb.Serializer.LONG).createOrOpen()
                        .put(new Object[] {"bob", 1L}, 1L);
                writeOldFormatRest(db);
            }, new SyncCounter());
            assertRefusedUnchanged(old, 3);
        }

        @Test
        @DisplayName("a store of format 4 (the generation of each inbox record in a map of its own) is refused naming"
                + " both formats, never misread")
        void formatFourRefused(@TempDir Path old) throws Exception {
            // What format 4 wrote: its format record, bob's inbox under binary keys with plain batch records and
            // their generations in a second map, the run of alice's outbox and the generation.
            Message m = Message.of("alice", "a1b2-1", "bob", 1, 1, 7_000, new byte[] {1, 2},
                    io.imr.api.Checksums.crc32c(new byte[] {1, 2}));
            byte[] key = NumberedKeys.key(NumberedKeys.prefix("bob"), 1);
            StoreFiles.create(old, MapDbServerStore.DB_FILE, db -> {
                db.treeMap("server.format", org.mapdb.Serializer.STRING, org.mapdb.Serializer.BYTE_ARRAY).createOrOpen()
                        .put("format", new byte[] {4});
                db.treeMap("server.inbox.4", org.mapdb.Serializer.BYTE_ARRAY, org.mapdb.Serializer.BYTE_ARRAY)
                        .valuesOutsideNodesEnable().createOrOpen().put(key, MessageBatchCodec.encode(List.of(m)));
                db.treeMap("server.inbox.generation.4", org.mapdb.Serializer.BYTE_ARRAY, org.mapdb.Serializer.LONG)
                        .createOrOpen().put(key, 1L);
                writeOldFormatRest(db);
            }, new SyncCounter());
            assertRefusedUnchanged(old, 4);
        }

        @Test
        @DisplayName("a store of format 5 (never trimmed, device states without the time last seen) is refused naming"
                + " both formats, never misread")
        void formatFiveRefused(@TempDir Path old) throws Exception {
            // What format 5 wrote: its format record, bob's inbox with the generation in each record, a device state
            // of version 1 (epoch, cursor, confirmed), the run of alice's outbox and the generation.
            writeInboxAndDevice(old, 5, new Bytes.Writer(8).u8(1).varLong(1).varLong(1).varLong(1).toByteArray());
            assertRefusedUnchanged(old, 5);
        }

        @Test
        @DisplayName("a store of format 6 (device states that cannot be revoked) is refused naming both formats,"
                + " never misread")
        void formatSixRefused(@TempDir Path old) throws Exception {
            // What format 6 wrote: a device state of version 2 (epoch, cursor, confirmed, lastSeen), and the rest.
            writeInboxAndDevice(old, 6, new Bytes.Writer(8).u8(2).varLong(1).varLong(1).varLong(1).varLong(5_000)
                    .toByteArray());
            assertRefusedUnchanged(old, 6);
        }

        /** A store of an old format: its format record, bob's inbox of one message, bob's phone's record, the rest. */
        private void writeInboxAndDevice(Path old, int format, byte[] device) throws Exception {
            Message m = Message.of("alice", "a1b2-1", "bob", 1, 1, 7_000, new byte[] {1, 2},
                    io.imr.api.Checksums.crc32c(new byte[] {1, 2}));
            StoreFiles.create(old, MapDbServerStore.DB_FILE, db -> {
                db.treeMap("server.format", org.mapdb.Serializer.STRING, org.mapdb.Serializer.BYTE_ARRAY).createOrOpen()
                        .put("format", new byte[] {(byte) format});
                db.treeMap("server.inbox.5", org.mapdb.Serializer.BYTE_ARRAY, org.mapdb.Serializer.BYTE_ARRAY)
                        .valuesOutsideNodesEnable().createOrOpen().put(NumberedKeys.key(NumberedKeys.prefix("bob"), 1),
                                MessageBatchCodec.encode(1, List.of(m)));
                db.treeMap("server.devices", org.mapdb.Serializer.STRING, org.mapdb.Serializer.BYTE_ARRAY).createOrOpen()
                        .put("bob/phone", device);
                writeOldFormatRest(db);
            }, new SyncCounter());
        }
    }

    /** What formats 3 and 4 wrote alike besides their inbox: bob's inbox meta, the run of alice's outbox, the generation. */
    static void writeOldFormatRest(org.mapdb.DB db) {
        db.treeMap("server.inbox.meta", org.mapdb.Serializer.STRING, org.mapdb.Serializer.BYTE_ARRAY)
                .createOrOpen().put("bob", new InboxMeta(1, 1, 1).encode());
        db.treeMap("server.dedup.runs", org.mapdb.Serializer.BYTE_ARRAY, org.mapdb.Serializer.BYTE_ARRAY)
                .createOrOpen().put(NumberedKeys.key(NumberedKeys.prefix("alice", "a1b2"), 1),
                        ServerCodecs.encodeRun(new ServerCodecs.Run(1, 1, "bob", 1, 1)));
        db.treeMap("server.generations", org.mapdb.Serializer.STRING, org.mapdb.Serializer.LONG).createOrOpen()
                .put("g1-000000000000", 1L);
    }

    /**
     * Opening the store in {@code old} fails with a one-line error naming its format and ours, and leaves its
     * file byte for byte as it was.
     */
    static void assertRefusedUnchanged(Path old, int format) throws java.io.IOException {
        byte[] before = java.nio.file.Files.readAllBytes(old.resolve(MapDbServerStore.DB_FILE));
        assertThatThrownBy(() -> MapDbServerStore.open(old))
                .isExactlyInstanceOf(StoreException.class)
                .hasMessageContaining(old.toString())
                .hasMessageContaining("server store of format " + format + ", written by an older imr")
                .hasMessageContaining("reads format " + ServerLayout.FORMAT_VERSION + " only")
                .hasMessageNotContaining("\n");
        assertThat(java.nio.file.Files.readAllBytes(old.resolve(MapDbServerStore.DB_FILE))).isEqualTo(before);
    }

    static void copyFolder(Path from, Path to) throws java.io.IOException {
        try (var files = java.nio.file.Files.list(to)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                java.nio.file.Files.delete(f);
            }
        }
        try (var files = java.nio.file.Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!f.getFileName().toString().equals(StoreLock.FILE_NAME)) {
                    java.nio.file.Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
    }

    @Test
    @DisplayName("after close, commits fail with ClosedException, and so do reads")
    void closed() {
        store.close();
        assertThat(failureOf(store.commit(ServerCommit.append(List.of()))))
                .isInstanceOf(StoreException.ClosedException.class);
        assertThatThrownBy(() -> store.vouches("bob", 1, "a/b", "g1-x")).isInstanceOf(StoreException.ClosedException.class);
        assertThatThrownBy(() -> store.read("bob", 1, 1)).isInstanceOf(StoreException.ClosedException.class);
        assertThatThrownBy(() -> store.inbox("bob")).isInstanceOf(StoreException.ClosedException.class);
        assertThatThrownBy(() -> store.device("bob", "x")).isInstanceOf(StoreException.ClosedException.class);
        store.close();
    }
}
