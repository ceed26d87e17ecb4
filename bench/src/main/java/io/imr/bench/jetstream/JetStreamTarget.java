package io.imr.bench.jetstream;

import io.imr.bench.Broker;
import io.imr.bench.ClientSpec;
import io.imr.bench.Receiver;
import io.imr.bench.Sender;
import io.imr.bench.Target;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The NATS JetStream peer: Debian's {@code nats-server} with JetStream on and file storage, and the Java client
 * jnats. Every message lives in one stream, {@value #STREAM}, on the subject {@code inbox.USER}; each receiving
 * device of a user has its own durable pull consumer {@code USER-DEVICE} filtered on its user's subject, with
 * {@link AckPolicy#All}. A sender sends JetStream publishes with a {@code Nats-Msg-Id} and a reply subject of its
 * own on the plain connection (see {@link JetStreamSender}), its window of unconfirmed publishes bounded; a receiver commits each group of messages to its {@link io.imr.bench.peer.PeerStore}
 * before it delivers the group and acknowledges its last message, and on every open it starts its consumer again
 * from the position its store committed (see {@link JetStreamReceiver}).
 *
 * <p><b>Settings</b>, measured on a 2-core machine, 1 sender to 1 receiver, 100,000 messages of 256 bytes,
 * saturating, from the first send to the receiver's last commit, while other work loaded the machine (three runs
 * each; the runs vary by a third):
 * a sender window of 200 unconfirmed publishes and pulls of 1,000 messages gave 9,800-12,100 msg/s; windows
 * of 50, 100, 1,000 and 5,000 and pulls of 256 and 4,096 did no better (7,700-12,700). jnats'
 * {@code publishAsync} instead of the sender's own ack subscription gave 4,000-5,700.
 *
 * <p><b>Durability.</b> nats-server v2.9 acknowledges a publish once the message is written to its file store,
 * without {@code fsync}: it syncs on a timer (every two minutes), and v2.9 has no {@code sync_interval} to
 * change that. The receivers commit durably (two syncs a commit).
 */
public final class JetStreamTarget implements Target {

    /** The stream every message goes to. */
    public static final String STREAM = "INBOX";
    /** The subjects of the stream: {@code inbox.USER}. */
    public static final String SUBJECTS = "inbox.>";
    /** How long the stream remembers a {@code Nats-Msg-Id}, so that a re-published message is stored once. */
    public static final Duration DUPLICATE_WINDOW = Duration.ofMinutes(2);
    /**
     * The most messages a device's consumer lets out unacknowledged. A receiver acknowledges once per committed
     * group (AckAll), so this only has to stay well above what it pulls ahead of its commits, so that the
     * server never stalls a receiver for it. (Not -1: jnats takes -1 for "unset" and does not send it, and
     * nats-server then applies its default, 1,000.)
     */
    static final long MAX_ACK_PENDING = 1_000_000;
    /** The consumer's redelivery timer; well above any commit, so that it does not redeliver while a group commits. */
    static final Duration ACK_WAIT = Duration.ofMinutes(1);

    /** The characters a subject token and a consumer name may both hold. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

    @Override
    public String name() {
        return "jetstream";
    }

    @Override
    public Broker startBroker(Path dir) throws Exception {
        return JetStreamBroker.start(dir);
    }

    /**
     * Creates the device's durable consumer (from the start of the stream) unless it exists. The stream keeps
     * every message anyway (limits retention, no age limit), so this is what a real device would do when it is
     * set up, not what keeps its messages; its receiver starts the consumer again from its own position.
     */
    @Override
    public void register(ClientSpec device) throws Exception {
        try (Connection connection = connect(device.address(), "register-" + device.user() + "-" + device.device())) {
            JetStreamManagement jsm = connection.jetStreamManagement();
            String durable = durable(device);
            if (consumerExists(jsm, durable)) {
                return;
            }
            jsm.addOrUpdateConsumer(STREAM, consumerConfig(device, 0));
        }
    }

    @Override
    public Sender openSender(ClientSpec spec) throws Exception {
        return JetStreamSender.open(spec, JetStreamSender.DEFAULT_WINDOW);
    }

    @Override
    public Receiver openReceiver(ClientSpec spec, Receiver.Delivered delivered) throws Exception {
        return JetStreamReceiver.open(spec, delivered, JetStreamReceiver.DEFAULT_BATCH);
    }

    /** The subject of messages to {@code user}. */
    static String subject(String user) {
        return "inbox." + checkName(user, "user");
    }

    /** The durable consumer of a receiving device. */
    static String durable(ClientSpec device) {
        return checkName(device.user(), "user") + "-" + checkName(device.device(), "device");
    }

    /**
     * The device's consumer, starting right after {@code position} (a stream sequence its store committed; 0
     * for the start of the stream).
     */
    static ConsumerConfiguration consumerConfig(ClientSpec device, long position) {
        ConsumerConfiguration.Builder b = ConsumerConfiguration.builder()
                .durable(durable(device))
                .filterSubject(subject(device.user()))
                .ackPolicy(AckPolicy.All)
                .ackWait(ACK_WAIT)
                .maxAckPending(MAX_ACK_PENDING);
        if (position <= 0) {
            b.deliverPolicy(DeliverPolicy.All);
        } else {
            b.deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(position + 1);
        }
        return b.build();
    }

    static boolean consumerExists(JetStreamManagement jsm, String durable) throws IOException, JetStreamApiException {
        try {
            jsm.getConsumerInfo(STREAM, durable);
            return true;
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == 10014 || e.getErrorCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** A connection to the broker at {@code address}, no reconnects: a broken connection fails the run. */
    static Connection connect(String address, String name) throws IOException, InterruptedException {
        Options options = Options.builder()
                .server(address)
                .connectionName(name)
                .noReconnect()
                .connectionTimeout(Duration.ofSeconds(10))
                .build();
        return Nats.connect(options);
    }

    private static String checkName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a JetStream " + what + " name must be letters, digits, '-' or '_': " + name);
        }
        return name;
    }
}
