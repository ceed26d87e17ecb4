package io.imr.engine;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Connections open per network address ({@link ServerEngineConfig#maxConnectionsPerAddress()}): a connection is let
 * in while its address has fewer than the maximum open, and counted out when it closes. Thread-safe: transports
 * accept and close from any thread. An address with none open is forgotten (bounded memory).
 */
final class AddressLimit {

    private final int max;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

    /** @param max connections per address; 0 for no limit */
    AddressLimit(int max) {
        this.max = max;
    }

    /** Counts a new connection of {@code host} in; false (nothing counted) when its address has the maximum open. */
    boolean enter(String host) {
        if (max == 0 || host.isEmpty()) {
            return true;
        }
        boolean[] in = new boolean[1];
        open.compute(host, (h, n) -> {
            int now = n == null ? 0 : n;
            in[0] = now < max;
            return in[0] ? now + 1 : now;
        });
        return in[0];
    }

    /** A connection {@link #enter} let in closed. */
    void leave(String host) {
        if (max == 0 || host.isEmpty()) {
            return;
        }
        open.computeIfPresent(host, (h, n) -> n <= 1 ? null : n - 1);
    }

    /** Connections of {@code host} open now. */
    int open(String host) {
        return open.getOrDefault(host, 0);
    }
}
