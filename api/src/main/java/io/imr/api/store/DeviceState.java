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
 */
public record DeviceState(String user, String device, long epoch, long cursor, long confirmed) {
    public DeviceState {
        Names.principal("user", user);
        Names.principal("device", device);
        if (epoch < 0 || cursor < 0 || confirmed < 0) {
            throw new IllegalArgumentException("device epoch, cursor and confirmed must not be negative");
        }
    }
}
