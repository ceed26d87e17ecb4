package io.imr.transport.vertx;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.engine.ConnectionHandler;
import io.imr.engine.FrameChannel;
import io.imr.wire.FrameCodec;
import io.imr.wire.ProtocolException;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What TCP and WebSocket connections share: encoding on the connection's own event loop, the
 * single report of the close, and the answer to a bad frame (an error frame, then close; nothing
 * reaches the engine but the close).
 */
abstract class Connection implements FrameChannel {

    private static final Logger LOG = Logger.getLogger(Connection.class.getName());

    protected final FrameCodec codec;
    protected final Context context;
    private final WireMeter meter;
    private final String description;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean reported = new AtomicBoolean();
    private volatile ConnectionHandler handler;

    Connection(FrameCodec codec, Context context, WireMeter meter, String description) {
        this.codec = codec;
        this.context = context;
        this.meter = meter;
        this.description = description;
    }

    void handler(ConnectionHandler handler) {
        this.handler = handler;
    }

    /** Writes one encoded frame on the event loop. */
    protected abstract void write(byte[] frameBody);

    /** Closes the underlying socket. */
    protected abstract void closeSocket();

    @Override
    public void send(Frame frame) {
        if (closing.get()) {
            return;
        }
        context.runOnContext(v -> {
            if (!closing.get()) {
                writeNow(frame);
            }
        });
    }

    private void writeNow(Frame frame) {
        byte[] body;
        try {
            body = codec.encode(frame);
        } catch (RuntimeException e) {
            // A frame we cannot encode is our bug, not the peer's: say so and drop the connection.
            LOG.log(Level.SEVERE, "could not encode " + frame.type() + " for " + description, e);
            closeNow(new ErrorFrame(ErrorFrame.Code.INTERNAL, "the sender could not encode a frame"));
            return;
        }
        meter.frame(body.length, WireMeter.payloadBytes(frame), WireMeter.isConfirmation(frame) ? body.length : 0);
        write(body);
    }

    @Override
    public void close(ErrorFrame error) {
        context.runOnContext(v -> closeNow(error));
    }

    private void closeNow(ErrorFrame error) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        if (error != null) {
            try {
                write(codec.encode(error));
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "could not send the closing error frame", e);
            }
        }
        closeSocket();
    }

    /** Counts bytes that arrived, with the payload and confirmation bytes of the frames they completed. */
    protected void meterIn(int bytes, int payloadBytes, int confirmationBytes) {
        meter.frame(bytes, payloadBytes, confirmationBytes);
    }

    /** A decoded frame arrived (called on the event loop). */
    protected void arrived(Frame frame) {
        ConnectionHandler h = handler;
        if (h != null && !closing.get()) {
            h.onFrame(frame);
        }
    }

    /** The peer broke the protocol: tell it why, close, and report the close. */
    protected void protocolError(ProtocolException e) {
        LOG.fine(() -> "bad frame from " + description + ": " + e.getMessage());
        closeNow(e.toErrorFrame());
        closed("bad frame: " + e.getMessage());
    }

    /** The socket is closed (by either side); reports it once. */
    protected void closed(String reason) {
        closing.set(true);
        if (reported.compareAndSet(false, true)) {
            ConnectionHandler h = handler;
            if (h != null) {
                h.onClosed(reason);
            }
        }
    }

    @Override
    public String describe() {
        return description;
    }

    static Buffer buffer(byte[] bytes) {
        return Buffer.buffer(bytes);
    }
}
