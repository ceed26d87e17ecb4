package io.imr.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.frame.Frame;
import io.imr.api.frame.Ping;
import io.imr.engine.ConnectionHandler;
import io.imr.wire.FrameCodec;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The frame rate ({@link BackPressure#frameRate()}): a peer that writes faster is read at the rate, with nothing
 * dropped, answered or closed for it; TCP's flow control holds it back. A connection without a rate is never held
 * back by one. (The time asserted is the limiter's floor, a behaviour; how fast reading is, the benchmarks say.)
 */
class FrameRateTest {

    private static final int FRAMES = 30_000;

    private final Vertx vertx = Vertx.vertx();
    private final FrameCodec codec = new FrameCodec();
    private final AtomicInteger received = new AtomicInteger();
    private final AtomicLong last = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private VertxServerTransport transport;

    @AfterEach
    void close() {
        transport.close();
        vertx.close().await();
    }

    private int listen(BackPressure limits) {
        transport = new VertxServerTransport(vertx, codec, channel -> new ConnectionHandler() {
            @Override
            public void onFrame(Frame frame) {
                received.incrementAndGet();
                last.set(System.nanoTime());
            }

            @Override
            public void onClosed(String reason) {
                closed.set(true);
            }
        }, WireMeter.NONE, limits);
        return transport.listenTcp("127.0.0.1", 0).await().getPort();
    }

    /** Writes every frame at once; returns the seconds until the server had handled the last. */
    private double flood(int port) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < FRAMES; i++) {
            byte[] body = codec.encode(new Ping(i));
            b.writeBytes(ByteBuffer.allocate(4).putInt(body.length).array());
            b.writeBytes(body);
        }
        try (Socket s = new Socket("127.0.0.1", port)) {
            long t0 = System.nanoTime();
            OutputStream out = s.getOutputStream();
            out.write(b.toByteArray());
            out.flush();
            long deadline = t0 + 30_000_000_000L;
            while (received.get() < FRAMES && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(received.get()).as("every frame handled, none dropped").isEqualTo(FRAMES);
            assertThat(closed.get()).as("the connection is not closed for its pace").isFalse();
            return (last.get() - t0) / 1e9;
        }
    }

    @Test
    void aPeerFasterThanTheFrameRateIsReadAtTheRate() throws Exception {
        double seconds = flood(listen(BackPressure.DEFAULT.withFrameRate(5_000)));
        // A second's worth at once (5,000), then 5,000 a second: the last of 30,000 (about 570 KB, many reads) about
        // 5 s in, less the frames of the last read, which are handled at once (the debt they leave is paid back
        // before the next read).
        assertThat(seconds).as("seconds to handle 30,000 frames at 5,000 a second").isGreaterThan(3.0);
        assertThat(transport.stats().ratePauses()).as("times the rate stopped reading").isPositive();
    }

    @Test
    void withoutAFrameRateAPeerIsNeverHeldBack() throws Exception {
        flood(listen(BackPressure.DEFAULT)); // every frame handled, the connection open
        assertThat(transport.stats().ratePauses()).as("times a rate stopped reading").isZero();
    }
}
