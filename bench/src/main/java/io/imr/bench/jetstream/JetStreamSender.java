package io.imr.bench.jetstream;

import io.imr.bench.ClientSpec;
import io.imr.bench.Sender;
import io.imr.bench.WireCount;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Statistics;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A JetStream publisher: one jnats connection; each message is published to {@code inbox.USER} with a
 * {@code Nats-Msg-Id} header and a reply subject of its own, and the stream's publish ack on that subject
 * confirms it. This is JetStream's publish protocol, what jnats' {@code JetStream.publishAsync} does; it is
 * done here on the plain connection (one wildcard subscription for the acks, a look-up by the reply subject's
 * last token) because {@code publishAsync}'s per-request futures and JSON parsing cost the sender about twice
 * the CPU and measured at half the end-to-end throughput on a two-core machine.
 *
 * <p>A window of unconfirmed publishes ({@link Semaphore}) bounds what is in flight: {@link #send} waits while
 * it is full. A publish whose ack says it failed (an {@code error}, or no responders) is published again after
 * {@value #RETRY_DELAY_MS} ms, and one without an ack after {@link #ACK_TIMEOUT}, with the same
 * {@code Nats-Msg-Id}: the stream's duplicate window stores it once. After {@value #MAX_ATTEMPTS} attempts the
 * sender fails (the next {@link #send} throws).
 *
 * <p>The message id is {@code USER-DEVICE-SESSION-COUNTER}; the session, new at every open, keeps a reopened
 * sender's first messages from being taken for duplicates of the previous session's within the window.
 */
final class JetStreamSender implements Sender {

    /** Unconfirmed publishes in flight; see {@link JetStreamTarget} for the measurements. */
    static final int DEFAULT_WINDOW = 200;
    static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);
    static final long RETRY_DELAY_MS = 100;
    static final int MAX_ATTEMPTS = 50;
    private static final byte[] ERROR = "\"error\"".getBytes(StandardCharsets.US_ASCII);

    /** One message waiting for its publish ack. */
    private static final class Pending {
        final String subject;
        final String replyTo;
        final Headers headers;
        final byte[] payload;
        final Runnable onConfirmed;
        volatile long retryAt;
        volatile int attempts;

        Pending(String subject, String replyTo, Headers headers, byte[] payload, Runnable onConfirmed) {
            this.subject = subject;
            this.replyTo = replyTo;
            this.headers = headers;
            this.payload = payload;
            this.onConfirmed = onConfirmed;
        }
    }

    private final Connection connection;
    private final Dispatcher acks;
    private final String inbox;
    private final String idPrefix;
    private final Semaphore window;
    private final int windowSize;
    private final Map<Long, Pending> inFlight = new ConcurrentHashMap<>();
    private final ScheduledExecutorService retries;
    private final AtomicLong payloadBytes = new AtomicLong();
    private final AtomicLong republished = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final long inBytesAtOpen;
    private long counter;

    private JetStreamSender(Connection connection, int window, String idPrefix) throws InterruptedException {
        this.connection = connection;
        this.idPrefix = idPrefix;
        this.window = new Semaphore(window);
        this.windowSize = window;
        this.inbox = connection.createInbox();
        this.acks = connection.createDispatcher(this::onAck);
        acks.subscribe(inbox + ".*");
        try {
            connection.flush(Duration.ofSeconds(10));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the broker did not answer a flush within 10 s", e);
        }
        this.inBytesAtOpen = connection.getStatistics().getInBytes();
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jetstream-sender-retry");
            t.setDaemon(true);
            return t;
        });
        retries.scheduleWithFixedDelay(this::republishDue, RETRY_DELAY_MS, RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    static JetStreamSender open(ClientSpec spec, int window) throws IOException, InterruptedException {
        String session = Long.toString(UUID.randomUUID().getMostSignificantBits() & Long.MAX_VALUE, 36);
        String prefix = spec.user() + "-" + spec.device() + "-" + session + "-";
        Connection connection = JetStreamTarget.connect(spec.address(), "sender-" + spec.user() + "-" + spec.device());
        try {
            return new JetStreamSender(connection, window, prefix);
        } catch (RuntimeException | InterruptedException e) {
            connection.close();
            throw e;
        }
    }

    @Override
    public void send(String toUser, byte[] payload, Runnable onConfirmed) throws Exception {
        checkFailure();
        long id = ++counter;
        Headers headers = new Headers().put("Nats-Msg-Id", idPrefix + id);
        Pending p = new Pending(JetStreamTarget.subject(toUser), inbox + "." + id, headers, payload, onConfirmed);
        window.acquire();
        inFlight.put(id, p);
        publish(p);
    }

    private void publish(Pending p) {
        p.attempts++;
        p.retryAt = System.nanoTime() + ACK_TIMEOUT.toNanos();
        payloadBytes.addAndGet(p.payload.length);
        connection.publish(p.subject, p.replyTo, p.headers, p.payload);
    }

    /** On the dispatcher's thread: a publish ack, an error reply, or a no-responders status. */
    private void onAck(Message reply) {
        String subject = reply.getSubject();
        long id;
        try {
            id = Long.parseLong(subject, subject.lastIndexOf('.') + 1, subject.length(), 10);
        } catch (NumberFormatException e) {
            return;
        }
        Pending p = inFlight.get(id);
        if (p == null) {
            return; // the ack of a publish already confirmed (an earlier attempt's, or a later one's)
        }
        if (reply.isStatusMessage() || contains(reply.getData(), ERROR)) {
            p.retryAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_DELAY_MS);
            return;
        }
        if (inFlight.remove(id, p)) {
            window.release();
            p.onConfirmed.run();
        }
    }

    /** On the retry thread: publishes again what failed or timed out. */
    private void republishDue() {
        long now = System.nanoTime();
        for (Map.Entry<Long, Pending> e : inFlight.entrySet()) {
            Pending p = e.getValue();
            if (p.retryAt - now > 0) {
                continue;
            }
            if (p.attempts >= MAX_ATTEMPTS) {
                failure.compareAndSet(null, new IOException("no publish ack for " + p.subject + " after "
                        + MAX_ATTEMPTS + " attempts"));
                if (inFlight.remove(e.getKey(), p)) {
                    window.release();
                }
                continue;
            }
            republished.incrementAndGet();
            publish(p);
        }
    }

    private void checkFailure() throws IOException {
        Throwable f = failure.get();
        if (f != null) {
            throw new IOException("a publish failed", f);
        }
    }

    private static boolean contains(byte[] data, byte[] needle) {
        if (data == null) {
            return false;
        }
        outer:
        for (int i = 0; i + needle.length <= data.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Publishes sent again (after a failure or a timeout). */
    long republished() {
        return republished.get();
    }

    /**
     * Everything the connection carried; the payload is what it published (a message published again counts
     * again); the confirmation is what it read since it was set up: the publish acks (as MQTT's PUBACKs).
     */
    @Override
    public WireCount wire() {
        Statistics s = connection.getStatistics();
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
            retries.shutdownNow();
            connection.close();
        }
    }
}
