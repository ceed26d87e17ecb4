package io.imr.api.frame;

import io.imr.api.Names;
import java.util.List;

/**
 * The first frame of a session, from the device: who it is (a signed token naming the user and
 * device), which protocol version and strategies it speaks, and where its store stands.
 *
 * @param protocolVersion the version the device speaks ({@link Frame#PROTOCOL_VERSION})
 * @param token           the signed token; the server derives user and device from it alone (G8)
 * @param user            the user the device's store belongs to; the server refuses the session
 *                        unless the token names the same user and device
 * @param device          the device the store belongs to
 * @param strategies      the strategies the device supports, by preference; the server picks one
 * @param epoch           the epoch of the device's cursor, 0 for an empty store
 * @param cursor          the device's committed cursor ({@code LastReceivedSeqID}), 0 for none
 * @param idAtCursor      the id of the message at the cursor, empty when the cursor is 0 (G10)
 */
public record Hello(int protocolVersion, String token, String user, String device, List<String> strategies,
                    long epoch, long cursor, String idAtCursor) implements Frame {

    public Hello {
        Checks.positive("hello", "protocolVersion", protocolVersion);
        Checks.nonEmpty("hello", "token", token, 4096);
        Names.principal("hello.user", user);
        Names.principal("hello.device", device);
        strategies = Checks.list("hello", "strategies", strategies, 16);
        if (strategies.isEmpty()) {
            throw new IllegalArgumentException("hello.strategies must name at least one strategy");
        }
        strategies.forEach(Names::strategy);
        Checks.notNegative("hello", "epoch", epoch);
        Checks.notNegative("hello", "cursor", cursor);
        Checks.text("hello", "idAtCursor", idAtCursor, 200);
        if ((cursor == 0) != idAtCursor.isEmpty()) {
            throw new IllegalArgumentException("hello.idAtCursor must be empty exactly when the cursor is 0, got cursor "
                    + cursor + " and id \"" + idAtCursor + "\"");
        }
        if (cursor > 0 && epoch < 1) {
            throw new IllegalArgumentException("hello.epoch must be 1 or more when the cursor is set");
        }
    }

    @Override
    public String type() {
        return "hello";
    }

    @Override
    public String toString() {
        return "Hello[v" + protocolVersion + " " + user + "/" + device + " strategies=" + strategies + " epoch=" + epoch + " cursor=" + cursor
                + " id=" + idAtCursor + " token=<" + token.length() + " chars>]";
    }
}
