package io.imr.api.frame;

import io.imr.api.Names;

/**
 * The server's answer to a {@link Hello} it accepts.
 *
 * @param protocolVersion  the version the session will speak
 * @param strategy         the strategy the server picked from the device's list
 * @param user             the user the token names
 * @param device           the device the token names
 * @param epoch            the current epoch of the user's sequence
 * @param cursor           where the session starts in the server's numbering: the hello's cursor when the
 *                         server vouches for it, else the seq before the first message the server holds (0
 *                         when it holds none), from which it serves the device (G10); above the hello's
 *                         cursor in the same epoch when retention trimmed the seqs between, which the device
 *                         records as expired
 * @param maxSeq           the highest seq in the user's sequence (G9)
 * @param heartbeatMillis  how often the device is to ping; the server closes a session that was
 *                         silent for three of these
 * @param serverStore      the generation of the server's store: made anew each time the store is opened, so
 *                         that a store restored from a copy never vouches for what devices got after the copy;
 *                         the device echoes it in its next hello with the cursor it commits in this session
 * @param resync           whether the server could not vouch for the hello's cursor (a store restored from an
 *                         older copy, another store, or a device claiming what it never got): it serves the
 *                         device from {@code cursor} on, and the device recognises what it holds by message id
 */
public record Welcome(int protocolVersion, String strategy, String user, String device, long epoch, long cursor,
                      long maxSeq, long heartbeatMillis, String serverStore, boolean resync) implements Frame {

    public Welcome {
        Checks.positive("welcome", "protocolVersion", protocolVersion);
        Names.strategy(strategy);
        Names.principal("welcome.user", user);
        Names.principal("welcome.device", device);
        Checks.positive("welcome", "epoch", epoch);
        Checks.notNegative("welcome", "cursor", cursor);
        Checks.notNegative("welcome", "maxSeq", maxSeq);
        Checks.positive("welcome", "heartbeatMillis", heartbeatMillis);
        Checks.nonEmpty("welcome", "serverStore", serverStore, Hello.MAX_SERVER_STORE);
        if (cursor > maxSeq) {
            throw new IllegalArgumentException("welcome.cursor " + cursor + " must not be above welcome.maxSeq " + maxSeq);
        }
    }

    @Override
    public String type() {
        return "welcome";
    }
}
