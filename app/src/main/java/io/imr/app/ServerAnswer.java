package io.imr.app;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Welcome;
import io.imr.wire.FrameCodec;
import io.imr.wire.ProtocolException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;

/**
 * What the server answered on one connection, read to its end: the frames it sent (over TCP length-prefixed, over
 * WebSocket one per binary message), the error frame among them, and how the connection ended.
 *
 * @param outcome  how it ended
 * @param error    the last error frame the server sent, or null
 * @param wsStatus the status of the server's WebSocket close frame, or -1 (none, or TCP)
 * @param frames   frames the server sent, error frames included
 * @param detail   what went wrong, for {@link Outcome#GARBLED} and {@link Outcome#NO_ANSWER}
 */
record ServerAnswer(Outcome outcome, ErrorFrame error, int wsStatus, int frames, String detail) {

    /** How a connection ended. */
    enum Outcome {
        /** An error frame, then the close. */
        ERROR_AND_CLOSE,
        /** The close without an error frame. */
        CLOSE,
        /** A reset (the server closed while bytes it had not read were waiting: the kernel says so with a RST). */
        RESET,
        /** Nothing ended it within the time given: the server holds the connection. */
        NO_ANSWER,
        /** Bytes that are not frames of the protocol. */
        GARBLED
    }

    /** The error frame's code, or null. */
    ErrorFrame.Code code() {
        return error == null ? null : error.code();
    }

    /** One line: the outcome, the code and message of the error frame, the WebSocket close status. */
    String describe() {
        return outcome + (error == null ? "" : " " + error.code() + " \"" + error.message() + "\"")
                + (wsStatus >= 0 ? " ws-close " + wsStatus : "") + (detail == null ? "" : " (" + detail + ")");
    }

    /** Reads frames of one connection as the server sends them. */
    static final class Reader {
        private final InputStream in;
        private final FrameCodec codec;
        private final boolean webSocket;
        private int wsStatus = -1;
        private int frames;
        private ErrorFrame error;

        Reader(InputStream in, FrameCodec codec, boolean webSocket) {
            this.in = in;
            this.codec = codec;
            this.webSocket = webSocket;
        }

        /**
         * The next frame, or null at the end (the stream ended, or a WebSocket close frame came).
         *
         * @throws ProtocolException for bytes that are not a frame
         */
        Frame next() throws IOException {
            Frame f = webSocket ? nextWs() : nextTcp();
            if (f != null) {
                frames++;
                if (f instanceof ErrorFrame e) {
                    error = e;
                }
            }
            return f;
        }

        /** Reads up to the welcome; null when the server ended the connection first (with an error frame, maybe). */
        Welcome welcome() throws IOException {
            Frame f;
            while ((f = next()) != null) {
                if (f instanceof Welcome w) {
                    return w;
                }
                if (f instanceof ErrorFrame) {
                    return null;
                }
            }
            return null;
        }

        private Frame nextTcp() throws IOException {
            int b0 = in.read();
            if (b0 < 0) {
                return null;
            }
            byte[] rest = in.readNBytes(3);
            if (rest.length < 3) {
                throw new EOFException("the stream ends inside a length prefix");
            }
            long length = Integer.toUnsignedLong(b0 << 24 | (rest[0] & 0xFF) << 16 | (rest[1] & 0xFF) << 8
                    | (rest[2] & 0xFF));
            if (length > codec.maxFrameBytes()) {
                throw new ProtocolException(ErrorFrame.Code.BAD_FRAME, "the server declared a frame of " + length
                        + " bytes");
            }
            byte[] body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new EOFException("the stream ends inside a frame");
            }
            return codec.decode(body);
        }

        private Frame nextWs() throws IOException {
            while (true) {
                RawWebSocket.ServerFrame f = RawWebSocket.read(in);
                if (f == null) {
                    return null;
                }
                switch (f.opcode()) {
                    case RawWebSocket.BINARY:
                        return codec.decode(f.payload());
                    case RawWebSocket.CLOSE:
                        wsStatus = f.closeStatus();
                        return null;
                    case RawWebSocket.PING, 0xA:
                        continue;
                    default:
                        throw new ProtocolException(ErrorFrame.Code.BAD_FRAME, "the server sent a WebSocket frame of"
                                + " opcode " + f.opcode());
                }
            }
        }

        /** Reads to the end and says how the connection ended. */
        ServerAnswer toEnd() {
            try {
                while (next() != null) {
                    // every frame is counted, the error frame kept
                }
                return answer(error == null ? Outcome.CLOSE : Outcome.ERROR_AND_CLOSE, null);
            } catch (SocketTimeoutException e) {
                return answer(Outcome.NO_ANSWER, "nothing ended the connection in time");
            } catch (ProtocolException | EOFException e) {
                return answer(Outcome.GARBLED, e.getMessage());
            } catch (IOException e) {
                return answer(Outcome.RESET, e.getMessage());
            }
        }

        /** What was read so far, as an answer of this outcome. */
        ServerAnswer answer(Outcome outcome, String detail) {
            return new ServerAnswer(outcome, error, wsStatus, frames, detail);
        }
    }
}
