package io.imr.embed;

import io.imr.api.option.IntOption;
import io.imr.api.option.OptionSpec;
import io.imr.wire.FrameCodec;
import java.util.List;

/**
 * The wire's options, which an embedded client and server share ({@code imr.wire.NAME}); their range is the
 * codec's own.
 */
public final class WireOptions {

    /** The largest frame accepted, in bytes. */
    public static final IntOption MAX_FRAME_BYTES = new IntOption("max-frame-bytes", FrameCodec.DEFAULT_MAX_FRAME_BYTES,
            FrameCodec.MIN_MAX_FRAME_BYTES, FrameCodec.MAX_MAX_FRAME_BYTES);

    /** Every wire option. */
    public static final List<OptionSpec<?>> OPTIONS = List.of(MAX_FRAME_BYTES);

    private WireOptions() {
    }
}
