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
 * @param cursor          the device's committed position in the server's numbering ({@code LastReceivedSeqID}):
 *                        the seq of the last message the server sent it that it committed (stored, or held
 *                        already), 0 for none
 * @param idAtCursor      the id of the message at the cursor; empty when the cursor is 0, and when the server
 *                        set the position without a message at it (G10)
 * @param serverStore     the server store generation of the session in which the device committed its cursor
 *                        ({@link Welcome#serverStore()}); empty exactly when the cursor is 0 (G10)
 * @param incarnation     which start of the device's store this is (its store counts its opens durably), from 1:
 *                        a hello of an earlier start never replaces a session of a later one
 */
public record Hello(int protocolVersion, String token, String user, String device, List<String> strategies,
                    long epoch, long cursor, String idAtCursor, String serverStore, long incarnation)
        implements Frame {

    /** The most characters of a server store generation. */
    public static final int MAX_SERVER_STORE = 64;

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
        Checks.text("hello", "serverStore", serverStore, MAX_SERVER_STORE);
        if (cursor == 0 && !idAtCursor.isEmpty()) {
            throw new IllegalArgumentException("hello.idAtCursor must be empty when the cursor is 0, got \""
                    + idAtCursor + "\"");
        }
        if ((cursor == 0) != serverStore.isEmpty()) {
            throw new IllegalArgumentException("hello.serverStore must be empty exactly when the cursor is 0, got cursor "
                    + cursor + " and server store \"" + serverStore + "\"");
        }
        if (cursor > 0 && epoch < 1) {
            throw new IllegalArgumentException("hello.epoch must be 1 or more when the cursor is set");
        }
        Checks.positive("hello", "incarnation", incarnation);
    }

    @Override
    public String type() {
        return "hello";
    }

    @Override
    public String toString() {
        return "Hello[v" + protocolVersion + " " + user + "/" + device + " strategies=" + strategies + " epoch=" + epoch + " cursor=" + cursor
                + " id=" + idAtCursor + " store=" + serverStore + " start=" + incarnation + " token=<" + token.length()
                + " chars>]";
    }
}
