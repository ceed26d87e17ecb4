package io.imr.bench.jetstream;

import io.imr.bench.ClientSpec;
import io.imr.bench.Receiver;
import io.imr.bench.WireCount;
import io.imr.bench.peer.PeerStore;
import io.nats.client.ConsumeOptions;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.MessageConsumer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A receiving device on JetStream: a durable pull consumer read with jnats' {@code consume} (which keeps pull
 * requests outstanding, so the device pulls the next batch while its store commits the previous one), a
 * {@link PeerStore} that commits each group of received messages with the highest stream sequence among them,
 * and, after each commit, delivery of the group in order and then one acknowledgement of its last message
 * ({@code AckAll} covers the ones before it).
 *
 * <p><b>An honest restart.</b> The consumer's acknowledgement floor is not the device's: a device that dies
 * after the server delivered messages it had not committed yet, and whose successor acknowledges a later one,
 * would lose them to {@code AckAll}. So every open deletes the device's consumer and creates it again from the
 * stream sequence after the one its store committed last ({@link PeerStore#position()}), or from the start of
 * the stream when it committed nothing.
 *
 * <p>A message the server delivers again (after its ack wait) at or below what the device already took is
 * dropped: it is in the store or on its way there, and the next acknowledgement covers it.
 */
final class JetStreamReceiver implements Receiver {

    /** Messages per pull request; see {@link JetStreamTarget} for the measurements. */
    static final int DEFAULT_BATCH = 1000;
    /** How long a pull request waits at the server for messages before it expires and the client renews it. */
    private static final long PULL_EXPIRES_MS = 5_000;

    private final Connection connection;
    private final PeerStore store;
    private final MessageConsumer consumer;
    private final AtomicLong payloadBytes = new AtomicLong();
    private final AtomicLong redelivered = new AtomicLong();
    private final long outBytesAtStart;
    private final Object lock = new Object();
    private long taken;
    private boolean closed;

    private JetStreamReceiver(Connection connection, PeerStore store, ConsumerContext context, int batch)
            throws Exception {
        this.connection = connection;
        this.store = store;
        this.taken = store.position();
        this.outBytesAtStart = connection.getStatistics().getOutBytes();
        ConsumeOptions options = ConsumeOptions.builder().batchSize(batch).expiresIn(PULL_EXPIRES_MS).build();
        this.consumer = context.consume(options, this::onMessage);
    }

    static JetStreamReceiver open(ClientSpec spec, Receiver.Delivered delivered, int batch) throws Exception {
        PeerStore store = PeerStore.open(spec.dir(), group -> committed(group, delivered));
        Connection connection = null;
        try {
            connection = JetStreamTarget.connect(spec.address(), "receiver-" + spec.user() + "-" + spec.device());
            JetStreamManagement jsm = connection.jetStreamManagement();
            String durable = JetStreamTarget.durable(spec);
            if (JetStreamTarget.consumerExists(jsm, durable)) {
                jsm.deleteConsumer(JetStreamTarget.STREAM, durable);
            }
            jsm.addOrUpdateConsumer(JetStreamTarget.STREAM, JetStreamTarget.consumerConfig(spec, store.position()));
            ConsumerContext context = connection.getConsumerContext(JetStreamTarget.STREAM, durable);
            return new JetStreamReceiver(connection, store, context, batch);
        } catch (Exception | Error e) {
            store.close();
            if (connection != null) {
                connection.close();
            }
            throw e;
        }
    }

    /** On the store's writer thread, after the group committed: deliver it in order, then acknowledge it. */
    private static void committed(List<PeerStore.Entry> group, Receiver.Delivered delivered) {
        for (PeerStore.Entry e : group) {
            delivered.committed(e.payload());
        }
        ((Message) group.get(group.size() - 1).handle()).ack();
    }

    /** On the consumer's dispatcher thread, in stream order. */
    private void onMessage(Message message) {
        byte[] payload = message.getData();
        payloadBytes.addAndGet(payload.length);
        long sequence = message.metaData().streamSequence();
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (sequence <= taken) {
                redelivered.incrementAndGet();
                return;
            }
            taken = sequence;
            store.add(payload, sequence, message);
        }
    }

    /**
     * Everything the connection carried; the payload is what it received; the confirmation is what it wrote
     * since it started receiving: acknowledgements and pull requests (and the odd PING).
     */
    @Override
    public WireCount wire() {
        var s = connection.getStatistics();
        long out = s.getOutBytes();
        return new WireCount(s.getInBytes() + out, payloadBytes.get(), out - outBytesAtStart);
    }

    @Override
    public long commits() {
        return store.commits();
    }

    @Override
    public long syncs() {
        return store.syncs();
    }

    /** Messages the server delivered again that the device had already taken (dropped). */
    long redelivered() {
        return redelivered.get();
    }

    /** Messages the device's store committed so far. */
    long committedMessages() {
        return store.messages();
    }

    /** Stops pulling, commits, delivers and acknowledges what was received, then closes the connection. */
    @Override
    public void close() throws Exception {
        try {
            consumer.stop();
            synchronized (lock) {
                closed = true;
            }
            store.close();
            consumer.close();
        } finally {
            connection.close();
        }
    }
}
