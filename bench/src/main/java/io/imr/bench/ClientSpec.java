package io.imr.bench;

import java.nio.file.Path;

/**
 * One client of a run: who it is and where it keeps its store.
 *
 * @param address    the broker's address, as {@link Broker#address()} gave it
 * @param user       the user (imr) or the client's topic owner (peers)
 * @param device     the device, unique within the user
 * @param dir        a folder of its own for its store (an outbox, a receiving database)
 * @param secretFile imr only: the server's token secret, to mint this client's token; null for peers
 * @param strategy   imr only: the strategy; null for peers
 */
public record ClientSpec(String address, String user, String device, Path dir, Path secretFile, String strategy) {
}
