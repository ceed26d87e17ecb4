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
 * @param cursor           the cursor the session starts from: the device's own, or, when the server
 *                         started a new epoch (G10), where the device is to continue
 * @param maxSeq           the highest seq in the user's sequence (G9)
 * @param heartbeatMillis  how often the device is to ping; the server closes a session that was
 *                         silent for three of these
 */
public record Welcome(int protocolVersion, String strategy, String user, String device, long epoch, long cursor,
                      long maxSeq, long heartbeatMillis) implements Frame {

    public Welcome {
        Checks.positive("welcome", "protocolVersion", protocolVersion);
        Names.strategy(strategy);
        Names.principal("welcome.user", user);
        Names.principal("welcome.device", device);
        Checks.positive("welcome", "epoch", epoch);
        Checks.notNegative("welcome", "cursor", cursor);
        Checks.notNegative("welcome", "maxSeq", maxSeq);
        Checks.positive("welcome", "heartbeatMillis", heartbeatMillis);
    }

    @Override
    public String type() {
        return "welcome";
    }
}
