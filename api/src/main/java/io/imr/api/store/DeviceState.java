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
 */
public record DeviceState(String user, String device, long epoch, long cursor, long confirmed, long lastSeen) {
    public DeviceState {
        Names.principal("user", user);
        Names.principal("device", device);
        if (epoch < 0 || cursor < 0 || confirmed < 0 || lastSeen < 0) {
            throw new IllegalArgumentException("device epoch, cursor, confirmed and lastSeen must not be negative");
        }
    }

    /** A state that does not say when the device was seen (a store keeps the time it knew). */
    public DeviceState(String user, String device, long epoch, long cursor, long confirmed) {
        this(user, device, epoch, cursor, confirmed, 0);
    }

    /** The same state, seen at {@code millis}. */
    public DeviceState seenAt(long millis) {
        return new DeviceState(user, device, epoch, cursor, confirmed, millis);
    }
}
