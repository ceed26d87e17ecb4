package io.imr.store.mapdb;

import io.imr.api.Message;
import io.imr.api.store.DeviceState;
import io.imr.api.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.Serializer;

/**
 * The maps of the server's store in one MapDB database, all with explicit serializers:
 * <ul>
 *   <li>{@code server.format}: one record holding the format version;</li>
 *   <li>{@code server.inbox.5}: (user, first seq) as a {@link NumberedKeys} key &rarr; the ordinal of
 *       the generation that stored the record (a varint), then its {@link MessageBatchCodec} batch, padded with zeros
 *       to its size class (format 6): one
 *       record per user per commit group (split when large), values outside the nodes (format 5; format 4
 *       kept the generation in a map of its own, {@code server.inbox.generation.4}, a second put per record;
 *       before format 4, {@code server.inbox} had (String, Long) tuple keys);</li>
 *   <li>{@code server.inbox.meta}: user &rarr; {@link InboxMeta};</li>
 *   <li>{@code server.dedup.runs}: per (sender, outbox id), runs of counters &rarr; where they were
 *       stored ({@link NumberedKeys#key} &rarr; {@link ServerCodecs.Run}, format 3): "counters
 *       first..last of this outbox were stored for recipient R in epoch E with seqs s..". Client ids
 *       are {@code <outbox id>-<counter>} ({@link io.imr.api.ClientIds}), an outbox numbers its sends
 *       from 1 and never reuses a counter, and a sender's messages to one recipient mostly follow
 *       each other, so a commit group writes one entry per outbox it extends instead of one per
 *       message. Keys are binary ({@code BYTE_ARRAY}: the unsigned order keeps an outbox's runs
 *       together, by first counter), values a few bytes inside the nodes ({@link ServerCodecs}).
 *       A group reads the last run of each outbox it meets once (a counter above it was never
 *       stored) and looks further only for a counter below it. Measured with
 *       {@code ServerStoreBenchmark}, format 2 and 3 in the same run, on a shared 2-core machine
 *       under heavy load where every commit waited for its fsyncs (absolute figures far below an
 *       idle machine's 48,000 / 170,000; compare the ratios): 256 per commit, each outbox writing
 *       to a recipient of its own, 3,600 &rarr; 14,800 msg/s; 1024 per commit 10,200 &rarr; 17,200;
 *       the worst case, each outbox alternating between two recipients (one run per message),
 *       1,150 &rarr; 2,300 at 256 and 5,000 &rarr; 5,800 at 1024. In {@code LayoutBenchmark}
 *       (256 per commit, same conditions): a {@code STRING_DELTA} entry per message 12,200
 *       msg/s, a binary run entry per message 9,700 with {@code BYTE_ARRAY} keys and 8,600 with
 *       {@code BYTE_ARRAY_DELTA} (all within the noise), one run entry per outbox 30,300;</li>
 *   <li>{@code server.devices}: "user/device" &rarr; device state;</li>
 *   <li>{@code server.generations}: generation id &rarr; its ordinal, from 1: one entry each time the
 *       store was opened (G10).</li>
 * </ul>
 */
final class ServerLayout {

    /**
     * 7: device states say since when the device's tokens are revoked ({@code revokedBefore}). 6: retention: inboxes are trimmed, the generations that stored trimmed seqs are kept as spans
     * ({@code server.inbox.trimmed}), device states say when the device was last seen, and inbox records are
     * padded to a few size classes ({@link MessageBatchCodec#encodePadded}), so that trimmed space is reused.
     * 5: the ordinal of the generation that stored an inbox record inside the record, instead of in a map of
     * its own. 4: the inbox and its generations keyed by binary (user, first seq) keys ({@link NumberedKeys}) instead of
     * (String, Long) tuples. 3: the dedup index as runs of outbox counters ({@code server.dedup.runs} instead of one
     * {@code server.dedup} entry per message). 2: the generations of the store and the generation
     * of each batch record (G10).
     */
    static final int FORMAT_VERSION = 7;
    private static final String FORMAT_KEY = "format";

    final BTreeMap<String, byte[]> format;
    final BTreeMap<byte[], byte[]> inbox;
    final BTreeMap<String, byte[]> inboxMeta;
    final BTreeMap<byte[], byte[]> runs;
    final BTreeMap<String, byte[]> devices;
    final BTreeMap<String, Long> generations;
    final BTreeMap<byte[], byte[]> trimmedSpans;

    @SuppressWarnings("unchecked")
    ServerLayout(DB db) {
        format = db.treeMap("server.format", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
        // Each format that changed the inbox's keys or records gave it a new name: a store of an older format
        // keeps its maps, which this layout never opens (it refuses the store).
        inbox = db.treeMap("server.inbox.5", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).valuesOutsideNodesEnable()
                .createOrOpen();
        inboxMeta = db.treeMap("server.inbox.meta", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
        runs = db.treeMap("server.dedup.runs", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).createOrOpen();
        devices = db.treeMap("server.devices", Serializer.STRING, Serializer.BYTE_ARRAY).createOrOpen();
        generations = db.treeMap("server.generations", Serializer.STRING, Serializer.LONG).createOrOpen();
        trimmedSpans = db.treeMap("server.inbox.trimmed", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).createOrOpen();
    }

    void writeFormat() {
        format.put(FORMAT_KEY, new byte[] {FORMAT_VERSION});
    }

    /**
     * @throws StoreException                  for a server store of an older format (it is never read)
     * @throws StoreException.CorruptException unless the database is a server store of our format
     */
    void checkFormat() {
        byte[] v = format.get(FORMAT_KEY);
        if (v != null && v.length == 1 && v[0] >= 1 && v[0] < FORMAT_VERSION) {
            throw new StoreException("this is a server store of format " + v[0] + ", written by an older imr; this imr"
                    + " reads format " + FORMAT_VERSION + " only (its device states say since when each device is"
                    + " revoked)"
                    + " and does not convert it: start this server on a new data folder, or run the older imr on this"
                    + " one");
        }
        if (v == null || v.length != 1 || v[0] != FORMAT_VERSION) {
            throw new StoreException.CorruptException("not a server store of format " + FORMAT_VERSION
                    + " (format record " + (v == null ? "missing" : "says " + (v.length == 1 ? v[0] : "?")) + ")", null);
        }
    }

    /** The committed meta of a user's inbox, or null if nobody wrote to the user. */
    InboxMeta readMeta(String user) {
        byte[] record = inboxMeta.get(user);
        return record == null ? null : InboxMeta.decode(record);
    }

    /** Appends messages stored by the generation of this ordinal. */
    void appendMessages(String user, List<Message> batch, long generation) {
        byte[] prefix = NumberedKeys.prefix(user);
        for (List<Message> run : MessageBatchCodec.split(batch)) {
            inbox.put(NumberedKeys.key(prefix, run.get(0).seq()), MessageBatchCodec.encodePadded(generation, run));
        }
    }

    /** The ordinal of the generation that stored a user's seq (its batch record's), 0 if none. */
    long storedBy(String user, long seq) {
        byte[] prefix = NumberedKeys.prefix(user);
        Map.Entry<byte[], byte[]> e = inbox.floorEntry(NumberedKeys.key(prefix, seq));
        return e == null || !NumberedKeys.belongs(e.getKey(), prefix) ? 0 : MessageBatchCodec.header(e.getValue());
    }

    /** Up to {@code limit} messages of a user from {@code fromSeq} on. */
    List<Message> read(String user, long fromSeq, int limit) {
        List<Message> out = new ArrayList<>(Math.min(limit, 1024));
        if (limit <= 0) {
            return out;
        }
        byte[] prefix = NumberedKeys.prefix(user);
        byte[] from = NumberedKeys.key(prefix, fromSeq);
        byte[] floor = inbox.floorKey(from);
        byte[] start = floor != null && NumberedKeys.belongs(floor, prefix) ? floor : from;
        byte[] end = NumberedKeys.key(prefix, Long.MAX_VALUE);
        for (Map.Entry<byte[], byte[]> e : inbox.subMap(start, true, end, true).entrySet()) {
            for (Message m : MessageBatchCodec.decodePadded(e.getValue())) {
                if (m.seq() >= fromSeq) {
                    out.add(m);
                    if (out.size() == limit) {
                        return out;
                    }
                }
            }
        }
        return out;
    }

    /** The committed message at a user's seq, or null. */
    Message message(String user, long seq) {
        byte[] prefix = NumberedKeys.prefix(user);
        Map.Entry<byte[], byte[]> e = inbox.floorEntry(NumberedKeys.key(prefix, seq));
        if (e == null || !NumberedKeys.belongs(e.getKey(), prefix)) {
            return null;
        }
        for (Message m : MessageBatchCodec.decodePadded(e.getValue())) {
            if (m.seq() == seq) {
                return m;
            }
        }
        return null;
    }

    /**
     * Removes a user's messages below {@code below} (a seq at most {@code maxSeq + 1}): whole records, and the
     * part of the record that straddles it, which is written again from {@code below} on. The generations that
     * stored what is removed are kept as spans, for {@link #trimmedBy}.
     */
    void trim(String user, long below) {
        byte[] prefix = NumberedKeys.prefix(user);
        java.util.NavigableMap<byte[], byte[]> under = inbox.subMap(NumberedKeys.key(prefix, 0), true,
                NumberedKeys.key(prefix, below), false);
        List<byte[]> keys = new ArrayList<>(under.keySet());
        long lastOrdinal = spanAt(prefix, Long.MAX_VALUE);
        for (int i = 0; i < keys.size(); i++) {
            byte[] key = keys.get(i);
            byte[] record = inbox.get(key);
            long ordinal = MessageBatchCodec.header(record);
            if (ordinal != lastOrdinal) {
                trimmedSpans.put(key, ServerCodecs.encodeSpan(ordinal));
                lastOrdinal = ordinal;
            }
            if (i == keys.size() - 1) {
                List<Message> messages = MessageBatchCodec.decodePadded(record);
                List<Message> kept = new ArrayList<>();
                for (Message m : messages) {
                    if (m.seq() >= below) {
                        kept.add(m);
                    }
                }
                if (!kept.isEmpty()) {
                    inbox.put(NumberedKeys.key(prefix, kept.get(0).seq()), MessageBatchCodec.encodePadded(ordinal, kept));
                }
            }
            inbox.remove(key);
        }
    }

    /** The ordinal of the generation that stored a trimmed seq (at most; spans are kept per change), 0 if unknown. */
    long trimmedBy(String user, long seq) {
        return spanAt(NumberedKeys.prefix(user), seq);
    }

    private long spanAt(byte[] prefix, long seq) {
        Map.Entry<byte[], byte[]> e = trimmedSpans.floorEntry(NumberedKeys.key(prefix, seq));
        return e == null || !NumberedKeys.belongs(e.getKey(), prefix) ? 0 : ServerCodecs.decodeSpan(e.getValue());
    }

    /**
     * The first seq in {@code from..maxSeq} whose message was stored at {@code millis} or later, {@code maxSeq + 1}
     * for none: a binary search, about 20 record reads for a million messages, as the server's times grow with
     * seqs (a wall clock set back makes the answer approximate, never a seq outside the range).
     */
    long firstSeqSince(String user, long from, long maxSeq, long millis) {
        long lo = from;
        long hi = maxSeq + 1;
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            Message m = message(user, mid);
            if (m == null || m.serverTimeMillis() >= millis) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** The states of a user's devices, by device name. */
    List<DeviceState> devices(String user) {
        List<DeviceState> out = new ArrayList<>();
        String from = user + "/";
        for (Map.Entry<String, byte[]> e : devices.subMap(from, true, user + "0", false).entrySet()) {
            out.add(ServerCodecs.decodeDevice(user, e.getKey().substring(from.length()), e.getValue()));
        }
        return out;
    }

    /** Up to {@code limit} users with an inbox after {@code after}, in name order. */
    List<String> users(String after, int limit) {
        List<String> out = new ArrayList<>(Math.min(limit, 1024));
        for (String user : inboxMeta.tailMap(after, false).keySet()) {
            if (out.size() >= limit) {
                break;
            }
            out.add(user);
        }
        return out;
    }

    /** The committed run of an outbox (given by its prefix) with the highest counters, or null for none. */
    ServerCodecs.Run lastRun(byte[] prefix) {
        return runAtOrBelow(prefix, Long.MAX_VALUE);
    }

    /** The committed run of an outbox that contains a counter, or null. */
    ServerCodecs.Run runCovering(byte[] prefix, long counter) {
        ServerCodecs.Run run = runAtOrBelow(prefix, counter);
        return run != null && run.contains(counter) ? run : null;
    }

    private ServerCodecs.Run runAtOrBelow(byte[] prefix, long counter) {
        Map.Entry<byte[], byte[]> e = runs.floorEntry(NumberedKeys.key(prefix, counter));
        if (e == null || !NumberedKeys.belongs(e.getKey(), prefix)) {
            return null;
        }
        return ServerCodecs.decodeRun(NumberedKeys.numberOf(e.getKey()), e.getValue());
    }

    /**
     * The committed message a run says a counter was stored as.
     *
     * @throws StoreException.CorruptException if it is not stored
     */
    Message messageOf(ServerCodecs.Run run, String sender, String clientId, long counter) {
        long seq = run.seqOf(counter);
        Message m = message(run.recipient(), seq);
        if (m == null || !m.sender().equals(sender) || !m.clientId().equals(clientId)) {
            throw new StoreException.CorruptException("dedup run of " + sender + "/" + clientId + " points to "
                    + run.recipient() + " seq " + seq + ", which holds " + (m == null ? "nothing" : m.id()), null);
        }
        return m;
    }

    DeviceState device(String user, String device) {
        byte[] record = devices.get(ServerCodecs.deviceKey(user, device));
        return record == null ? null : ServerCodecs.decodeDevice(user, device, record);
    }
}
