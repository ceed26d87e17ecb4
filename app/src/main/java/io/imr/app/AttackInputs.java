package io.imr.app;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Ping;
import io.imr.api.frame.Pong;
import io.imr.api.frame.Pull;
import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Bye;
import io.imr.api.frame.Send;
import io.imr.wire.FrameCodec;
import io.imr.wire.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The bytes one connection of an attack class writes, and the answer the server owes a probe: the frames of
 * {@link FrameMutator}, framed for TCP (length prefix) or WebSocket (one binary message each), many to a connection
 * (pipelined) or, for a probe, exactly one bad frame whose answer is predicted with the real codec.
 */
final class AttackInputs {

    /** The attack classes that write frames (the held connections are {@link HeldConnections}, {@link NeverReaders}). */
    enum Kind {
        RANDOM("random-bytes"),
        MUTATED("mutated"),
        TRUNCATED("truncated"),
        OVERSIZED("oversized"),
        LENGTH_2GIB("length-2GiB"),
        BEFORE_HELLO("before-hello"),
        BAD_VERSION("bad-version");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /**
     * What one connection writes.
     *
     * @param hello    whether it says a valid hello first and waits for the welcome before {@code bytes}
     * @param bytes    what it writes (after the WebSocket upgrade, and the hello), framed for its transport
     * @param frames   fuzz frames among the bytes
     * @param expected the error code the server must answer a probe with, or null when it is not predicted
     * @param large    whether it is large enough (a 4 MiB WebSocket message) that under load the hello timeout may
     *                 pass before the server has it all: the timeout's NOT_ALLOWED is then the right answer too
     */
    record Attempt(boolean hello, byte[] bytes, int frames, ErrorFrame.Code expected, boolean large) {
    }

    /** WebSocket messages above this are refused by Vert.x itself, before imr sees them. */
    private final int vertxLimit;
    private final FrameMutator m;
    private final FrameCodec codec;
    private final int batch;
    /** A shared buffer of zeros for oversized WebSocket messages (their content never matters). */
    private final byte[] zeros;

    /**
     * @param batch frames a pipelined connection writes
     */
    AttackInputs(FrameMutator mutator, int batch) {
        this.m = mutator;
        this.codec = mutator.codec();
        this.batch = batch;
        // As WebSocketConnection.vertxLimit: the codec's limit and 64 KiB.
        this.vertxLimit = codec.maxFrameBytes() + 64 * 1024;
        this.zeros = new byte[vertxLimit + 8192];
    }

    /** The bytes of one connection of this class, over WebSocket or TCP; a probe holds exactly one bad frame. */
    Attempt next(Kind kind, boolean webSocket, boolean probe) {
        int n = probe ? 1 : batch;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ErrorFrame.Code expected = null;
        boolean hello = false;
        switch (kind) {
            case RANDOM -> {
                for (int i = 0; i < n; i++) {
                    byte[] b = m.randomBytes(webSocket ? 1 + m.nextInt(64) : 4 + m.nextInt(61));
                    if (probe && !webSocket) {
                        // A random prefix within the limit waits for its body (rare): probe one the server answers now.
                        while (withinLimit(b)) {
                            b = m.randomBytes(4 + m.nextInt(61));
                        }
                    }
                    out.writeBytes(webSocket ? RawWebSocket.binary(b) : b);
                    expected = probe ? (webSocket ? expect(b, false) : ErrorFrame.Code.BAD_FRAME) : null;
                }
            }
            case MUTATED -> {
                hello = m.nextInt(2) == 0;
                for (int i = 0; i < n; i++) {
                    byte[] b = mutated(hello, probe);
                    out.writeBytes(frame(b, webSocket));
                    expected = probe ? expect(b, hello) : null;
                }
            }
            case TRUNCATED -> {
                for (int i = 0; i < n; i++) {
                    byte[] whole = codec.encode(m.validFrame());
                    byte[] cut = m.truncate(whole);
                    if (webSocket) {
                        out.writeBytes(RawWebSocket.binary(cut));
                        expected = probe ? expect(cut, false) : null;
                    } else if (probe) {
                        // Its declared body is made whole with zeros, so that the server reads one body and answers.
                        byte[] padded = Arrays.copyOf(cut, whole.length);
                        out.writeBytes(FrameMutator.withLength(padded));
                        expected = expect(padded, false);
                    } else {
                        // The length of the whole frame, the bytes of a part: the next frame's bytes fill the body.
                        out.writeBytes(FrameMutator.withLength(whole.length, cut));
                    }
                }
            }
            case OVERSIZED -> {
                if (webSocket) {
                    // One message above the limit (at most one a connection: 4 MiB each); above Vert.x's own limit
                    // at times, and now and then in fragments, each below the limit.
                    int size = codec.maxFrameBytes() + 1 + m.nextInt(vertxLimit - codec.maxFrameBytes() + 4096);
                    out.writeBytes(oversizedWs(size, m.nextInt(4) == 0));
                    n = 1;
                    // Up to Vert.x's limit imr's codec refuses it, above it Vert.x does: BAD_FRAME either way.
                    expected = probe ? ErrorFrame.Code.BAD_FRAME : null;
                } else {
                    for (int i = 0; i < n; i++) {
                        out.writeBytes(FrameMutator.withLength(m.oversizedLength(), m.randomBytes(16)));
                    }
                    expected = probe ? ErrorFrame.Code.BAD_FRAME : null;
                }
            }
            case LENGTH_2GIB -> {
                for (int i = 0; i < n; i++) {
                    int huge = m.hugeLength();
                    out.writeBytes(webSocket ? RawWebSocket.header(true, RawWebSocket.BINARY,
                            Integer.toUnsignedLong(huge)) : FrameMutator.withLength(huge, new byte[0]));
                    out.writeBytes(m.randomBytes(16));
                }
                // Over TCP imr reads the prefix itself; over WebSocket Vert.x reads the frame header first and refuses
                // it, which the transport answers the same way.
                expected = probe ? ErrorFrame.Code.BAD_FRAME : null;
            }
            case BEFORE_HELLO -> {
                for (int i = 0; i < n; i++) {
                    out.writeBytes(frame(codec.encode(m.validNonHello()), webSocket));
                }
                expected = probe ? ErrorFrame.Code.NOT_ALLOWED : null;
            }
            case BAD_VERSION -> {
                for (int i = 0; i < n; i++) {
                    out.writeBytes(frame(m.badVersionHello(), webSocket));
                }
                expected = probe ? ErrorFrame.Code.UNSUPPORTED_VERSION : null;
            }
            default -> throw new IllegalArgumentException(kind.toString());
        }
        return new Attempt(hello, out.toByteArray(), n, expected, kind == Kind.OVERSIZED && webSocket);
    }

    /**
     * A mutated frame. After a hello, one that is still a valid send is made again: it would be a message of the
     * fuzzer's own (stored, as any device's), and the check is that the server stores nothing but the legitimate
     * messages. A probe's frame is one the server must refuse.
     */
    private byte[] mutated(boolean afterHello, boolean probe) {
        while (true) {
            byte[] b = m.mutate(codec.encode(afterHello ? m.validNonHello() : m.validFrame()));
            Frame decoded = decodeOrNull(b);
            if (afterHello && decoded instanceof Send) {
                continue;
            }
            if (probe && expect(b, afterHello) == null) {
                continue;
            }
            return b;
        }
    }

    private Frame decodeOrNull(byte[] body) {
        try {
            return codec.decode(body);
        } catch (ProtocolException e) {
            return null;
        }
    }

    /**
     * The error the server must answer with when this body is the first frame of a connection ({@code welcomed}
     * false) or comes after its welcome, or null when it is a frame the session goes on with.
     */
    ErrorFrame.Code expect(byte[] body, boolean welcomed) {
        Frame f;
        try {
            f = codec.decode(body);
        } catch (ProtocolException e) {
            return e.code();
        }
        if (!welcomed) {
            if (f instanceof Hello h) {
                return h.protocolVersion() != Frame.PROTOCOL_VERSION ? ErrorFrame.Code.UNSUPPORTED_VERSION : null;
            }
            return ErrorFrame.Code.NOT_ALLOWED;
        }
        boolean deviceFrame = f instanceof Ping || f instanceof Pong || f instanceof Pull || f instanceof Ack
                || f instanceof AckUpTo || f instanceof Send || f instanceof Bye;
        // A device's frames with fields of its own (a pull, an ack of seqs) may still be refused by its strategy;
        // those are not predicted.
        return deviceFrame ? null : ErrorFrame.Code.NOT_ALLOWED;
    }

    private boolean withinLimit(byte[] tcpBytes) {
        long length = Integer.toUnsignedLong((tcpBytes[0] & 0xFF) << 24 | (tcpBytes[1] & 0xFF) << 16
                | (tcpBytes[2] & 0xFF) << 8 | (tcpBytes[3] & 0xFF));
        return length >= FrameCodec.ENVELOPE_BYTES && length <= codec.maxFrameBytes();
    }

    private static byte[] frame(byte[] body, boolean webSocket) {
        return webSocket ? RawWebSocket.binary(body) : FrameMutator.withLength(body);
    }

    private byte[] oversizedWs(int size, boolean fragmented) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 64);
        if (!fragmented) {
            out.writeBytes(RawWebSocket.header(true, RawWebSocket.BINARY, size));
            out.write(zeros, 0, size);
            return out.toByteArray();
        }
        int piece = 1 << 20;
        int sent = 0;
        while (sent < size) {
            int len = Math.min(piece, size - sent);
            boolean last = sent + len == size;
            out.writeBytes(RawWebSocket.header(last, sent == 0 ? RawWebSocket.BINARY : RawWebSocket.CONTINUATION, len));
            out.write(zeros, 0, len);
            sent += len;
        }
        return out.toByteArray();
    }
}
