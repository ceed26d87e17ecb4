package io.imr.bench.mqtt;

import io.imr.bench.ClientSpec;
import io.imr.bench.Receiver;
import io.imr.bench.WireCount;
import io.imr.bench.peer.PeerStore;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A receiving MQTT device: a Paho client with manual acks, client id {@code USER-DEVICE}, a persistent session
 * subscribed at QoS 1 to {@code inbox/USER}, and a {@link PeerStore} in its folder.
 *
 * <p>An arriving message is only queued for the store's next group commit. After the commit, the store's writer
 * thread hands each message of the group to {@link Receiver.Delivered}, in order, and then sends their PUBACKs
 * ({@code messageArrivedComplete}): the broker forgets a message only once the device has it on disk. A message
 * that arrived but was not committed is never acknowledged, so the broker sends it again on the next connection.
 *
 * <p>Wire counts: {@code payload} is the payload bytes received (a redelivered message counts again: it crossed
 * the wire again); {@code confirmation} is every byte the device wrote, which is its PUBACKs (4 bytes each) plus
 * its CONNECT, SUBSCRIBE, PINGREQs, closing UNSUBSCRIBE and DISCONNECT (a few dozen bytes per connection).
 * A group's PUBACKs are written after its {@code Delivered} calls, so read the counts after {@link #close()}
 * (or a moment after the last delivery) to include the last group's.
 */
final class MqttReceiver implements Receiver, MqttCallback {

    /** What acknowledges one message: Paho's id and QoS for {@code messageArrivedComplete}. */
    private record Ack(int id, int qos) {
    }

    /** Never subscribed to: unsubscribing from it is a round trip behind the PUBACKs (see {@link #close()}). */
    static final String BARRIER_TOPIC = "imr-bench/close-barrier";

    private final ClientSpec spec;
    private final Delivered delivered;
    private final CountingSocketFactory sockets;
    private final MqttAsyncClient client;
    private final PeerStore store;
    private final AtomicLong payloadBytes = new AtomicLong();
    private volatile boolean closing;
    private volatile Throwable lost;

    /** Opens the store and prepares the client; {@link #connect()} connects it. */
    MqttReceiver(ClientSpec spec, Delivered delivered, CountingSocketFactory sockets) throws MqttException {
        this.spec = spec;
        this.delivered = delivered;
        this.sockets = sockets;
        this.client = new MqttAsyncClient(spec.address(), MqttTarget.clientId(spec), new MemoryPersistence());
        client.setManualAcks(true);
        client.setCallback(this);
        this.store = PeerStore.open(spec.dir(), this::committed);
    }

    /**
     * Connects to the persistent session (whose queued messages start arriving at once) and subscribes, which
     * the session already is when the device was registered; returns once the subscription is granted.
     */
    void connect() throws Exception {
        try {
            client.connect(MqttTarget.options(sockets)).waitForCompletion(MqttTarget.WAIT_MILLIS);
            MqttTarget.subscribe(client, MqttTarget.topic(spec.user()));
        } catch (Exception e) {
            closing = true;
            try {
                store.close();
                MqttTarget.disconnectAndClose(client, null);
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        if (closing) {
            return; // not acknowledged: the broker sends it again on the next connection
        }
        byte[] payload = message.getPayload();
        payloadBytes.addAndGet(payload.length);
        store.add(payload, 0, new Ack(message.getId(), message.getQos()));
    }

    /** On the store's writer thread, after the commit: deliver the group, then acknowledge it. */
    private void committed(List<PeerStore.Entry> group) throws MqttException {
        for (PeerStore.Entry e : group) {
            delivered.committed(e.payload());
        }
        for (PeerStore.Entry e : group) {
            Ack ack = (Ack) e.handle();
            client.messageArrivedComplete(ack.id(), ack.qos());
        }
    }

    @Override
    public void connectionLost(Throwable cause) {
        lost = cause;
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
        // a receiver publishes nothing
    }

    /** Messages the store committed so far (for tests). */
    long storedMessages() {
        return store.messages();
    }

    /** Why the connection was lost, or null. */
    Throwable lost() {
        return lost;
    }

    @Override
    public WireCount wire() {
        long written = sockets.written();
        return new WireCount(sockets.read() + written, payloadBytes.get(), written);
    }

    @Override
    public long commits() {
        return store.commits();
    }

    @Override
    public long syncs() {
        return store.syncs();
    }

    /**
     * Stops taking messages, commits and acknowledges what was taken, waits until the broker has read those
     * PUBACKs, then disconnects and closes the store. What arrives after the stop stays unacknowledged and comes
     * again on the next connection.
     *
     * <p>The wait is an UNSUBSCRIBE of a topic the device never subscribed to, answered by an UNSUBACK that
     * Mosquitto sends only after it handled every packet before it on the connection, PUBACKs included. Without
     * it, PUBACKs written just before the DISCONNECT were lost: the broker keeps pushing messages until the
     * end, Paho closes its socket with those unread, the kernel then answers with a reset, and a reset discards
     * what the broker had not read yet, so it sent those messages (committed already) again on the next
     * connection.
     */
    @Override
    public void close() throws Exception {
        closing = true;
        try {
            store.close();
        } finally {
            MqttTarget.disconnectAndClose(client, BARRIER_TOPIC);
        }
    }
}
