package io.imr.api.store;

import io.imr.api.Names;

/**
 * What the server keeps of one device of a user, the same for every strategy.
 *
 * @param user      the user
 * @param device    the device
 * @param epoch     the epoch of the two seqs below
 * @param cursor    the committed cursor the device last reported (its hello)
 * @param confirmed the highest seq up to which the device confirmed every message
 * @param lastSeen  when a session of the device was last welcomed or ended, in milliseconds since the epoch of
 *                  the server's wall clock, 0 when not known; retention retires a device not seen for a
 *                  configured time, so that it no longer holds the trimming of its user's inbox back
 * @param revokedBefore tokens of the device minted before this time (wall-clock ms) are refused: the device was
 *                  revoked (a lost phone) or deleted then; 0 when never. A store never moves it back
 */
public record DeviceState(String user, String device, long epoch, long cursor, long confirmed, long lastSeen,
                          long revokedBefore) {

    /**
     * The device name of a user's record that revokes every device of the user, those never seen included (a
     * deleted user): only its {@code revokedBefore} means something. No device can be named so ({@code *} is not a
     * valid name), and it is no device for retention.
     */
    public static final String ALL_DEVICES = "*";

    public DeviceState {
        Names.principal("user", user);
        deviceName(device);
        if (epoch < 0 || cursor < 0 || confirmed < 0 || lastSeen < 0 || revokedBefore < 0) {
            throw new IllegalArgumentException("device epoch, cursor, confirmed, lastSeen and revokedBefore must not"
                    + " be negative");
        }
    }

    /**
     * Checks the device name of a device's record: a valid device name, or {@link #ALL_DEVICES}.
     *
     * @return the name
     * @throws IllegalArgumentException for anything else
     */
    public static String deviceName(String device) {
        return ALL_DEVICES.equals(device) ? device : Names.principal("device", device);
    }

    /** A state that does not revoke (a store keeps the revocation it knew). */
    public DeviceState(String user, String device, long epoch, long cursor, long confirmed, long lastSeen) {
        this(user, device, epoch, cursor, confirmed, lastSeen, 0);
    }

    /** A state that does not say when the device was seen (a store keeps the time it knew). */
    public DeviceState(String user, String device, long epoch, long cursor, long confirmed) {
        this(user, device, epoch, cursor, confirmed, 0);
    }

    /** The same state, seen at {@code millis}. */
    public DeviceState seenAt(long millis) {
        return new DeviceState(user, device, epoch, cursor, confirmed, millis, revokedBefore);
    }

    /** Whether tokens minted at {@code issuedAtMillis} are refused. */
    public boolean revokes(long issuedAtMillis) {
        return issuedAtMillis < revokedBefore;
    }

    /**
     * What a store holds once {@code now} is written over {@code old} (null when it held nothing): the rule every
     * {@link ServerStore} follows. A device's confirmed watermark never moves back within an epoch, so a lower one
     * keeps the stored watermark; neither the time it was last seen nor its revocation moves back (a state that
     * does not say keeps the stored one); a state of epoch 0 (no watermark known yet) changes only those two.
     */
    public static DeviceState written(DeviceState old, DeviceState now) {
        if (old == null) {
            return now;
        }
        long seen = Math.max(old.lastSeen, now.lastSeen);
        long revoked = Math.max(old.revokedBefore, now.revokedBefore);
        if (now.epoch == 0 && old.epoch > 0) {
            return new DeviceState(old.user, old.device, old.epoch, old.cursor, old.confirmed, seen, revoked);
        }
        long confirmed = old.epoch == now.epoch ? Math.max(old.confirmed, now.confirmed) : now.confirmed;
        return new DeviceState(now.user, now.device, now.epoch, now.cursor, confirmed, seen, revoked);
    }
}
