package io.imr.transport.vertx;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the connections of one transport (a server's, or a client's connector) hold back now and
 * have pushed back so far: bytes queued for peers, connections not being read, slow consumers closed.
 * Thread-safe; read it from anywhere, or {@link #register} it as meters.
 */
public final class TransportStats {

    /** Bytes queued for peers now, on all connections (gauge). */
    public static final String QUEUED_BYTES = "imr.transport.queued.bytes";
    /** The most bytes one connection has had queued at once (gauge). */
    public static final String QUEUED_BYTES_MAX = "imr.transport.queued.bytes.max";
    /** Connections not being read now, for any reason (gauge). */
    public static final String PAUSED = "imr.transport.paused";
    /** Times a connection stopped reading its peer because its write queue passed the high-water mark. */
    public static final String WRITE_PAUSES = "imr.transport.write.pauses";
    /** Times the engine asked a connection to stop reading (its queue of the connection's frames was full). */
    public static final String ENGINE_PAUSES = "imr.transport.engine.pauses";
    /** Times a connection stopped reading its peer because the peer sent faster than the frame rate. */
    public static final String RATE_PAUSES = "imr.transport.rate.pauses";
    /** Connections closed because their peer did not read what was queued for it (slow consumers). */
    public static final String SLOW_CONSUMERS = "imr.transport.slow.consumers";

    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong queuedMax = new AtomicLong();
    private final AtomicLong paused = new AtomicLong();
    private final AtomicLong writePauses = new AtomicLong();
    private final AtomicLong enginePauses = new AtomicLong();
    private final AtomicLong ratePauses = new AtomicLong();
    private final AtomicLong slowConsumers = new AtomicLong();

    /** Bytes queued for peers now, on all connections. */
    public long queuedBytes() {
        return queued.get();
    }

    /** The most bytes one connection has had queued at once since this transport started. */
    public long maxQueuedBytes() {
        return queuedMax.get();
    }

    /** Connections not being read now. */
    public long pausedConnections() {
        return paused.get();
    }

    /** Times a connection stopped reading because of its write queue. */
    public long writePauses() {
        return writePauses.get();
    }

    /** Times the engine asked a connection to stop reading. */
    public long enginePauses() {
        return enginePauses.get();
    }

    /** Times a connection stopped reading because its peer sent faster than the frame rate. */
    public long ratePauses() {
        return ratePauses.get();
    }

    /** Connections closed as slow consumers. */
    public long slowConsumerCloses() {
        return slowConsumers.get();
    }

    /**
     * Registers these figures in a registry, with the tag {@code side} ({@code server} or {@code client}).
     *
     * @return this
     */
    public TransportStats register(MeterRegistry registry, String side) {
        Gauge.builder(QUEUED_BYTES, queued, AtomicLong::get).baseUnit("bytes").tag("side", side)
                .description("bytes queued for peers now").register(registry);
        Gauge.builder(QUEUED_BYTES_MAX, queuedMax, AtomicLong::get).baseUnit("bytes").tag("side", side)
                .description("the most bytes one connection had queued at once").register(registry);
        Gauge.builder(PAUSED, paused, AtomicLong::get).tag("side", side)
                .description("connections not being read now (back-pressure)").register(registry);
        FunctionCounter.builder(WRITE_PAUSES, writePauses, AtomicLong::get).tag("side", side)
                .description("times a connection stopped reading because its peer did not read").register(registry);
        FunctionCounter.builder(ENGINE_PAUSES, enginePauses, AtomicLong::get).tag("side", side)
                .description("times the engine asked a connection to stop reading").register(registry);
        FunctionCounter.builder(RATE_PAUSES, ratePauses, AtomicLong::get).tag("side", side)
                .description("times a connection stopped reading because its peer sent faster than the frame rate")
                .register(registry);
        FunctionCounter.builder(SLOW_CONSUMERS, slowConsumers, AtomicLong::get).tag("side", side)
                .description("connections closed because their peer did not read what was queued").register(registry);
        return this;
    }

    void queued(long connectionQueued, int added) {
        queued.addAndGet(added);
        queuedMax.accumulateAndGet(connectionQueued, Math::max);
    }

    void written(int bytes) {
        queued.addAndGet(-bytes);
    }

    void paused(boolean now) {
        paused.addAndGet(now ? 1 : -1);
    }

    void writePause() {
        writePauses.incrementAndGet();
    }

    void enginePause() {
        enginePauses.incrementAndGet();
    }

    void ratePause() {
        ratePauses.incrementAndGet();
    }

    void slowConsumer() {
        slowConsumers.incrementAndGet();
    }
}
