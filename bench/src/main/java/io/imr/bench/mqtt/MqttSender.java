package io.imr.bench.mqtt;

import io.imr.bench.ClientSpec;
import io.imr.bench.Sender;
import io.imr.bench.WireCount;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A sending MQTT client: a Paho {@link MqttAsyncClient} publishing at QoS 1, client id {@code USER-DEVICE}, a
 * persistent session. A message is confirmed when its PUBACK arrives (Paho's delivery-complete).
 *
 * <p>Its unacknowledged publishes are kept by Paho's {@link MemoryPersistence}, in memory, not on disk: a
 * sender that crashes loses them, so it keeps no store and makes no syncs ({@link #syncs()} is 0). The bench's
 * senders do not crash; what is measured is the broker and the receiving device.
 *
 * <p>Back-pressure: Paho refuses a publish beyond its {@code maxInflight} with
 * {@link MqttException#REASON_CODE_MAX_INFLIGHT}; {@link #send} instead blocks on a semaphore of the same size
 * until a PUBACK frees a place. Paho decrements its in-flight count before it calls the listener that releases
 * the semaphore, so a permit always finds a free place.
 */
final class MqttSender implements Sender, MqttCallback {

    private final MqttAsyncClient client;
    private final CountingSocketFactory sockets;
    private final Semaphore window;
    private final AtomicLong payloadBytes = new AtomicLong();
    private final IMqttActionListener confirmed = new Confirmed();
    private volatile Throwable failure;

    private MqttSender(MqttAsyncClient client, CountingSocketFactory sockets, int maxInflight) {
        this.client = client;
        this.sockets = sockets;
        this.window = new Semaphore(maxInflight);
    }

    static MqttSender open(ClientSpec spec, int maxInflight, CountingSocketFactory sockets) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(spec.address(), MqttTarget.clientId(spec),
                new MemoryPersistence());
        MqttSender sender = new MqttSender(client, sockets, maxInflight);
        client.setCallback(sender);
        MqttConnectOptions options = MqttTarget.options(sockets);
        options.setMaxInflight(maxInflight);
        try {
            client.connect(options).waitForCompletion(MqttTarget.WAIT_MILLIS);
        } catch (MqttException e) {
            MqttTarget.disconnectAndClose(client, null);
            throw e;
        }
        return sender;
    }

    @Override
    public void send(String toUser, byte[] payload, Runnable onConfirmed) throws Exception {
        // a lost connection leaves Paho's in-flight publishes unconfirmed: stop waiting for them then
        while (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            failIfFailed();
        }
        try {
            failIfFailed();
        } catch (MqttException e) {
            window.release();
            throw e;
        }
        MqttMessage message = new MqttMessage(payload);
        message.setQos(1);
        String topic = MqttTarget.topic(toUser);
        while (true) {
            try {
                client.publish(topic, message, onConfirmed, confirmed);
                payloadBytes.addAndGet(payload.length);
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT) {
                    window.release();
                    throw e;
                }
                // Not expected (see the class comment); should Paho ever lag behind the semaphore, wait for it.
                TimeUnit.MICROSECONDS.sleep(100);
            }
        }
    }

    private void failIfFailed() throws MqttException {
        Throwable f = failure;
        if (f != null) {
            throw new MqttException(f);
        }
    }

    @Override
    public void connectionLost(Throwable cause) {
        failure = cause;
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        // a sender subscribes to nothing
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
        // confirmed by the publish's listener instead, which carries the send's callback
    }

    @Override
    public WireCount wire() {
        return new WireCount(sockets.read() + sockets.written(), payloadBytes.get(), 0);
    }

    @Override
    public long syncs() {
        return 0;
    }

    /** Waits (up to 10 s) for the PUBACKs of what is in flight, then disconnects. */
    @Override
    public void close() throws MqttException {
        MqttTarget.disconnectAndClose(client, null);
    }

    /** Runs on Paho's callback thread once the PUBACK arrived (or the publish failed). */
    private final class Confirmed implements IMqttActionListener {

        @Override
        public void onSuccess(IMqttToken token) {
            try {
                ((Runnable) token.getUserContext()).run();
            } catch (Throwable t) {
                failure = t;
            } finally {
                window.release();
            }
        }

        @Override
        public void onFailure(IMqttToken token, Throwable exception) {
            failure = exception;
            window.release();
        }
    }
}
