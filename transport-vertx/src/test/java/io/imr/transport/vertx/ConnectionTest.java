package io.imr.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.frame.Bye;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.engine.ConnectionHandler;
import io.imr.wire.FrameCodec;
import io.netty.channel.DefaultEventLoop;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Connection}'s back-pressure with a peer that reads nothing: every write stays queued, so what
 * is counted is exactly what was handed to the socket. Runs on a real Netty event loop, without a socket.
 */
@DisplayName("A connection's write queue and its slow-consumer limit")
class ConnectionTest {

    private static final BackPressure LIMITS = new BackPressure(4096, 2048, 8192, 0);

    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final FrameCodec codec = new FrameCodec();
    private final TransportStats stats = new TransportStats();
    private final Unread peer = new Unread(codec, loop, stats);

    @AfterEach
    void stop() throws Exception {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("a slow consumer is closed without its queue ever passing the limit, even when the closing"
            + " error frame does not fit in what is left")
    void theLimitHoldsWithTheFarewell() throws Exception {
        sendUntil(LIMITS.writeLimit() - 10);
        onLoop(() -> peer.send(byeOf(1_000)));

        assertThat(onLoop(stats::slowConsumerCloses)).isEqualTo(1);
        assertThat(onLoop(stats::maxQueuedBytes)).as("the most queued").isLessThanOrEqualTo(LIMITS.writeLimit());
        assertThat(onLoop(() -> peer.closedFor)).startsWith("slow consumer");
        assertThat(onLoop(() -> peer.closes)).isEqualTo(1);
    }

    @Test
    @DisplayName("a slow consumer with room left under the limit gets an UNAVAILABLE error frame saying why")
    void theFarewellWhenItFits() throws Exception {
        sendUntil(LIMITS.writeLimit() - 600);
        onLoop(() -> peer.send(byeOf(1_000)));

        Frame last = onLoop(() -> codec.decode(peer.written.get(peer.written.size() - 1)));
        assertThat(last).isInstanceOfSatisfying(ErrorFrame.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorFrame.Code.UNAVAILABLE);
            assertThat(e.message()).contains("waited for this device to read them");
        });
        assertThat(onLoop(stats::maxQueuedBytes)).isLessThanOrEqualTo(LIMITS.writeLimit());
        assertThat(onLoop(stats::slowConsumerCloses)).isEqualTo(1);
    }

    @Test
    @DisplayName("a frame that fits exactly is queued, and the connection stops reading above the high-water mark")
    void exactlyAtTheLimit() throws Exception {
        sendUntil(LIMITS.writeLimit());

        assertThat(onLoop(() -> peer.queuedBytes())).isEqualTo(LIMITS.writeLimit());
        assertThat(onLoop(stats::slowConsumerCloses)).isZero();
        assertThat(onLoop(() -> peer.readingPaused())).isTrue();
        assertThat(onLoop(() -> peer.closes)).isZero();
    }

    /** Queues Bye frames until exactly {@code target} bytes are queued. */
    private void sendUntil(long target) throws Exception {
        onLoop(() -> {
            peer.started();
            while (peer.queuedBytes() < target) {
                long left = target - peer.queuedBytes();
                peer.send(byeOf((int) (left > 1_000 ? 800 : left)));
            }
            return null;
        });
        assertThat(onLoop(() -> peer.queuedBytes())).isEqualTo(target);
    }

    /** A Bye frame of exactly {@code wireBytes} on the wire. */
    private Bye byeOf(int wireBytes) {
        for (int n = wireBytes; n >= 0; n--) {
            Bye bye = new Bye("x".repeat(n));
            if (FrameCodec.LENGTH_PREFIX_BYTES + codec.encode(bye).length == wireBytes) {
                return bye;
            }
        }
        throw new IllegalArgumentException("no Bye frame of " + wireBytes + " bytes");
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    private void onLoop(Runnable task) throws Exception {
        loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    /** A connection whose peer reads nothing: no write ever completes. */
    private static final class Unread extends Connection {

        final List<byte[]> written = new ArrayList<>();
        int closes;
        String closedFor;

        Unread(FrameCodec codec, DefaultEventLoop loop, TransportStats stats) {
            this(codec, loop, stats, new Streams());
        }

        private Unread(FrameCodec codec, DefaultEventLoop loop, TransportStats stats, Streams streams) {
            super(codec, loop, WireMeter.NONE, LIMITS, stats, "unread peer", streams, streams);
            handler(new ConnectionHandler() {
                @Override
                public void onFrame(Frame frame) {
                }

                @Override
                public void onClosed(String reason) {
                    closedFor = reason;
                }
            });
        }

        @Override
        protected Future<Void> write(byte[] frameBody) {
            written.add(frameBody);
            return Promise.<Void>promise().future();
        }

        @Override
        protected int wireBytes(int bodyLength) {
            return FrameCodec.LENGTH_PREFIX_BYTES + bodyLength;
        }

        @Override
        protected void closeSocket() {
            closes++;
        }

        @Override
        protected void forceCloseSocket() {
            closes++;
        }
    }

    /** The socket as read and written: never full by its own count, pausing does nothing. */
    private static final class Streams implements ReadStream<Object>, WriteStream<Object> {

        @Override
        public Streams exceptionHandler(Handler<Throwable> handler) {
            return this;
        }

        @Override
        public Streams handler(Handler<Object> handler) {
            return this;
        }

        @Override
        public Streams pause() {
            return this;
        }

        @Override
        public Streams resume() {
            return this;
        }

        @Override
        public Streams fetch(long amount) {
            return this;
        }

        @Override
        public Streams endHandler(Handler<Void> endHandler) {
            return this;
        }

        @Override
        public Future<Void> write(Object data) {
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> end() {
            return Future.succeededFuture();
        }

        @Override
        public Streams setWriteQueueMaxSize(int maxSize) {
            return this;
        }

        @Override
        public boolean writeQueueFull() {
            return false;
        }

        @Override
        public Streams drainHandler(Handler<Void> handler) {
            return this;
        }
    }
}
