package io.imr.transport.vertx;

import io.imr.wire.FrameCodec;
import io.imr.wire.LengthPrefixedDecoder;
import io.imr.wire.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.nio.ByteBuffer;

/** A TCP connection: each frame body preceded by its 4-byte big-endian length. */
final class TcpConnection extends Connection {

    private final NetSocketInternal socket;
    private final LengthPrefixedDecoder decoder;
    /** Bytes read and not yet counted, the payload and the confirmation bytes of the frames among them. */
    private final long[] unmetered = new long[3];

    TcpConnection(NetSocket socket, FrameCodec codec, WireMeter meter, BackPressure limits, TransportStats stats,
                  String side) {
        this(internal(socket), codec, meter, limits, stats, side);
    }

    private TcpConnection(NetSocketInternal socket, FrameCodec codec, WireMeter meter, BackPressure limits,
                          TransportStats stats, String side) {
        super(codec, socket.channelHandlerContext().executor(), meter, limits, stats,
                side + " tcp " + socket.remoteAddress(), socket, socket);
        this.socket = socket;
        this.decoder = new LengthPrefixedDecoder(codec);
    }

    @Override
    public String peerHost() {
        io.vertx.core.net.SocketAddress a = socket.remoteAddress();
        return a == null || a.hostAddress() == null ? "" : a.hostAddress();
    }

    private static NetSocketInternal internal(NetSocket socket) {
        if (socket instanceof NetSocketInternal s) {
            return s;
        }
        throw new IllegalStateException("this Vert.x gives sockets of " + socket.getClass().getName()
                + ", not NetSocketInternal; imr's transport needs Vert.x 5 to bound what it queues");
    }

    /** Starts reading; call once the handler is set. */
    void start() {
        onLoop(this::begin);
    }

    private void begin() {
        socket.setWriteQueueMaxSize(limits().writeHighWater());
        socket.drainHandler(v -> drained());
        socket.handler(this::onBytes);
        socket.closeHandler(v -> socketClosed());
        socket.exceptionHandler(e -> {
            closed("connection failed: " + e.getMessage());
            socket.close();
        });
        started();
    }

    private void onBytes(Buffer buffer) {
        if (decoder.failed()) {
            return;
        }
        unmetered[0] += buffer.length();
        try {
            decoder.feed(ByteBuffer.wrap(buffer.getBytes()), frame -> {
                unmetered[1] += WireMeter.payloadBytes(frame);
                if (WireMeter.isConfirmation(frame)) {
                    // Small frames, and few: their size on the wire is their encoding and its length prefix.
                    unmetered[2] += codec.encode(frame).length + FrameCodec.LENGTH_PREFIX_BYTES;
                }
                arrived(frame);
            });
        } catch (ProtocolException e) {
            protocolError(e);
        } finally {
            // A frame's bytes come in many reads and its payload is known when its last one arrived: bytes are
            // counted with the frames they belong to, once the reads end on a frame boundary (a batch of
            // messages spans many reads; counting each read's bytes against the payloads finished in it would
            // count the payload of a large frame as control).
            if (decoder.failed() || !decoder.hasPartialFrame() || unmetered[0] > (1L << 30)) {
                meterIn((int) unmetered[0], (int) unmetered[1], (int) unmetered[2]);
                unmetered[0] = 0;
                unmetered[1] = 0;
                unmetered[2] = 0;
            }
        }
    }

    @Override
    protected Future<Void> write(byte[] body) {
        Buffer b = Buffer.buffer(FrameCodec.LENGTH_PREFIX_BYTES + body.length);
        b.appendInt(body.length);
        b.appendBytes(body);
        return socket.write(b);
    }

    @Override
    protected int wireBytes(int bodyLength) {
        return FrameCodec.LENGTH_PREFIX_BYTES + bodyLength;
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
}
