package io.imr.bench.jetstream;

import io.imr.bench.ClientSpec;
import io.imr.bench.Sender;
import io.imr.bench.WireCount;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamOptions;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A JetStream publisher: one connection, {@code publishAsync} to {@code inbox.USER} with a {@code Nats-Msg-Id}
 * header, a window of unconfirmed publishes ({@link Semaphore}) that {@link #send} waits on while it is full.
 * A publish whose ack fails (times out, or the server refuses it) is published again with the same
 * {@code Nats-Msg-Id}: the stream's duplicate window stores it once.
 *
 * <p>The message id is {@code USER-DEVICE-SESSION-COUNTER}; the session, new at every open, keeps a reopened
 * sender's first messages from being taken for duplicates of the previous session's within the window.
 */
final class JetStreamSender implements Sender {

    /** Unconfirmed publishes in flight; see the measurements in the bench's notes. */
    static final int DEFAULT_WINDOW = 1000;
    /** A publish ack later than this is a failure, and the message is published again. */
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_ATTEMPTS = 50;
    private static final long RETRY_DELAY_MS = 100;

    private final Connection connection;
    private final JetStream js;
    private final Semaphore window;
    private final int windowSize;
    private final String idPrefix;
    private final long inBytesAtOpen;
    private final ScheduledExecutorService retries;
    private final AtomicLong payloadBytes = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private long counter;
    private volatile boolean closed;

    private JetStreamSender(Connection connection, int window, String idPrefix) throws IOException {
        this.connection = connection;
        this.js = connection.jetStream(JetStreamOptions.builder().requestTimeout(ACK_TIMEOUT).build());
        this.window = new Semaphore(window);
        this.windowSize = window;
        this.idPrefix = idPrefix;
        this.inBytesAtOpen = connection.getStatistics().getInBytes();
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jetstream-sender-retry");
            t.setDaemon(true);
            return t;
        });
    }

    static JetStreamSender open(ClientSpec spec, int window) throws IOException, InterruptedException {
        String session = Long.toString(UUID.randomUUID().getMostSignificantBits() & Long.MAX_VALUE, 36);
        String prefix = spec.user() + "-" + spec.device() + "-" + session + "-";
        Connection connection = JetStreamTarget.connect(spec.address(), "sender-" + spec.user() + "-" + spec.device());
        return new JetStreamSender(connection, window, prefix);
    }

    @Override
    public void send(String toUser, byte[] payload, Runnable onConfirmed) throws Exception {
        Throwable f = failure.get();
        if (f != null) {
            throw new IOException("a publish failed " + MAX_ATTEMPTS + " times", f);
        }
        String subject = JetStreamTarget.subject(toUser);
        Headers headers = new Headers().put("Nats-Msg-Id", idPrefix + (++counter));
        window.acquire();
        publish(subject, headers, payload, onConfirmed, 1);
    }

    private void publish(String subject, Headers headers, byte[] payload, Runnable onConfirmed, int attempt) {
        payloadBytes.addAndGet(payload.length);
        js.publishAsync(subject, headers, payload).whenComplete((ack, error) -> {
            if (error == null) {
                window.release();
                onConfirmed.run();
            } else if (closed) {
                window.release();
            } else if (attempt >= MAX_ATTEMPTS) {
                failure.compareAndSet(null, error);
                window.release();
            } else {
                retries.schedule(() -> publish(subject, headers, payload, onConfirmed, attempt + 1),
                        RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
            }
        });
    }

    /**
     * Everything the connection carried; the payload is what it published (a re-published message counts
     * again); the confirmation is what it read since it connected, the publish acks (as MQTT's PUBACKs).
     */
    @Override
    public WireCount wire() {
        var s = connection.getStatistics();
        long in = s.getInBytes();
        return new WireCount(in + s.getOutBytes(), payloadBytes.get(), in - inBytesAtOpen);
    }

    @Override
    public long syncs() {
        return 0;
    }

    /** Waits (up to 30 s) for the publishes in flight to be confirmed, then closes the connection. */
    @Override
    public void close() throws Exception {
        try {
            if (window.tryAcquire(windowSize, 30, TimeUnit.SECONDS)) {
                window.release(windowSize);
            }
        } finally {
            closed = true;
            retries.shutdownNow();
            connection.close();
        }
    }
}
