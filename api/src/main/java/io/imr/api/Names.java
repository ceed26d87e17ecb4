package io.imr.api;

import java.util.regex.Pattern;

/**
 * The rules for the names that travel in frames and land in stores: user names, device names,
 * strategy names and client message ids. They are strict on purpose: a name ends up in file
 * names, metric-free log lines and message ids ({@code sender/clientId}), and the wire format
 * rejects anything else before it is acted on.
 */
public final class Names {

    /** Users and devices: 1 to 64 characters of {@code A-Z a-z 0-9 . _ -}. */
    public static final Pattern PRINCIPAL = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** Client message ids: 1 to 100 characters of {@code A-Z a-z 0-9 . _ - :}. */
    public static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

    /** Strategy names: a lower-case letter, then up to 31 of {@code a-z 0-9 -}. */
    public static final Pattern STRATEGY = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private Names() {
    }

    /**
     * Checks a user or device name.
     *
     * @param what what the name is, for the error message ("user", "device", "to")
     * @return the name, for chaining in compact constructors
     * @throws IllegalArgumentException if the name is null or breaks {@link #PRINCIPAL}
     */
    public static String principal(String what, String name) {
        if (!fits(name, 64, false)) {
            throw new IllegalArgumentException(what + " must be 1 to 64 characters of A-Z a-z 0-9 . _ -, got "
                    + quote(name));
        }
        return name;
    }

    /**
     * Checks a client message id.
     *
     * @throws IllegalArgumentException if the id is null or breaks {@link #CLIENT_ID}
     */
    public static String clientId(String clientId) {
        if (!fits(clientId, 100, true)) {
            throw new IllegalArgumentException("client id must be 1 to 100 characters of A-Z a-z 0-9 . _ - :, got "
                    + quote(clientId));
        }
        return clientId;
    }

    /**
     * Checks a strategy name.
     *
     * @throws IllegalArgumentException if the name is null or breaks {@link #STRATEGY}
     */
    public static String strategy(String name) {
        if (name == null || !STRATEGY.matcher(name).matches()) {
            throw new IllegalArgumentException("strategy name must be a lower-case letter followed by up to 31 of"
                    + " a-z 0-9 -, got " + quote(name));
        }
        return name;
    }

    /**
     * The id of a message: the sender and its client id. It is stable across resends, pulls and
     * epochs, and unique because a sender's client ids are unique across all its outboxes (G6).
     */
    public static String messageId(String sender, String clientId) {
        return principal("sender", sender) + "/" + clientId(clientId);
    }

    /**
     * The same test as {@link #PRINCIPAL} (or {@link #CLIENT_ID} with the colon), without a regex:
     * it runs for every field of every message decoded or stored.
     */
    private static boolean fits(String s, int max, boolean colon) {
        if (s == null || s.isEmpty() || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '_' || c == '-' || (colon && c == ':');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static String quote(String s) {
        if (s == null) {
            return "nothing";
        }
        String shown = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return '"' + shown.replace("\"", "\\\"") + '"';
    }
}
