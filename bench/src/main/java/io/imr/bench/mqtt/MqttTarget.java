package io.imr.bench.mqtt;

import io.imr.bench.Broker;
import io.imr.bench.ClientSpec;
import io.imr.bench.Receiver;
import io.imr.bench.Sender;
import io.imr.bench.Target;
import io.imr.bench.peer.BrokerProcess;
import io.imr.bench.peer.PeerBroker;
import io.imr.bench.peer.PeerBinaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The MQTT peer: Mosquitto (from Debian) as the broker, Eclipse Paho as the clients, QoS 1 both ways, MQTT 3.1.1.
 *
 * <p>A message to user U is published to topic {@code inbox/U}. Every device of U is its own MQTT client, with
 * client id {@code U-DEVICE}, a persistent session ({@code cleanSession=false}) and a QoS 1 subscription to
 * {@code inbox/U}, so that what is sent while the device is offline waits for it in the broker. The receiving
 * device stores each message in its {@link io.imr.bench.peer.PeerStore} and sends the PUBACK only after the group
 * commit that stored it (Paho's manual acks), which is what makes a delivery durable at the device.
 *
 * <p>The broker runs with {@code persistence false}: Mosquitto keeps the persistent sessions, with their queued
 * messages, in memory only and writes nothing to disk (even with persistence on, it would only save them at its
 * autosave interval or shutdown, never per message), so a broker crash loses what it held. That is the setup
 * measured and documented. No queue limits ({@code max_queued_messages 0}, {@code max_queued_bytes 0}), so that
 * a device offline for a million messages still gets them all.
 *
 * <p>Sockets: Mosquitto runs with {@code set_tcp_nodelay true}, and the clients' sockets, which come from a
 * {@link CountingSocketFactory} that counts their bytes, have {@code TCP_NODELAY} too (Paho by itself leaves
 * Nagle's algorithm on). With a saturating sender, clients with and without Nagle measured alike; without it a
 * lone PUBACK is never held back behind a delayed TCP ack.
 */
public final class MqttTarget implements Target {

    /**
     * The sender's window: QoS 1 publishes sent and not yet acknowledged (Paho's {@code maxInflight}, whose own
     * default is 10); a send blocks while it is full. Measured (1 sender, 1 receiver, 100,000 messages of 256
     * bytes, 2 cores): 100 is clearly slower (about 12,000 msg/s against 17,000); 1000 and 5000 are alike.
     */
    public static final int DEFAULT_SENDER_INFLIGHT = 1000;
    /**
     * Mosquitto's {@code max_inflight_messages} (its own default is 20): the QoS 1 messages it pushes to a
     * receiver before their PUBACKs, which bounds the receiver's commit groups. In the same measurement 100,
     * 1000, 5000 and 0 (no limit) were alike within the noise; 1000 leaves room for groups of a few hundred.
     */
    public static final int DEFAULT_BROKER_INFLIGHT = 1000;

    static final int KEEP_ALIVE_SECONDS = 30;
    static final int CONNECTION_TIMEOUT_SECONDS = 10;
    /** How long to wait for a connect, subscribe or disconnect to complete. */
    static final long WAIT_MILLIS = TimeUnit.SECONDS.toMillis(30);

    private final int senderInflight;
    private final int brokerInflight;
    private final boolean clientTcpNoDelay;

    public MqttTarget() {
        this(DEFAULT_SENDER_INFLIGHT, DEFAULT_BROKER_INFLIGHT);
    }

    /** A target with other windows, for tests and measurements. */
    MqttTarget(int senderInflight, int brokerInflight) {
        this(senderInflight, brokerInflight, true);
    }

    MqttTarget(int senderInflight, int brokerInflight, boolean clientTcpNoDelay) {
        if (senderInflight < 1 || brokerInflight < 0) {
            throw new IllegalArgumentException("windows: sender " + senderInflight + ", broker " + brokerInflight);
        }
        this.senderInflight = senderInflight;
        this.brokerInflight = brokerInflight;
        this.clientTcpNoDelay = clientTcpNoDelay;
    }

    @Override
    public String name() {
        return "mqtt";
    }

    @Override
    public Broker startBroker(Path dir) throws Exception {
        Path mosquitto = PeerBinaries.require("mosquitto");
        Files.createDirectories(dir);
        int port = BrokerProcess.freePort();
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, config(port, brokerInflight));
        BrokerProcess process = BrokerProcess.start(List.of(mosquitto.toString(), "-c", conf.toString()),
                dir.resolve("mosquitto.log"), port);
        return new PeerBroker(process, "tcp://127.0.0.1:" + port);
    }

    /** Mosquitto 2.0's configuration for the bench: one loopback listener, sessions in memory, no queue limits. */
    static String config(int port, int maxInflight) {
        return String.join("\n",
                "# written by imr bench (io.imr.bench.mqtt.MqttTarget)",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous true",
                "# persistent sessions and their queued messages live in memory only",
                "persistence false",
                "# no limit on what waits for an offline or slow device (0 = no maximum)",
                "max_queued_messages 0",
                "max_queued_bytes 0",
                "# QoS 1 messages pushed to a receiver before its PUBACKs",
                "max_inflight_messages " + maxInflight,
                "set_tcp_nodelay true",
                "");
    }

    @Override
    public void register(ClientSpec device) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient(device.address(), clientId(device), new MemoryPersistence());
        try {
            client.connect(options(new CountingSocketFactory(clientTcpNoDelay))).waitForCompletion(WAIT_MILLIS);
            subscribe(client, topic(device.user()));
        } finally {
            disconnectAndClose(client, null);
        }
    }

    @Override
    public Sender openSender(ClientSpec spec) throws Exception {
        return MqttSender.open(spec, senderInflight, new CountingSocketFactory(clientTcpNoDelay));
    }

    @Override
    public Receiver openReceiver(ClientSpec spec, Receiver.Delivered delivered) throws Exception {
        MqttReceiver receiver = new MqttReceiver(spec, delivered, new CountingSocketFactory(clientTcpNoDelay));
        receiver.connect();
        return receiver;
    }

    /** The topic a message to {@code user} is published to, and that each of the user's devices subscribes to. */
    static String topic(String user) {
        return "inbox/" + user;
    }

    /** The MQTT client id of a device: {@code USER-DEVICE}. */
    static String clientId(ClientSpec spec) {
        return spec.user() + "-" + spec.device();
    }

    /**
     * The connect options every client of the bench uses: MQTT 3.1.1, a persistent session, keep-alive 30 s,
     * connect timeout 10 s, no automatic reconnect (the bench does not cut connections), counted sockets.
     */
    static MqttConnectOptions options(CountingSocketFactory sockets) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(false);
        o.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
        o.setConnectionTimeout(CONNECTION_TIMEOUT_SECONDS);
        o.setAutomaticReconnect(false);
        o.setSocketFactory(sockets);
        return o;
    }

    /**
     * Disconnects a client, if it is still connected, and closes it. The disconnect waits up to 10 s for the
     * client's outstanding work (publishes awaiting their PUBACK, PUBACKs not yet written); with a
     * {@code barrierTopic} it first unsubscribes from that topic, which the client never subscribed to, and
     * waits for the UNSUBACK: a round trip that ends after the broker handled everything sent before it.
     */
    static void disconnectAndClose(MqttAsyncClient client, String barrierTopic) throws MqttException {
        try {
            if (client.isConnected()) {
                if (barrierTopic != null) {
                    client.unsubscribe(barrierTopic).waitForCompletion(WAIT_MILLIS);
                }
                client.disconnect(TimeUnit.SECONDS.toMillis(10)).waitForCompletion(WAIT_MILLIS);
            }
        } catch (MqttException e) {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 1000);
            }
        } finally {
            client.close(true);
        }
    }

    /** Subscribes at QoS 1 and checks that the broker granted it. */
    static void subscribe(MqttAsyncClient client, String topic) throws MqttException {
        IMqttToken token = client.subscribe(topic, 1);
        token.waitForCompletion(WAIT_MILLIS);
        int[] granted = token.getGrantedQos();
        if (granted == null || granted.length != 1 || granted[0] != 1) {
            throw new MqttException(MqttException.REASON_CODE_SUBSCRIBE_FAILED);
        }
    }
}
