package io.imr.embed;

import io.imr.api.option.IntOption;
import io.imr.api.option.InvalidOptionException;
import io.imr.api.option.OptionSpec;
import io.imr.transport.vertx.BackPressure;
import java.util.List;

/**
 * The transport's back-pressure options, per connection (G7 under load): a server's ({@code imr.server.NAME}) and a
 * client's ({@code imr.client.NAME}) are the same specs, each side setting its own. They make a
 * {@link BackPressure} ({@link #backPressure}); its defaults are theirs.
 */
public final class TransportOptions {

    /**
     * Bytes queued for the peer above which a connection stops reading it; it reads again at half of it (the
     * low-water mark, as {@link BackPressure#withWriteHighWater}).
     */
    public static final IntOption WRITE_HIGH_WATER = new IntOption("write-high-water",
            BackPressure.DEFAULT_WRITE_HIGH_WATER, 1 << 10, 1 << 30);
    /** Bytes queued for the peer beyond which a connection is closed as a slow consumer; above write-high-water. */
    public static final IntOption WRITE_LIMIT = new IntOption("write-limit", (int) BackPressure.DEFAULT_WRITE_LIMIT,
            2 << 10, Integer.MAX_VALUE);
    /** The kernel's send and receive buffer of each socket, in bytes; 0 leaves them to the system's auto-tuning. */
    public static final IntOption SOCKET_BUFFER = new IntOption("socket-buffer", BackPressure.DEFAULT.socketBuffer(), 0,
            1 << 30);

    /**
     * Frames a second this side reads from one connection; beyond, it stops reading until the rate allows, so TCP
     * holds the peer back ({@link BackPressure#frameRate()}); 0 for no limit.
     */
    public static final IntOption FRAME_RATE = new IntOption("frame-rate", 0, 0, 10_000_000);

    /** Every transport option. */
    public static final List<OptionSpec<?>> OPTIONS = List.of(WRITE_HIGH_WATER, WRITE_LIMIT, SOCKET_BUFFER,
            FRAME_RATE);

    private TransportOptions() {
    }

    /**
     * The bounds these options make: the low-water mark half the high one.
     *
     * @throws InvalidOptionException naming the option that is out of range, what is allowed and the value, or
     *                                when write-limit is not above write-high-water
     */
    public static BackPressure backPressure(int writeHighWater, int writeLimit, int socketBuffer, int frameRate) {
        FRAME_RATE.check(frameRate);
        WRITE_HIGH_WATER.check(writeHighWater);
        WRITE_LIMIT.check(writeLimit);
        SOCKET_BUFFER.check(socketBuffer);
        if (writeLimit <= writeHighWater) {
            throw new InvalidOptionException(WRITE_LIMIT.label() + " (" + writeLimit + " bytes) must be above "
                    + WRITE_HIGH_WATER.name() + " (" + writeHighWater + " bytes): a connection pauses at its high-water"
                    + " mark before it is closed as a slow consumer");
        }
        // The low-water mark as BackPressure.withWriteHighWater makes it.
        return new BackPressure(writeHighWater, writeHighWater / 2, writeLimit, socketBuffer, frameRate);
    }
}
