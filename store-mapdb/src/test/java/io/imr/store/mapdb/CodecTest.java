package io.imr.store.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.Message;
import io.imr.api.store.DeviceState;
import io.imr.api.store.StoreException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Record encodings")
class CodecTest {

    @Test
    @DisplayName("a padded inbox record: a few size classes an eighth apart, the batch round-trips, padding must be zeros")
    void paddedRecords() {
        long previous = 0;
        for (long n = 1; n <= 1 << 20; n += 1 + n / 100) {
            long c = MessageBatchCodec.sizeClass(n);
            assertThat(c).as("class of " + n).isGreaterThanOrEqualTo(n).isLessThanOrEqualTo(Math.max(64, n + n / 8 + 16));
            assertThat(c % 16).isZero();
            assertThat(c).isGreaterThanOrEqualTo(previous);
            previous = c;
        }
        List<Message> batch = List.of(Message.of("alice", "o-1", "bob", 7, 1, 5, new byte[] {1, 2, 3},
                io.imr.api.Checksums.crc32c(new byte[] {1, 2, 3})));
        byte[] record = MessageBatchCodec.encodePadded(3, batch);
        assertThat((long) record.length).isEqualTo(MessageBatchCodec.sizeClass(record.length));
        assertThat(MessageBatchCodec.header(record)).isEqualTo(3);
        assertThat(MessageBatchCodec.decodePadded(record)).isEqualTo(batch);
        List<Message> large = new java.util.ArrayList<>();
        for (int i = 1; i <= 700; i++) {
            byte[] payload = new byte[200 + i % 57];
            payload[0] = (byte) i;
            large.add(Message.of("alice", "o-" + i, "bob", 100 + i, 1, 5, payload, io.imr.api.Checksums.crc32c(payload)));
        }
        byte[] big = MessageBatchCodec.encodePadded(9, large);
        assertThat((long) big.length).as("a record of 700 messages is padded to its class")
                .isEqualTo(MessageBatchCodec.sizeClass(big.length)).isGreaterThan(150_000);
        assertThat(MessageBatchCodec.decodePadded(big)).isEqualTo(large);
        record[record.length - 1] = 1;
        assertThatThrownBy(() -> MessageBatchCodec.decodePadded(record))
                .isInstanceOf(StoreException.CorruptException.class).hasMessageContaining("padding");
    }

    @Test
    @DisplayName("varints round-trip at their edges")
    void varints() {
        long[] values = {0, 1, 127, 128, 16_383, 16_384, Integer.MAX_VALUE, Long.MAX_VALUE, -1, Long.MIN_VALUE};
        Bytes.Writer w = new Bytes.Writer(1);
        for (long v : values) {
            w.varLong(v);
        }
        Bytes.Reader r = new Bytes.Reader(w.toByteArray(), "test");
        for (long v : values) {
            assertThat(r.varLong()).isEqualTo(v);
        }
        r.expectEnd();
    }

    @Test
    @DisplayName("varLongSize is the number of bytes varLong writes, for every bit length")
    void varintSizes() {
        for (int bits = 0; bits <= 64; bits++) {
            long v = bits == 0 ? 0 : bits == 64 ? -1 : (1L << bits) - 1;
            for (long x : new long[] {v, v == 0 ? 0 : v >>> 1 | 1L << (bits - 1)}) {
                Bytes.Writer w = new Bytes.Writer(1);
                w.varLong(x);
                assertThat(MessageBatchCodec.varLongSize(x)).as("%d", x).isEqualTo(w.size());
            }
        }
    }

    @Test
    @DisplayName("strings round-trip as UTF-8: ASCII written as it is, other characters through their UTF-8 bytes")
    void strings() {
        List<String> values = List.of("", "alice", "a.b_c:d-1", "\u00e9t\u00e9", "\u4f60\u597d", "mixed \ud83d\ude00 x");
        Bytes.Writer w = new Bytes.Writer(1);
        values.forEach(w::string);
        Bytes.Reader r = new Bytes.Reader(w.toByteArray(), "test");
        for (String v : values) {
            assertThat(r.string()).isEqualTo(v);
        }
        r.expectEnd();
    }

    @Test
    @DisplayName("a message batch record is exactly as long as what it holds")
    void exactRecordSize() {
        List<Message> batch = TestData.messages("alice", 3, 40, 60);
        byte[] record = MessageBatchCodec.encode(batch);
        Bytes.Writer w = new Bytes.Writer(1);
        w.u8(1).varLong(batch.size());
        for (Message m : batch) {
            w.varLong(m.seq()).varLong(m.epoch()).varLong(m.serverTimeMillis()).string(m.sender())
                    .string(m.clientId()).string(m.recipient()).i32(m.payloadChecksum()).bytes(m.payload());
        }
        assertThat(record).isEqualTo(w.toByteArray());
    }

    @Test
    @DisplayName("a message batch round-trips, each message equal to the original")
    void messages() {
        List<Message> batch = TestData.messages("alice", 3, 40, 60);
        assertThat(MessageBatchCodec.decode(MessageBatchCodec.encode(batch))).isEqualTo(batch);
        assertThat(MessageBatchCodec.decode(MessageBatchCodec.encode(List.of()))).isEmpty();
    }

    @Test
    @DisplayName("a record with a number in front (the server's generation) is that varint, then the batch as it is"
            + " alone, and gives both back")
    void header() {
        List<Message> batch = TestData.messages("alice", 3, 40, 60);
        for (long generation : new long[] {1, 127, 128, 1L << 40}) {
            byte[] record = MessageBatchCodec.encode(generation, batch);
            Bytes.Writer w = new Bytes.Writer(1);
            w.varLong(generation).raw(MessageBatchCodec.encode(batch), 0, MessageBatchCodec.encode(batch).length);
            assertThat(record).as("%d", generation).isEqualTo(w.toByteArray());
            assertThat(MessageBatchCodec.header(record)).isEqualTo(generation);
            assertThat(MessageBatchCodec.decodeAfterHeader(record)).isEqualTo(batch);
        }
        byte[] cut = Arrays.copyOf(MessageBatchCodec.encode(300, batch), 5);
        assertThatThrownBy(() -> MessageBatchCodec.decodeAfterHeader(cut))
                .isInstanceOf(StoreException.CorruptException.class).hasMessageContaining("message batch");
        assertThatThrownBy(() -> MessageBatchCodec.header(new byte[] {(byte) 0x80}))
                .isInstanceOf(StoreException.CorruptException.class);
    }

    @Test
    @DisplayName("a damaged record fails with CorruptException at every cut and on an unknown version, never otherwise")
    void damaged() {
        byte[] record = MessageBatchCodec.encode(TestData.messages("alice", 1, 1, 3));
        for (int cut = 0; cut < record.length; cut++) {
            byte[] shorter = Arrays.copyOf(record, cut);
            assertThatThrownBy(() -> MessageBatchCodec.decode(shorter)).as("cut at %d", cut)
                    .isInstanceOf(StoreException.CorruptException.class).hasMessageContaining("message batch");
        }
        byte[] newer = record.clone();
        newer[0] = 2;
        assertThatThrownBy(() -> MessageBatchCodec.decode(newer)).isInstanceOf(StoreException.CorruptException.class)
                .hasMessageContaining("format version 2");
        byte[] longer = Arrays.copyOf(record, record.length + 1);
        assertThatThrownBy(() -> MessageBatchCodec.decode(longer)).hasMessageContaining("unexpected bytes");
    }

    @Test
    @DisplayName("large batches are split into records of at most 256 KiB, a larger message alone")
    void split() {
        List<Message> batch = TestData.messages("alice", 1, 1, 3000);
        List<List<Message>> runs = MessageBatchCodec.split(batch);
        assertThat(runs).hasSizeGreaterThan(1);
        assertThat(runs.stream().mapToInt(List::size).sum()).isEqualTo(3000);
        assertThat(runs).allSatisfy(run -> assertThat(MessageBatchCodec.encode(run).length)
                .isLessThanOrEqualTo(MessageBatchCodec.RECORD_SPLIT_BYTES));
        assertThat(MessageBatchCodec.split(List.of())).isEmpty();
    }

    @Test
    @DisplayName("meta, outbox, dedup run and device records round-trip")
    void smallRecords() {
        ClientMeta meta = new ClientMeta("alice", "phone", "0123456789abcdef", 2, 99, "s/c-1", 1, 99, 50, 7,
                new io.imr.api.store.ClientState.ServerPosition("g3-0a1b", 1, 120, "s/c-1"), 4, java.util.List.of(
                        new io.imr.api.store.ExpiredRange(1, 3, 9), new io.imr.api.store.ExpiredRange(1, 40, 41)));
        assertThat(ClientMeta.decode(meta.encode())).isEqualTo(meta);
        assertThat(meta.withExpired(new io.imr.api.store.ExpiredRange(1, 42, 50)).expired()).as("joined to the last")
                .containsExactly(new io.imr.api.store.ExpiredRange(1, 3, 9), new io.imr.api.store.ExpiredRange(1, 40, 50));
        assertThat(OutboxCodec.decode(OutboxCodec.encode(TestData.entries("bob", 3, 9))))
                .isEqualTo(TestData.entries("bob", 3, 9));
        BitSet marks = new BitSet();
        marks.set(0);
        marks.set(70);
        assertThat(OutboxCodec.decodeMarks(OutboxCodec.encodeMarks(marks))).isEqualTo(marks);
        assertThat(InboxMeta.decode(new InboxMeta(3, 1000, 2).encode())).isEqualTo(new InboxMeta(3, 1000, 2));
        ServerCodecs.Run run = new ServerCodecs.Run(1L << 40, (1L << 40) + 255, "bob", 2, 12345);
        assertThat(ServerCodecs.decodeRun(1L << 40, ServerCodecs.encodeRun(run))).isEqualTo(run);
        assertThatThrownBy(() -> ServerCodecs.decodeRun(1, new Bytes.Writer(8).u8(1).string("bob").varLong(0).varLong(1)
                .varLong(0).toByteArray())).isInstanceOf(io.imr.api.store.StoreException.CorruptException.class)
                .hasMessageContaining("dedup run");
        DeviceState d = new DeviceState("bob", "phone", 2, 40, 38);
        assertThat(ServerCodecs.decodeDevice("bob", "phone", ServerCodecs.encodeDevice(d))).isEqualTo(d);
    }

    @Test
    @DisplayName("run keys sort by sender, then outbox id, then counter (unsigned), and never mix two outboxes")
    void runKeys() {
        byte[] ab = NumberedKeys.prefix("a", "b");
        byte[] abc = NumberedKeys.prefix("a", "bc");
        byte[] aB = NumberedKeys.prefix("a.b", "c");
        long[] counters = {1, 127, 128, 255, 256, 65_535, 1L << 31, (1L << 32) + 1, Long.MAX_VALUE};
        for (int i = 0; i < counters.length; i++) {
            byte[] k = NumberedKeys.key(ab, counters[i]);
            assertThat(NumberedKeys.numberOf(k)).isEqualTo(counters[i]);
            assertThat(NumberedKeys.belongs(k, ab)).isTrue();
            assertThat(NumberedKeys.belongs(k, abc)).isFalse();
            assertThat(NumberedKeys.belongs(k, aB)).isFalse();
            if (i > 0) {
                assertThat(org.mapdb.Serializer.BYTE_ARRAY.compare(NumberedKeys.key(ab, counters[i - 1]), k)).isNegative();
            }
            assertThat(org.mapdb.Serializer.BYTE_ARRAY.compare(k, NumberedKeys.key(abc, 1))).isNegative();
        }
    }
}
