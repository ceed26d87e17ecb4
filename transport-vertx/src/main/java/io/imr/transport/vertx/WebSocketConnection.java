package io.imr.transport.vertx;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.wire.FrameCodec;
import io.imr.wire.ProtocolException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.internal.http.WebSocketInternal;

/** A WebSocket connection: one frame body per binary message, no length prefix. */
final class WebSocketConnection extends Connection {

    private final WebSocketInternal socket;
    private final boolean masked;

    /**
     * @param masked whether this side masks what it sends (a WebSocket client does; 4 more bytes a frame)
     */
    WebSocketConnection(WebSocketBase socket, FrameCodec codec, WireMeter meter, BackPressure limits,
                        TransportStats stats, String description, boolean masked) {
        this(internal(socket), codec, meter, limits, stats, description, masked);
    }

    private WebSocketConnection(WebSocketInternal socket, FrameCodec codec, WireMeter meter, BackPressure limits,
                                TransportStats stats, String description, boolean masked) {
        super(codec, socket.channelHandlerContext().executor(), meter, limits, stats, description,
                socket, socket);
        this.socket = socket;
        this.masked = masked;
    }

    @Override
    public String peerHost() {
        io.vertx.core.net.SocketAddress a = socket.remoteAddress();
        return a == null || a.hostAddress() == null ? "" : a.hostAddress();
    }

    private static WebSocketInternal internal(WebSocketBase socket) {
        if (socket instanceof WebSocketInternal s) {
            return s;
        }
        throw new IllegalStateException("this Vert.x gives WebSockets of " + socket.getClass().getName()
                + ", not WebSocketInternal; imr's transport needs Vert.x 5 to bound what it queues");
    }

    /** Starts reading; call once the handler is set. */
    void start() {
        onLoop(this::begin);
    }

    private void begin() {
        socket.setWriteQueueMaxSize(limits().writeHighWater());
        socket.drainHandler(v -> drained());
        socket.binaryMessageHandler(this::onMessage);
        socket.textMessageHandler(text -> protocolError(new ProtocolException(ErrorFrame.Code.BAD_FRAME,
                "text messages are not part of the protocol; send each frame as one binary message")));
        socket.closeHandler(v -> socketClosed());
        socket.exceptionHandler(e -> {
            if (e instanceof CorruptedWebSocketFrameException || tooLargeMessage(e)) {
                // A frame or message Vert.x refused before it became a message for us (too large, a length of 2 GiB,
                // fragments past the limit, a bad opcode): answered as every bad frame is, with an error frame, then
                // the close.
                protocolError(new ProtocolException(ErrorFrame.Code.BAD_FRAME, "bad WebSocket frame: " + e.getMessage()));
                return;
            }
            closed("connection failed: " + e.getMessage());
            socket.close();
        });
        started();
    }

    /** Vert.x's refusal of fragments that add up to more than its message limit (it says so only in words). */
    private static boolean tooLargeMessage(Throwable e) {
        return e instanceof IllegalStateException && e.getMessage() != null
                && e.getMessage().contains("to overflow max message size");
    }

    /** Messages a closing WebSocket drops before it closes its socket without waiting for the peer's answer. */
    static final int MAX_DROPPED_WHILE_CLOSING = 256;

    private int droppedWhileClosing;

    private void onMessage(Buffer message) {
        if (isClosing()) {
            // Vert.x hands over what it had read already: after a bad frame or a close, nothing more is decoded. A
            // closing WebSocket reads on only to see the peer's answer to its close frame; a peer that keeps
            // writing instead is cut off rather than read at full speed until the close's grace ends.
            if (++droppedWhileClosing > MAX_DROPPED_WHILE_CLOSING) {
                forceCloseSocket();
            }
            return;
        }
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
    protected Future<Void> write(byte[] body) {
        return socket.writeBinaryMessage(Buffer.buffer(body));
    }

    @Override
    protected int wireBytes(int bodyLength) {
        int header = bodyLength < 126 ? 2 : bodyLength < 65_536 ? 4 : 10;
        return bodyLength + header + (masked ? 4 : 0);
    }

    @Override
    protected boolean pausedWhileClosing() {
        return false;
    }

    @Override
    protected void closeSocket() {
        socket.close();
    }

    @Override
    protected void forceCloseSocket() {
        // Through Vert.x's own handler context: channel().close() would come back to Vert.x's graceful close,
        // which waits for the queued bytes to flush, and a peer that does not read never lets them.
        socket.channelHandlerContext().close();
    }

    /** The largest WebSocket message Vert.x is to accept: above ours, so our error frame answers an oversized one. */
    static int vertxLimit(FrameCodec codec) {
        return codec.maxFrameBytes() + 64 * 1024;
    }
}
