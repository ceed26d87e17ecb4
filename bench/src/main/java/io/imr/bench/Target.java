package io.imr.bench;

import java.nio.file.Path;

/**
 * A delivery system under measurement: imr with one strategy, or a peer. The bench starts its {@link Broker}
 * in its own process and opens its clients in worker processes, which find the target again by
 * {@link Targets#byName(String)}.
 */
public interface Target {

    /** The name as the command line and the results spell it: {@code imr:ack}, {@code mqtt}, {@code jetstream}. */
    String name();

    /** Starts the broker in {@code dir}, a folder of its own; returns once it accepts connections. */
    Broker startBroker(Path dir) throws Exception;

    /**
     * Prepares a receiving device before any message is sent to it, so that what is sent while it is offline
     * waits for it (an MQTT persistent session with its subscription, a JetStream stream): opens and closes
     * it. Nothing to do for imr, whose server keeps every user's inbox.
     */
    default void register(ClientSpec device) throws Exception {
    }

    /** Opens a sending client and returns once it is connected. */
    Sender openSender(ClientSpec spec) throws Exception;

    /** Opens a receiving device and returns once it is connected and receiving. */
    Receiver openReceiver(ClientSpec spec, Receiver.Delivered delivered) throws Exception;
}
