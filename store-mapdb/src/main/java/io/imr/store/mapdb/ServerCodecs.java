package io.imr.store.mapdb;

import io.imr.api.store.DeviceState;

/**
 * The small records of the server's store: dedup entries and device states.
 *
 * <p>Dedup entry, version 1: {@code u8 version, string recipient, varint seq}: where the message
 * stored first under a (sender, client id) lies; the message itself is read from its inbox
 * batch. Device state, version 1: {@code u8 version, varint epoch, varint cursor, varint
 * confirmed} (user and device are the key).
 */
final class ServerCodecs {

    static final int VERSION = 1;

    private ServerCodecs() {
    }

    /** Where a message lies: its recipient's inbox and its seq there. */
    record DedupRef(String recipient, long seq) {
    }

    /** The key of a dedup entry, the message id: a sender's ids share a prefix and sort together. */
    static String dedupKey(String sender, String clientId) {
        return sender + "/" + clientId;
    }

    /** The key of a device: user names contain no '/', so a user's devices sort together. */
    static String deviceKey(String user, String device) {
        return user + "/" + device;
    }

    static byte[] encodeRef(String recipient, long seq) {
        return new Bytes.Writer(24).u8(VERSION).string(recipient).varLong(seq).toByteArray();
    }

    /** @throws io.imr.api.store.StoreException.CorruptException if the record is damaged */
    static DedupRef decodeRef(byte[] record) {
        Bytes.Reader r = new Bytes.Reader(record, "dedup entry");
        r.version(VERSION);
        DedupRef ref = new DedupRef(r.string(), r.varLong());
        r.expectEnd();
        return ref;
    }

    static byte[] encodeDevice(DeviceState d) {
        return new Bytes.Writer(24).u8(VERSION).varLong(d.epoch()).varLong(d.cursor()).varLong(d.confirmed())
                .toByteArray();
    }

    /** @throws io.imr.api.store.StoreException.CorruptException if the record is damaged */
    static DeviceState decodeDevice(String user, String device, byte[] record) {
        Bytes.Reader r = new Bytes.Reader(record, "device state");
        r.version(VERSION);
        long epoch = r.varLong();
        long cursor = r.varLong();
        long confirmed = r.varLong();
        r.expectEnd();
        try {
            return new DeviceState(user, device, epoch, cursor, confirmed);
        } catch (IllegalArgumentException e) {
            throw r.corrupt("a device state that breaks the model (" + e.getMessage() + ")");
        }
    }

    /**
     * The state to store when {@code now} is written over {@code old}: a device's confirmed
     * watermark never moves back within an epoch, so a lower one keeps the stored watermark.
     */
    static DeviceState merge(DeviceState old, DeviceState now) {
        if (old != null && old.epoch() == now.epoch() && now.confirmed() < old.confirmed()) {
            return new DeviceState(now.user(), now.device(), now.epoch(), now.cursor(), old.confirmed());
        }
        return now;
    }
}
