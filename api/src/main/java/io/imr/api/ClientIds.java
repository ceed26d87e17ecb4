package io.imr.api;

/**
 * Client ids as imr makes them: {@code <outbox id>-<counter>}. Each device store has one outbox
 * id (made once, at random, when the store is created) and numbers its sends from 1, never
 * reusing a counter, so a sender's client ids are unique across all its outboxes (G6), and a
 * message's id ({@code sender/clientId}) can be derived wherever sender, outbox id and counter
 * are known, instead of being carried as text.
 *
 * <p>The outbox id is 1 to {@value #MAX_OUTBOX_ID} characters of {@code A-Z a-z 0-9 . _ :} (no
 * {@code -}, so the split is unambiguous); the counter is written in decimal without leading
 * zeros, 1 to 2<sup>63</sup>-1.
 */
public final class ClientIds {

    /** The longest outbox id. */
    public static final int MAX_OUTBOX_ID = 64;

    private ClientIds() {
    }

    /**
     * Checks an outbox id.
     *
     * @throws IllegalArgumentException naming what is allowed
     */
    public static String outboxId(String outboxId) {
        if (!isOutboxId(outboxId)) {
            throw new IllegalArgumentException("outbox id must be 1 to " + MAX_OUTBOX_ID
                    + " characters of A-Z a-z 0-9 . _ :, got " + Names.quote(outboxId));
        }
        return outboxId;
    }

    /** The client id of an outbox's counter. */
    public static String of(String outboxId, long counter) {
        outboxId(outboxId);
        if (counter < 1) {
            throw new IllegalArgumentException("outbox counter must be 1 or more, got " + counter);
        }
        return outboxId + "-" + counter;
    }

    /**
     * The outbox id of a client id.
     *
     * @throws IllegalArgumentException if it is not {@code <outbox id>-<counter>}
     */
    public static String outboxOf(String clientId) {
        return clientId.substring(0, split(clientId));
    }

    /**
     * The counter of a client id.
     *
     * @throws IllegalArgumentException if it is not {@code <outbox id>-<counter>}
     */
    public static long counterOf(String clientId) {
        int dash = split(clientId);
        return parseCounter(clientId, dash + 1);
    }

    /**
     * Whether a client id starts with this outbox id and its dash, without allocating: the test a
     * batch makes per message to see that it comes from the same outbox as the message before. It
     * does not check the counter.
     */
    public static boolean inOutbox(String clientId, String outboxId) {
        int n = outboxId.length();
        return clientId.length() > n && clientId.charAt(n) == '-' && clientId.startsWith(outboxId);
    }

    /** Whether a client id has the form {@code <outbox id>-<counter>}. */
    public static boolean isClientId(String clientId) {
        if (clientId == null) {
            return false;
        }
        int dash = clientId.indexOf('-');
        return dash > 0 && isOutboxId(clientId, 0, dash) && counterText(clientId, dash + 1);
    }

    private static int split(String clientId) {
        if (!isClientId(clientId)) {
            throw new IllegalArgumentException("client id must be <outbox id>-<counter> (an outbox id of 1 to "
                    + MAX_OUTBOX_ID + " characters of A-Z a-z 0-9 . _ :, a counter from 1 without leading zeros),"
                    + " got " + Names.quote(clientId));
        }
        return clientId.indexOf('-');
    }

    private static boolean isOutboxId(String s) {
        return s != null && isOutboxId(s, 0, s.length());
    }

    /** Whether {@code s[from, to)} is an outbox id. */
    private static boolean isOutboxId(String s, int from, int to) {
        if (to <= from || to - from > MAX_OUTBOX_ID) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '_' || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean counterText(String s, int from) {
        int digits = s.length() - from;
        if (digits < 1 || digits > 19 || s.charAt(from) == '0') {
            return false;
        }
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        if (digits == 19) {
            return s.substring(from).compareTo(String.valueOf(Long.MAX_VALUE)) <= 0;
        }
        return true;
    }

    private static long parseCounter(String s, int from) {
        long v = 0;
        for (int i = from; i < s.length(); i++) {
            v = v * 10 + (s.charAt(i) - '0');
        }
        return v;
    }
}
