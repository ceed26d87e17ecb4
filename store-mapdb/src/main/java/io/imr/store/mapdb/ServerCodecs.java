package io.imr.store.mapdb;

import io.imr.api.store.DeviceState;

/**
 * The small records of the server's store: dedup runs and device states.
 *
 * <p>Dedup run (format 3), key: {@link NumberedKeys#key}; value, version 1: {@code u8 version,
 * string recipient, varint epoch, varint firstSeq, varint (last - first)}: counters
 * {@code first..last} of the key's outbox were stored for the recipient in the epoch, with seqs
 * {@code firstSeq..firstSeq + (last - first)}; the messages themselves are read from their inbox
 * batches. Device state, version 3 (format 7): {@code u8 version, varint epoch, varint cursor, varint
 * confirmed, varint lastSeen, varint revokedBefore} (user and device are the key; version 2, of format 6, had no
 * revokedBefore, version 1, of format 5 and before, no lastSeen). Trimmed span (format 6), key: {@link NumberedKeys#key} (user, first seq); value:
 * {@code varint ordinal}: the trimmed seqs from the key's on, up to the next span's, were stored by
 * generations up to this ordinal.
 */
final class ServerCodecs {

    static final int VERSION = 1;
    static final int DEVICE_VERSION = 3;

    private ServerCodecs() {
    }

    /**
     * A dedup run: counters {@code first..last} of one outbox of one sender, stored for
     * {@code recipient} in {@code epoch} with the consecutive seqs {@code firstSeq..}.
     */
    record Run(long first, long last, String recipient, long epoch, long firstSeq) {

        boolean contains(long counter) {
            return counter >= first && counter <= last;
        }

        /** The seq of a counter the run contains. */
        long seqOf(long counter) {
            return firstSeq + (counter - first);
        }

        long lastSeq() {
            return firstSeq + (last - first);
        }

        /** Whether a message with this counter, recipient, epoch and seq continues the run. */
        boolean continuedBy(long counter, String to, long inEpoch, long seq) {
            return counter == last + 1 && seq == lastSeq() + 1 && inEpoch == epoch && to.equals(recipient);
        }

        Run extended() {
            return new Run(first, last + 1, recipient, epoch, firstSeq);
        }
    }

    /** The key of a device: user names contain no '/', so a user's devices sort together. */
    static String deviceKey(String user, String device) {
        return user + "/" + device;
    }

    static byte[] encodeRun(Run run) {
        return new Bytes.Writer(24).u8(VERSION).string(run.recipient()).varLong(run.epoch()).varLong(run.firstSeq())
                .varLong(run.last() - run.first()).toByteArray();
    }

    /**
     * @param first the run's first counter, from its key
     * @throws io.imr.api.store.StoreException.CorruptException if the record is damaged
     */
    static Run decodeRun(long first, byte[] record) {
        Bytes.Reader r = new Bytes.Reader(record, "dedup run");
        r.version(VERSION);
        String recipient = r.string();
        long epoch = r.varLong();
        long firstSeq = r.varLong();
        long span = r.varLong();
        r.expectEnd();
        if (epoch < 1 || firstSeq < 1 || span < 0 || first + span < first) {
            throw r.corrupt("an impossible run (epoch " + epoch + ", first seq " + firstSeq + ", span " + span + ")");
        }
        return new Run(first, first + span, recipient, epoch, firstSeq);
    }

    static byte[] encodeDevice(DeviceState d) {
        return new Bytes.Writer(32).u8(DEVICE_VERSION).varLong(d.epoch()).varLong(d.cursor()).varLong(d.confirmed())
                .varLong(d.lastSeen()).varLong(d.revokedBefore()).toByteArray();
    }

    /** @throws io.imr.api.store.StoreException.CorruptException if the record is damaged */
    static DeviceState decodeDevice(String user, String device, byte[] record) {
        Bytes.Reader r = new Bytes.Reader(record, "device state");
        r.version(DEVICE_VERSION);
        long epoch = r.varLong();
        long cursor = r.varLong();
        long confirmed = r.varLong();
        long lastSeen = r.varLong();
        long revokedBefore = r.varLong();
        r.expectEnd();
        try {
            return new DeviceState(user, device, epoch, cursor, confirmed, lastSeen, revokedBefore);
        } catch (IllegalArgumentException e) {
            throw r.corrupt("a device state that breaks the model (" + e.getMessage() + ")");
        }
    }

    static byte[] encodeSpan(long ordinal) {
        return new Bytes.Writer(10).varLong(ordinal).toByteArray();
    }

    /** @throws io.imr.api.store.StoreException.CorruptException if the record is damaged */
    static long decodeSpan(byte[] record) {
        Bytes.Reader r = new Bytes.Reader(record, "trimmed span");
        long ordinal = r.varLong();
        r.expectEnd();
        if (ordinal < 1) {
            throw r.corrupt("a trimmed span stored by generation " + ordinal);
        }
        return ordinal;
    }
}
