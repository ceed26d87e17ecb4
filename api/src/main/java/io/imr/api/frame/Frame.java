package io.imr.api.frame;

/**
 * Everything that travels between a device and the server, as Java values. The wire module
 * turns these into bytes (Protocol Buffers in a length-prefixed, CRC32C-checked envelope) and
 * back; strategies and engines only ever see these records, already validated.
 *
 * <p>Every record validates its fields in its constructor, so a decoded frame that exists is a
 * frame that can be acted on.
 */
public sealed interface Frame permits Hello, Welcome, ErrorFrame, Send, SendAck, Deliver, Ack, AckUpTo, Pull,
        PullResult, Notify, Ping, Pong, Bye {

    /**
     * The protocol version this build speaks. Bumped on any incompatible change of the frames: 2 added the
     * server store generation and the start number of a device to {@link Hello}, the generation and the resync
     * flag to {@link Welcome}, and {@link ErrorFrame.Code#STALE_HELLO}.
     */
    int PROTOCOL_VERSION = 2;

    /** The most messages one {@link Deliver} or {@link PullResult} may carry. */
    int MAX_BATCH = 4096;

    /** The most ids one {@link Ack} may carry. */
    int MAX_ACK_IDS = 4096;

    /** A short name of the frame type, as used in errors, traces and metric tags. */
    String type();
}
