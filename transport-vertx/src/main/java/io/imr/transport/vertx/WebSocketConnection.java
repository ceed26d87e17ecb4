package io.imr.transport.vertx;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.wire.FrameCodec;
import io.imr.wire.ProtocolException;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;

/** A WebSocket connection: one frame body per binary message, no length prefix. */
final class WebSocketConnection extends Connection {

    private final WebSocketBase socket;

    WebSocketConnection(WebSocketBase socket, FrameCodec codec, Context context, WireMeter meter, String description) {
        super(codec, context, meter, description);
        this.socket = socket;
    }

    /** Starts reading; call once the handler is set. */
    void start() {
        socket.binaryMessageHandler(this::onMessage);
        socket.textMessageHandler(text -> protocolError(new ProtocolException(ErrorFrame.Code.BAD_FRAME,
                "text messages are not part of the protocol; send each frame as one binary message")));
        socket.closeHandler(v -> closed("connection closed"));
        socket.exceptionHandler(e -> {
            closed("connection failed: " + e.getMessage());
            socket.close();
        });
    }

    private void onMessage(Buffer message) {
        Frame frame;
        try {
            frame = codec.decode(message.getBytes());
        } catch (ProtocolException e) {
            meterIn(message.length(), 0, 0);
            protocolError(e);
            return;
        }
        meterIn(message.length(), WireMeter.payloadBytes(frame), WireMeter.isConfirmation(frame) ? message.length() : 0);
        arrived(frame);
    }

    @Override
    protected void write(byte[] body) {
        socket.writeBinaryMessage(Buffer.buffer(body));
    }

    @Override
    protected void closeSocket() {
        socket.close();
    }

    /** The largest WebSocket message Vert.x is to accept: above ours, so our error frame answers an oversized one. */
    static int vertxLimit(FrameCodec codec) {
        return codec.maxFrameBytes() + 64 * 1024;
    }
}
