package io.imr.engine.internal;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Send;
import io.imr.api.frame.SendAck;
import io.imr.engine.ConnectionHandler;
import io.imr.engine.EngineRuntime;
import io.imr.engine.FrameChannel;
import io.imr.engine.metrics.EngineMetrics;
import io.imr.engine.metrics.MetricNames;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Bounds the work connections hand to one engine (G7 under load), by pausing the reading of the
 * connections that bring it: the engine-side half of back-pressure; the transport bounds what it
 * queues for each peer itself.
 *
 * <p>Owns, for every connection of its engine: the frames handed to the engine's context and not
 * yet processed, and the sends read and not yet answered (each item of a {@code Send} batch counts;
 * a send-ack answers as many as its runs cover, a refusal one; every send on an open session gets an
 * answer, or the session closes). A connection stops being read
 * ({@link FrameChannel#pauseReading}) when it has {@code connectionHighWater} frames waiting, or
 * {@code sendsHighWater} sends unanswered (a sender that does not wait for its send-acks cannot
 * stack up appends faster than the store commits them), or when the engine as a whole has
 * {@code engineHighWater} frames waiting. It is read again ({@link FrameChannel#resumeReading}) once
 * all three are at or below their low-water marks. It touches nothing of the engine's state: it
 * only wraps the channel the engine writes to and the handler the transport calls.
 *
 * <p>Use: {@code Gated g = gate.open(channel)}; give the engine {@code g.channel()}, and the
 * transport {@code g.handler(onFrame, onClosed)}, whose two consumers then run on the engine's
 * context. Thread-safe: transports call from their threads, the engine from its context.
 */
public final class InboundGate {

    /** Frames of one connection waiting for the engine above which it stops being read. */
    public static final int DEFAULT_CONNECTION_HIGH_WATER = 1_024;
    /** ... and at or below which it is read again. */
    public static final int DEFAULT_CONNECTION_LOW_WATER = 256;
    /** Frames of all connections waiting for one engine above which the connections that bring more stop being read. */
    public static final int DEFAULT_ENGINE_HIGH_WATER = 32_768;
    /** ... and at or below which they are read again. */
    public static final int DEFAULT_ENGINE_LOW_WATER = 8_192;
    /**
     * Sends of one connection unanswered above which it stops being read: half the server's default
     * {@code maxPendingSends} (8,192), so a sender that does not wait is slowed down, not closed.
     */
    public static final int DEFAULT_SENDS_HIGH_WATER = 4_096;
    /** ... and at or below which it is read again. */
    public static final int DEFAULT_SENDS_LOW_WATER = 1_024;

    /**
     * The marks, in frames and sends.
     *
     * @throws IllegalArgumentException unless each low-water mark is at least 0 and below its high-water mark
     */
    public record Limits(int connectionHighWater, int connectionLowWater, int engineHighWater, int engineLowWater,
                         int sendsHighWater, int sendsLowWater) {

        public static final Limits DEFAULT = new Limits(DEFAULT_CONNECTION_HIGH_WATER, DEFAULT_CONNECTION_LOW_WATER,
                DEFAULT_ENGINE_HIGH_WATER, DEFAULT_ENGINE_LOW_WATER, DEFAULT_SENDS_HIGH_WATER, DEFAULT_SENDS_LOW_WATER);

        public Limits {
            marks("connection", connectionHighWater, connectionLowWater);
            marks("engine", engineHighWater, engineLowWater);
            marks("sends", sendsHighWater, sendsLowWater);
        }

        /**
         * Marks from the three high-water marks a deployment sets (the engines' {@code inbound-frames},
         * {@code inbound-engine-frames} and {@code inbound-sends}), each low-water mark a quarter of its high one,
         * as the defaults.
         */
        public static Limits quarters(int connectionHighWater, int engineHighWater, int sendsHighWater) {
            return new Limits(connectionHighWater, connectionHighWater / 4, engineHighWater, engineHighWater / 4,
                    sendsHighWater, sendsHighWater / 4);
        }

        private static void marks(String what, int high, int low) {
            if (low < 0 || high <= low) {
                throw new IllegalArgumentException(what + " water marks must be 0 <= low < high, got low " + low
                        + " and high " + high);
            }
        }
    }

    private final EngineRuntime runtime;
    private final Limits limits;
    private final Object lock = new Object();
    // Guarded by lock.
    private int pending;
    private long pauses;
    private final Set<Gated> paused = new LinkedHashSet<>();

    public InboundGate(EngineRuntime runtime, Limits limits) {
        if (runtime == null || limits == null) {
            throw new IllegalArgumentException("runtime and limits must not be null");
        }
        this.runtime = runtime;
        this.limits = limits;
    }

    /**
     * Registers the gauges {@link MetricNames#INBOUND_PENDING}, {@link MetricNames#INBOUND_PAUSED} and
     * {@link MetricNames#INBOUND_PAUSES} with the engine's meters.
     *
     * @return this
     */
    public InboundGate register(EngineMetrics metrics) {
        metrics.gauge(MetricNames.INBOUND_PENDING, this::pending);
        metrics.gauge(MetricNames.INBOUND_PAUSED, this::pausedConnections);
        metrics.gauge(MetricNames.INBOUND_PAUSES, this::pauses);
        return this;
    }

    /** Starts counting a new connection. */
    public Gated open(FrameChannel channel) {
        if (channel == null) {
            throw new IllegalArgumentException("channel must not be null");
        }
        return new Gated(channel);
    }

    /** Frames handed to the engine and not processed yet, all connections. */
    public int pending() {
        synchronized (lock) {
            return pending;
        }
    }

    /** Connections kept from being read now. */
    public int pausedConnections() {
        synchronized (lock) {
            return paused.size();
        }
    }

    /** Times a connection was kept from being read. */
    public long pauses() {
        synchronized (lock) {
            return pauses;
        }
    }

    /** The marks this gate keeps. */
    public Limits limits() {
        return limits;
    }

    /** One connection as the gate counts it. */
    public final class Gated {
        private final FrameChannel transport;
        private final FrameChannel channel;
        // Guarded by lock.
        private int frames;
        private int sends;
        private boolean pausedHere;
        private boolean closed;

        private Gated(FrameChannel transport) {
            this.transport = transport;
            this.channel = new FrameChannel() {
                @Override
                public void send(Frame frame) {
                    if (frame instanceof SendAck ack) {
                        answered(ack.messages());
                    } else if (frame instanceof ErrorFrame e && (e.code() == ErrorFrame.Code.SEND_REFUSED
                            || (e.code() == ErrorFrame.Code.RATE_LIMITED && !e.ref().isEmpty()))) {
                        answered(1);
                    }
                    transport.send(frame);
                }

                @Override
                public void close(ErrorFrame error) {
                    transport.close(error);
                }

                @Override
                public String describe() {
                    return transport.describe();
                }

                @Override
                public String peerHost() {
                    return transport.peerHost();
                }

                @Override
                public void pauseReading() {
                    transport.pauseReading();
                }

                @Override
                public void resumeReading() {
                    transport.resumeReading();
                }
            };
        }

        /** The channel to give the engine: the transport's, counting the answers to sends. */
        public FrameChannel channel() {
            return channel;
        }

        /**
         * The handler to give the transport: it hands each frame and the close to the engine's context,
         * where {@code onFrame} and {@code onClosed} then run.
         */
        public ConnectionHandler handler(Consumer<Frame> onFrame, Consumer<String> onClosed) {
            return new ConnectionHandler() {
                @Override
                public void onFrame(Frame frame) {
                    arrived(frame);
                    runtime.execute(() -> {
                        try {
                            onFrame.accept(frame);
                        } finally {
                            processed();
                        }
                    });
                }

                @Override
                public void onClosed(String reason) {
                    runtime.execute(() -> {
                        gone();
                        onClosed.accept(reason);
                    });
                }
            };
        }

        /** Frames of this connection waiting for the engine now. */
        public int frames() {
            synchronized (lock) {
                return frames;
            }
        }

        /** Sends of this connection not answered yet. */
        public int unansweredSends() {
            synchronized (lock) {
                return sends;
            }
        }

        /** Whether the gate keeps this connection from being read now. */
        public boolean paused() {
            synchronized (lock) {
                return pausedHere;
            }
        }

        private void arrived(Frame frame) {
            synchronized (lock) {
                frames++;
                pending++;
                if (frame instanceof Send send) {
                    sends += send.items().size();
                }
                if (!pausedHere && !closed && (frames >= limits.connectionHighWater()
                        || sends >= limits.sendsHighWater() || pending >= limits.engineHighWater())) {
                    pausedHere = true;
                    paused.add(this);
                    pauses++;
                    transport.pauseReading();
                }
            }
        }

        private void processed() {
            synchronized (lock) {
                frames--;
                pending--;
                if (pending == limits.engineLowWater()) {
                    // The engine has room again: every connection it paused may go on, unless its own marks say not.
                    for (Gated g : paused.toArray(new Gated[0])) {
                        g.maybeResume();
                    }
                } else {
                    maybeResume();
                }
            }
        }

        private void answered(long messages) {
            synchronized (lock) {
                sends = (int) Math.max(0, sends - messages);
                maybeResume();
            }
        }

        private void gone() {
            synchronized (lock) {
                closed = true;
                if (pausedHere) {
                    pausedHere = false;
                    paused.remove(this);
                }
            }
        }

        // Holds lock.
        private void maybeResume() {
            if (pausedHere && frames <= limits.connectionLowWater() && sends <= limits.sendsLowWater()
                    && pending <= limits.engineLowWater()) {
                pausedHere = false;
                paused.remove(this);
                transport.resumeReading();
            }
        }
    }
}
