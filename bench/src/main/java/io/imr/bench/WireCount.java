package io.imr.bench;

/**
 * The bytes one client's connection carried, both directions together, so far.
 *
 * @param total        every byte written to and read from the socket
 * @param payload      the application payload bytes among them (a message's payload counts once per hop)
 * @param confirmation the bytes of frames that carry no message and exist to confirm or repair delivery
 *                     (imr: ack, ack-up-to, pull, notify; MQTT: PUBACK; JetStream: acks and pull requests)
 */
public record WireCount(long total, long payload, long confirmation) {

    public static final WireCount ZERO = new WireCount(0, 0, 0);

    /** Bytes that are not payload: headers, acknowledgements, pulls, heartbeats. */
    public long control() {
        return total - payload;
    }

    public WireCount plus(WireCount other) {
        return new WireCount(total + other.total, payload + other.payload, confirmation + other.confirmation);
    }

    public WireCount minus(WireCount earlier) {
        return new WireCount(total - earlier.total, payload - earlier.payload, confirmation - earlier.confirmation);
    }
}
