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
     * flag to {@link Welcome}, and {@link ErrorFrame.Code#STALE_HELLO}; 3 made {@link Send} a batch of one
     * outbox, {@link SendAck} runs of counters, {@link Ack} ranges of seqs, and carries the messages of
     * {@link Deliver} and {@link PullResult} compactly (ids derived on the receiver, see
     * {@link io.imr.api.ClientIds}); 4 added the committed cursor to {@link Pull}, so that a device may pull the
     * next page while it commits the last one; 5: the server trims inboxes (retention), and a
     * {@link Welcome#cursor()} above the device's own position says that the seqs between expired; 6 added
     * {@link ErrorFrame.Code#RATE_LIMITED} and {@link ErrorFrame#retryAfterMillis()} (the server's limits).
     */
    int PROTOCOL_VERSION = 6;

    /** The most messages one {@link Send}, {@link Deliver} or {@link PullResult} may carry. */
    int MAX_BATCH = 4096;

    /** The most seq ranges one {@link Ack} may carry. */
    int MAX_RANGES = 4096;

    /** The most runs one {@link SendAck} may carry. */
    int MAX_RUNS = 4096;

    /** A short name of the frame type, as used in errors, traces and metric tags. */
    String type();
}
