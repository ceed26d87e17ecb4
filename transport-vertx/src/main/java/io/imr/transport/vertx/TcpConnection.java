package io.imr.transport.vertx;

import io.imr.wire.FrameCodec;
import io.imr.wire.LengthPrefixedDecoder;
import io.imr.wire.ProtocolException;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.ByteBuffer;

/** A TCP connection: each frame body preceded by its 4-byte big-endian length. */
final class TcpConnection extends Connection {

    private final NetSocket socket;
    private final LengthPrefixedDecoder decoder;

    TcpConnection(NetSocket socket, FrameCodec codec, Context context, WireMeter meter, String side) {
        super(codec, context, meter, side + " tcp " + socket.remoteAddress());
        this.socket = socket;
        this.decoder = new LengthPrefixedDecoder(codec);
    }

    /** Starts reading; call once the handler is set. */
    void start() {
        socket.handler(this::onBytes);
        socket.closeHandler(v -> closed("connection closed"));
        socket.exceptionHandler(e -> {
            closed("connection failed: " + e.getMessage());
            socket.close();
        });
    }

    private void onBytes(Buffer buffer) {
        if (decoder.failed()) {
            return;
        }
        int[] counted = {0, 0};
        try {
            decoder.feed(ByteBuffer.wrap(buffer.getBytes()), frame -> {
                counted[0] += WireMeter.payloadBytes(frame);
                if (WireMeter.isConfirmation(frame)) {
                    // Small frames, and few: their size on the wire is their encoding and its length prefix.
                    counted[1] += codec.encode(frame).length + FrameCodec.LENGTH_PREFIX_BYTES;
                }
                arrived(frame);
            });
        } catch (ProtocolException e) {
            protocolError(e);
        } finally {
            meterIn(buffer.length(), counted[0], counted[1]);
        }
    }

    @Override
    protected void write(byte[] body) {
        Buffer b = Buffer.buffer(FrameCodec.LENGTH_PREFIX_BYTES + body.length);
        b.appendInt(body.length);
        b.appendBytes(body);
        socket.write(b);
    }

    @Override
    protected void closeSocket() {
        socket.close();
    }
}
