package io.imr.transport.vertx;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.engine.ConnectionHandler;
import io.imr.engine.FrameChannel;
import io.imr.engine.TokenBucket;
import io.imr.wire.FrameCodec;
import io.imr.wire.ProtocolException;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What TCP and WebSocket connections share: encoding on the connection's own event loop, the
 * single report of the close, the answer to a bad frame (an error frame, then close; nothing
 * reaches the engine but the close), and back-pressure ({@link BackPressure}).
 *
 * <p>Back-pressure: each frame is counted in bytes from its encoding until Vert.x reports it
 * written (its write future); above the high-water mark, or while Vert.x says its write queue is
 * full, the connection stops reading its peer, and reads again at the low-water mark (checked as
 * each write completes and in Vert.x's drain handler). The engine may also pause reading
 * ({@link #pauseReading}), nested. A frame that would take the queue past the limit closes the
 * connection as a slow consumer. Every close that waits for queued bytes to flush (a peer that does
 * not read never lets them), and every WebSocket close that waits for the peer's answer, is forced
 * after {@link #CLOSE_GRACE_MILLIS}. With a frame rate ({@link BackPressure#frameRate()}) the
 * connection also stops reading while its peer is ahead of the rate.
 *
 * <p>All state but the engine's pause count and the two close flags belongs to the socket's event
 * loop; calls from other threads hop onto it.
 */
abstract class Connection implements FrameChannel {

    private static final Logger LOG = Logger.getLogger(Connection.class.getName());

    /** How long a close may wait for queued bytes to reach the peer before the socket is closed at once. */
    static final long CLOSE_GRACE_MILLIS = 2_000;

    protected final FrameCodec codec;
    private final EventExecutor loop;
    private final WireMeter meter;
    private final BackPressure limits;
    private final TransportStats stats;
    private final String description;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean reported = new AtomicBoolean();
    private final AtomicInteger enginePauses = new AtomicInteger();
    private volatile ConnectionHandler handler;

    // Event loop only.
    private final TokenBucket frames;
    private boolean ratePaused;
    /** The forced close after the grace, cancelled when the socket closes first (it would hold the connection). */
    private io.netty.util.concurrent.ScheduledFuture<?> grace;
    /** The frame rate's resume, cancelled when the connection closes: it would hold the connection until it ran. */
    private io.netty.util.concurrent.ScheduledFuture<?> rateResume;
    private long queued;
    private boolean writePaused;
    private boolean readingPaused;
    private boolean started;

    /**
     * @param reading the Vert.x socket (a {@code NetSocket} or a WebSocket) as what this class pauses and resumes
     * @param writing the same socket, whose own view of its write queue this class reads
     */
    Connection(FrameCodec codec, EventExecutor loop, WireMeter meter, BackPressure limits, TransportStats stats,
               String description, ReadStream<?> reading, WriteStream<?> writing) {
        this.reading = reading;
        this.writing = writing;
        this.codec = codec;
        this.loop = loop;
        this.meter = meter;
        this.limits = limits;
        this.stats = stats;
        this.description = description;
        this.frames = limits.frameRate() == 0 ? null
                : new TokenBucket(limits.frameRate(), limits.frameRate(), System.nanoTime());
    }

    /** The bounds this connection keeps. */
    protected BackPressure limits() {
        return limits;
    }

    void handler(ConnectionHandler handler) {
        this.handler = handler;
    }

    /** Writes bytes on the event loop; the future completes once they are written to the socket (or dropped). */
    protected abstract Future<Void> write(byte[] frameBody);

    /** The bytes a frame body takes on the wire (its body and framing). */
    protected abstract int wireBytes(int bodyLength);

    private final ReadStream<?> reading;
    private final WriteStream<?> writing;

    /**
     * Whether Vert.x's own view of the socket's write queue is that it is full. A closed socket queues nothing: a
     * closed WebSocket throws when asked (as each frame still queued at the close fails its write and comes here).
     */
    private boolean socketWriteQueueFull() {
        try {
            return writing.writeQueueFull();
        } catch (IllegalStateException closed) {
            return false;
        }
    }

    /** Stops reading the socket (event loop). */
    private void pauseSocket() {
        reading.pause();
    }

    /** Reads the socket again (event loop). */
    private void resumeSocket() {
        reading.resume();
    }

    /**
     * Whether a closing connection stops reading its peer: a TCP connection has nothing more to read once it closes;
     * a WebSocket reads on, for the peer's answer to its close frame ends the close (its messages are dropped
     * unread). One that does not answer is closed anyway after {@link #CLOSE_GRACE_MILLIS}.
     */
    protected boolean pausedWhileClosing() {
        return true;
    }

    /** Closes the underlying socket once what is queued is written. */
    protected abstract void closeSocket();

    /** Closes the underlying socket now, dropping what is queued. */
    protected abstract void forceCloseSocket();

    /** Call on the event loop once the socket's handlers are set: reading starts (unless paused already). */
    protected void started() {
        started = true;
        applyReading();
    }

    /** Vert.x's drain handler: its write queue has room again. */
    protected void drained() {
        checkResume();
    }

    @Override
    public void send(Frame frame) {
        if (closing.get()) {
            return;
        }
        onLoop(() -> {
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
        int size = wireBytes(body.length);
        if (!fits(size)) {
            slowConsumer(size);
            return;
        }
        meter.frame(body.length, WireMeter.payloadBytes(frame), WireMeter.isConfirmation(frame) ? body.length : 0);
        queue(body, size);
        if (!writePaused && (queued > limits.writeHighWater() || socketWriteQueueFull())) {
            writePaused = true;
            stats.writePause();
            applyReading();
        }
    }

    /** Whether a frame of {@code size} bytes may be queued: into an empty queue always, else up to the limit. */
    private boolean fits(int size) {
        return queued == 0 || queued + size <= limits.writeLimit();
    }

    /** Hands bytes to Vert.x, counted until written. */
    private void queue(byte[] body, int size) {
        queued += size;
        stats.queued(queued, size);
        write(body).onComplete(ar -> {
            queued -= size;
            stats.written(size);
            checkResume();
        });
    }

    private void checkResume() {
        if (writePaused && queued <= limits.writeLowWater() && !socketWriteQueueFull()) {
            writePaused = false;
            applyReading();
        }
    }

    /** The peer does not read what we queue: close it rather than grow (as NATS does with slow consumers). */
    private void slowConsumer(int size) {
        stats.slowConsumer();
        String reason = "slow consumer: " + queued + " bytes queued for a peer that does not read them, and "
                + size + " more would pass the limit of " + limits.writeLimit() + " bytes";
        LOG.warning(() -> "closing " + description + ": " + reason);
        closeNow(new ErrorFrame(ErrorFrame.Code.UNAVAILABLE, "the server closed this connection: " + queued
                + " bytes waited for this device to read them; reconnect and continue from your cursor"));
        closed(reason);
    }

    @Override
    public void pauseReading() {
        if (enginePauses.getAndIncrement() == 0) {
            stats.enginePause();
        }
        onLoop(this::applyReading);
    }

    @Override
    public void resumeReading() {
        if (enginePauses.decrementAndGet() < 0) {
            enginePauses.incrementAndGet();
            LOG.severe(() -> "resumeReading without pauseReading on " + description + "; ignored");
            return;
        }
        onLoop(this::applyReading);
    }

    /**
     * Reads or stops reading as the state says now. Runs on the event loop after every change, so the
     * last run sees the last state whatever order the hops came in.
     */
    private void applyReading() {
        if (!started || reported.get()) {
            return;
        }
        // A closing connection reads or not by its kind alone: a WebSocket must see the peer's answer to its close
        // frame whatever else held it back (the engine releases its pause only once the close is reported).
        boolean pause = closing.get() ? pausedWhileClosing()
                : writePaused || ratePaused || enginePauses.get() > 0;
        if (pause == readingPaused) {
            return;
        }
        readingPaused = pause;
        stats.paused(pause);
        if (pause) {
            pauseSocket();
        } else {
            resumeSocket();
        }
    }

    /** Runs a task on the socket's event loop: now if called there, else after what is queued there. */
    protected void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // Vert.x is shutting down: the socket goes with it, and so does whatever was to be done on it.
            LOG.fine(() -> "event loop of " + description + " is shut down: " + e.getMessage());
        }
    }

    /** Whether this connection is being closed (by either side): what it still receives is not for anyone. */
    protected boolean isClosing() {
        return closing.get();
    }

    /** Whether the engine or the write queue keeps this connection from reading now (event loop). */
    boolean readingPaused() {
        return readingPaused;
    }

    /** Bytes queued for the peer now (event loop). */
    long queuedBytes() {
        return queued;
    }

    @Override
    public void close(ErrorFrame error) {
        onLoop(() -> closeNow(error));
    }

    private void closeNow(ErrorFrame error) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        applyReading();
        if (error != null) {
            try {
                byte[] body = codec.encode(error);
                int size = wireBytes(body.length);
                // The farewell keeps the limit too: a peer that let the queue fill up is closed without it.
                if (fits(size)) {
                    queue(body, size);
                } else {
                    LOG.fine(() -> "closing " + description + " without its error frame: " + queued + " bytes queued");
                }
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "could not send the closing error frame", e);
            }
        }
        closeSocket();
        if (queued > 0 || !pausedWhileClosing()) {
            // A peer that does not read never lets the queued bytes flush, and a graceful close waits for them; a
            // WebSocket peer that never answers the close frame would hold the socket for Vert.x's closing timeout.
            try {
                grace = loop.schedule(() -> {
                    grace = null;
                    if (queued > 0 || !pausedWhileClosing()) { // closing a closed socket again does nothing
                        LOG.fine(() -> "forcing the close of " + description + ": " + queued + " bytes still unread");
                        forceCloseSocket();
                    }
                }, CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                forceCloseSocket(); // the event loop is shutting down: no grace to give
            }
        }
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
        if (frames != null && !closing.get()) {
            takeFrameToken();
        }
    }

    /**
     * The frame rate ({@link BackPressure#frameRate()}): each frame read takes a token, into debt if need be (the
     * frames of a read already made are handled); once the bucket is empty the connection stops reading until the
     * debt is paid back and a token is there, so the peer's average stays at the rate whatever its reads hold.
     */
    private void takeFrameToken() {
        long now = System.nanoTime();
        frames.charge(now);
        long wait = frames.untilNext(now);
        if (wait == 0 || ratePaused) {
            return;
        }
        ratePaused = true;
        stats.ratePause();
        applyReading();
        try {
            rateResume = loop.schedule(() -> {
                rateResume = null;
                ratePaused = false;
                applyReading();
            }, wait, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the event loop is shutting down, and the socket with it
        }
    }

    /** The peer broke the protocol: tell it why, close, and report the close. */
    protected void protocolError(ProtocolException e) {
        LOG.fine(() -> "bad frame from " + description + ": " + e.getMessage());
        closeNow(e.toErrorFrame());
        closed("bad frame: " + e.getMessage());
    }

    /** Vert.x's close handler: the socket is closed, and nothing scheduled for it needs to run. */
    protected void socketClosed() {
        io.netty.util.concurrent.ScheduledFuture<?> g = grace;
        if (g != null) {
            grace = null;
            g.cancel(false);
        }
        closed("connection closed");
    }

    /** The socket is closed (by either side); reports it once. */
    protected void closed(String reason) {
        closing.set(true);
        io.netty.util.concurrent.ScheduledFuture<?> resume = rateResume;
        if (resume != null) {
            rateResume = null;
            resume.cancel(false);
        }
        if (reported.compareAndSet(false, true)) {
            if (readingPaused) {
                readingPaused = false;
                stats.paused(false);
            }
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
