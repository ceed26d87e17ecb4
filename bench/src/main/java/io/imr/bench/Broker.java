package io.imr.bench;

import java.util.Map;

/**
 * The process in the middle, started by the bench in a folder of its own: {@code imr server}, Mosquitto or
 * nats-server. Closing it stops the process (SIGTERM, then SIGKILL after a few seconds) and waits for it.
 */
public interface Broker extends AutoCloseable {

    /** What clients connect to, for {@link ClientSpec#address()}. */
    String address();

    /** The broker's process, for its CPU time. */
    ProcessHandle process();

    /**
     * What the broker counted itself, read at the end of a measurement: for imr the server's meters
     * ({@code syncs}, {@code commits}, {@code bytes.control}, ...); empty when the broker counts nothing we
     * can read.
     */
    Map<String, Double> counters() throws Exception;

    @Override
    void close();
}
