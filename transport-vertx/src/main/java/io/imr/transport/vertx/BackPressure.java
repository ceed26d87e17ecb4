package io.imr.transport.vertx;

/**
 * How much one connection may queue for its peer before the transport pushes back (G7 under load),
 * as Netty's write-buffer water marks and NATS's slow-consumer limit do.
 *
 * <p>Every frame handed to a connection is counted, in bytes on the wire, from the moment it is
 * encoded until Vert.x reports it written to the socket (or dropped by the close). Above
 * {@code writeHighWater} the connection stops reading its peer: a peer that does not read what we
 * send cannot make us queue more answers, and its own sends wait in its socket. At or below
 * {@code writeLowWater} reading resumes. A frame that would take the queue above {@code writeLimit}
 * is not queued: the connection is closed as a slow consumer (an {@code UNAVAILABLE} error frame if
 * it fits under the limit too, a log line, the {@code imr.transport.slow.consumers} counter), so memory
 * stays bounded; the device reconnects later and continues from its cursor, as after any close.
 *
 * @param writeHighWater bytes queued for the peer above which the connection stops reading it
 * @param writeLowWater  bytes queued at or below which it reads again; less than {@code writeHighWater}
 * @param writeLimit     bytes queued beyond which the connection is closed as a slow consumer; more than
 *                       {@code writeHighWater}. One frame is always accepted into an empty queue, so a frame
 *                       larger than this limit is sent, alone
 * @param socketBuffer   the kernel's send and receive buffer of each socket (SO_SNDBUF, SO_RCVBUF), in bytes,
 *                       or 0 to leave them to the operating system's auto-tuning (the default: it sizes them to
 *                       the path, up to a few MiB each). A fixed size bounds the bytes each connection parks in
 *                       the kernel too, at the cost of throughput on long, fast paths
 * @param frameRate      frames a second this side reads from one connection (a token bucket holding one second's
 *                       worth), or 0 for no limit (the default). Beyond it the connection stops reading its peer
 *                       until the bucket has a token again: the frames wait in the sockets and TCP's flow control
 *                       holds the peer back, so a peer that floods costs what the rate allows and no more, and is
 *                       neither answered nor closed for it
 */
public record BackPressure(int writeHighWater, int writeLowWater, long writeLimit, int socketBuffer, int frameRate) {

    /** 1 MiB: about 4,000 messages of 256 bytes, several strategy windows. */
    public static final int DEFAULT_WRITE_HIGH_WATER = 1 << 20;
    /** 512 KiB, half the high-water mark (as Netty's default marks and Vert.x's drain handler). */
    public static final int DEFAULT_WRITE_LOW_WATER = 512 << 10;
    /**
     * 16 MiB: four frames of the largest default size ({@code FrameCodec.DEFAULT_MAX_FRAME_BYTES}),
     * far above anything a strategy queues for a device that reads, yet 10,000 stuck devices stay
     * within a bounded, known amount of memory.
     */
    public static final long DEFAULT_WRITE_LIMIT = 16L << 20;

    /** The defaults above. */
    public static final BackPressure DEFAULT = new BackPressure(DEFAULT_WRITE_HIGH_WATER, DEFAULT_WRITE_LOW_WATER,
            DEFAULT_WRITE_LIMIT, 0, 0);

    /** These bounds with no frame rate. */
    public BackPressure(int writeHighWater, int writeLowWater, long writeLimit, int socketBuffer) {
        this(writeHighWater, writeLowWater, writeLimit, socketBuffer, 0);
    }

    /**
     * @throws IllegalArgumentException unless 0 &lt; writeLowWater &lt; writeHighWater &lt; writeLimit and
     *                                  socketBuffer is 0 or positive
     */
    public BackPressure {
        if (frameRate < 0) {
            throw new IllegalArgumentException("frameRate must be 0 (no limit) or frames a second, got " + frameRate);
        }
        if (socketBuffer < 0) {
            throw new IllegalArgumentException("socketBuffer must be 0 (the system's choice) or a number of bytes, got "
                    + socketBuffer);
        }
        if (writeLowWater < 1) {
            throw new IllegalArgumentException("writeLowWater must be 1 byte or more, got " + writeLowWater);
        }
        if (writeHighWater <= writeLowWater) {
            throw new IllegalArgumentException("writeHighWater (" + writeHighWater
                    + " bytes) must be above writeLowWater (" + writeLowWater + " bytes)");
        }
        if (writeLimit <= writeHighWater) {
            throw new IllegalArgumentException("writeLimit (" + writeLimit + " bytes) must be above writeHighWater ("
                    + writeHighWater + " bytes)");
        }
    }

    /** These bounds with another high-water mark, and the low-water mark at half of it. */
    public BackPressure withWriteHighWater(int bytes) {
        return new BackPressure(bytes, Math.max(1, bytes / 2), writeLimit, socketBuffer, frameRate);
    }

    /** These bounds with another slow-consumer limit. */
    public BackPressure withWriteLimit(long bytes) {
        return new BackPressure(writeHighWater, writeLowWater, bytes, socketBuffer, frameRate);
    }

    /** These bounds with fixed socket buffers of this many bytes (0: the system's auto-tuning). */
    public BackPressure withSocketBuffer(int bytes) {
        return new BackPressure(writeHighWater, writeLowWater, writeLimit, bytes, frameRate);
    }

    /** These bounds with a frame rate (0: none). */
    public BackPressure withFrameRate(int framesPerSecond) {
        return new BackPressure(writeHighWater, writeLowWater, writeLimit, socketBuffer, framesPerSecond);
    }

    /** Applies {@link #socketBuffer} to Vert.x's TCP options. */
    <T extends io.vertx.core.net.TCPSSLOptions> T applyTo(T options) {
        if (socketBuffer > 0) {
            options.setSendBufferSize(socketBuffer);
            options.setReceiveBufferSize(socketBuffer);
        }
        return options;
    }
}
