package io.imr.api.store;

/**
 * The committed state of one user's sequence on the server.
 *
 * @param user     the user
 * @param epoch    the current epoch, 1 for a user nobody wrote to yet
 * @param maxSeq   the highest seq given, 0 for none
 * @param firstSeq the lowest seq still held; {@code maxSeq + 1} when every message given was trimmed
 *                 ({@link ServerStore#trim}); 0 for a user nobody wrote to
 */
public record InboxState(String user, long epoch, long maxSeq, long firstSeq) {
}
