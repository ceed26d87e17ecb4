package io.imr.bench.jetstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.bench.Broker;
import io.imr.bench.ClientSpec;
import io.imr.bench.Receiver;
import io.imr.bench.Sender;
import io.imr.bench.WireCount;
import io.nats.client.Connection;
import io.nats.client.FetchConsumer;
import io.nats.client.Message;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JetStream peer against a real nats-server on 127.0.0.1, with real MapDB stores. */
class JetStreamTargetTest {

    private final JetStreamTarget target = new JetStreamTarget();

    @TempDir
    Path tmp;

    @Test
    void deliversEveryMessageOnceInOrderAfterItsCommitAndStopsTheBroker() throws Exception {
        Broker broker = target.startBroker(tmp.resolve("broker"));
        ClientSpec phone = spec(broker, "alice", "phone");
        ClientSpec laptop = spec(broker, "alice", "laptop");
        ClientSpec bob = spec(broker, "bob", "phone");
        try {
            target.register(phone);
            target.register(laptop);
            target.register(bob);
            WireCount senderWire;
            try (Sender sender = target.openSender(spec(broker, "carol", "desk"))) {
                send(sender, "alice", 0, 2_000);
                send(sender, "bob", 0, 100);
                senderWire = sender.wire();
            }
            assertThat(senderWire.payload()).isEqualTo(2_100 * 64L);
            assertThat(senderWire.total()).isGreaterThan(senderWire.payload());
            assertThat(senderWire.confirmation()).isGreaterThan(0);

            Device alicePhone = Device.open(target, phone);
            Device aliceLaptop = Device.open(target, laptop);
            try (alicePhone; aliceLaptop) {
                alicePhone.awaitCount(2_000);
                aliceLaptop.awaitCount(2_000);
                Thread.sleep(200);
                assertThat(alicePhone.received()).containsExactlyElementsOf(payloads("alice", 0, 2_000));
                assertThat(aliceLaptop.received()).containsExactlyElementsOf(payloads("alice", 0, 2_000));
                assertThat(alicePhone.deliveredBeforeCommit.get()).isZero();
                assertThat(aliceLaptop.deliveredBeforeCommit.get()).isZero();

                WireCount wire = alicePhone.receiver.wire();
                assertThat(wire.payload()).isEqualTo(2_000 * 64L);
                assertThat(wire.total()).isGreaterThan(wire.payload());
                assertThat(wire.confirmation()).isGreaterThan(0).isLessThan(wire.total() - wire.payload());
                assertThat(alicePhone.receiver.commits()).isPositive();
                assertThat(alicePhone.receiver.syncs()).isEqualTo(2 * alicePhone.receiver.commits());

                try (Connection c = JetStreamTarget.connect(broker.address(), "inspect")) {
                    ConsumerInfo info = c.jetStreamManagement().getConsumerInfo(JetStreamTarget.STREAM, "alice-phone");
                    assertThat(info.getConsumerConfiguration().getMaxAckPending())
                            .isEqualTo(JetStreamTarget.MAX_ACK_PENDING);
                    assertThat(info.getConsumerConfiguration().getAckPolicy()).isEqualTo(AckPolicy.All);
                    assertThat(info.getConsumerConfiguration().getFilterSubject()).isEqualTo("inbox.alice");
                }
            }
            try (Device bobPhone = Device.open(target, bob)) {
                bobPhone.awaitCount(100);
                assertThat(bobPhone.received()).containsExactlyElementsOf(payloads("bob", 0, 100));
            }
        } finally {
            broker.close();
        }
        assertThat(broker.process().isAlive()).isFalse();
    }

    @Test
    void aReopenedReceiverGetsExactlyWhatItHadNotCommitted() throws Exception {
        try (Broker broker = target.startBroker(tmp.resolve("broker"))) {
            ClientSpec phone = spec(broker, "alice", "phone");
            target.register(phone);
            try (Sender sender = target.openSender(spec(broker, "carol", "desk"))) {
                send(sender, "alice", 0, 500);
                try (Device first = Device.open(target, phone)) {
                    first.awaitCount(500);
                }
                send(sender, "alice", 500, 700);
            }
            try (Device second = Device.open(target, phone)) {
                second.awaitCount(200);
                Thread.sleep(300);
                assertThat(second.received()).containsExactlyElementsOf(payloads("alice", 500, 700));
                assertThat(second.deliveredBeforeCommit.get()).isZero();
            }
        }
    }

    /**
     * The hard case: the consumer's acknowledgement floor is past what the device committed (a device that
     * was delivered messages, acknowledged a later one, and died before its store committed them: here a
     * stray client on the device's consumer pulls and acknowledges ahead). Resuming the durable consumer would
     * lose them; the receiver starts it again from its store's position.
     */
    @Test
    void aReopenedReceiverGetsWhatItsConsumerAcknowledgedBeyondItsStore() throws Exception {
        try (Broker broker = target.startBroker(tmp.resolve("broker"))) {
            ClientSpec phone = spec(broker, "alice", "phone");
            target.register(phone);
            try (Sender sender = target.openSender(spec(broker, "carol", "desk"))) {
                send(sender, "alice", 0, 300);
                try (Device first = Device.open(target, phone)) {
                    first.awaitCount(300);
                }
                send(sender, "alice", 300, 800);
            }
            try (Connection stray = JetStreamTarget.connect(broker.address(), "stray")) {
                var consumer = stray.getConsumerContext(JetStreamTarget.STREAM, JetStreamTarget.durable(phone));
                // Acknowledges stream message 700 (ack-all: and all before it). Not simply the last fetched: the
                // first device's pull request may still be open on the server and take some messages, which
                // shifts what one fetch returns.
                Message seven = null;
                for (int fetches = 0; seven == null && fetches < 10; fetches++) {
                    try (FetchConsumer fetch = consumer.fetchMessages(500)) {
                        for (Message m = fetch.nextMessage(); m != null; m = fetch.nextMessage()) {
                            if (m.metaData().streamSequence() == 700) {
                                seven = m;
                            }
                        }
                    }
                }
                assertThat(seven).as("stream message 700, fetched").isNotNull();
                seven.ackSync(Duration.ofSeconds(5));
                ConsumerInfo info = consumer.getConsumerInfo();
                assertThat(info.getAckFloor().getStreamSequence()).isEqualTo(700);
            }
            try (Device second = Device.open(target, phone)) {
                second.awaitCount(500);
                Thread.sleep(300);
                assertThat(second.received()).containsExactlyElementsOf(payloads("alice", 300, 800));
            }
        }
    }

    /**
     * A publish the broker cannot take (here: its stream is gone for a while, so nobody answers) is published
     * again until the stream stores it; the stream keeps one copy of a message id within its duplicate window.
     */
    @Test
    void aPublishWithoutAnAckIsPublishedAgainAndTheStreamStoresEachMessageIdOnce() throws Exception {
        try (Broker broker = target.startBroker(tmp.resolve("broker"));
                Connection admin = JetStreamTarget.connect(broker.address(), "admin")) {
            var jsm = admin.jetStreamManagement();
            try (JetStreamSender sender = (JetStreamSender) target.openSender(spec(broker, "carol", "desk"))) {
                jsm.deleteStream(JetStreamTarget.STREAM);
                CountDownLatch confirmed = new CountDownLatch(20);
                for (String p : payloads("alice", 0, 20)) {
                    sender.send("alice", p.getBytes(StandardCharsets.UTF_8), confirmed::countDown);
                }
                Thread.sleep(500);
                assertThat(confirmed.getCount()).isEqualTo(20);
                jsm.addStream(JetStreamBroker.streamConfig());
                assertThat(confirmed.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(sender.republished()).isPositive();
                assertThat(sender.wire().payload()).isGreaterThan(20 * 64L);
            }
            assertThat(jsm.getStreamInfo(JetStreamTarget.STREAM).getStreamState().getMsgCount()).isEqualTo(20);

            var js = admin.jetStream();
            var headers = new io.nats.client.impl.Headers().put("Nats-Msg-Id", "carol-desk-same");
            assertThat(js.publish("inbox.alice", headers, new byte[64]).isDuplicate()).isFalse();
            assertThat(js.publish("inbox.alice", headers, new byte[64]).isDuplicate()).isTrue();
            assertThat(jsm.getStreamInfo(JetStreamTarget.STREAM).getStreamState().getMsgCount()).isEqualTo(21);
        }
    }

    private ClientSpec spec(Broker broker, String user, String device) {
        return new ClientSpec(broker.address(), user, device, tmp.resolve(user + "-" + device), null, null);
    }

    /** Sends messages {@code from} (inclusive) to {@code to} (exclusive) and waits until all are confirmed. */
    private static void send(Sender sender, String user, int from, int to) throws Exception {
        CountDownLatch confirmed = new CountDownLatch(to - from);
        for (String p : payloads(user, from, to)) {
            sender.send(user, p.getBytes(StandardCharsets.UTF_8), confirmed::countDown);
        }
        assertThat(confirmed.await(20, TimeUnit.SECONDS)).as("all confirmed").isTrue();
    }

    /** Distinct 64-byte payloads. */
    private static List<String> payloads(String user, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> String.format("%-64s", user + "-" + i)).toList();
    }

    /** A receiver and what it delivered, checking that each delivery comes after the commit that holds it. */
    private static final class Device implements AutoCloseable {
        final List<String> received = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger deliveredBeforeCommit = new AtomicInteger();
        JetStreamReceiver receiver;

        static Device open(JetStreamTarget target, ClientSpec spec) throws Exception {
            Device d = new Device();
            AtomicReference<JetStreamReceiver> holder = new AtomicReference<>();
            CountDownLatch opened = new CountDownLatch(1);
            Receiver r = target.openReceiver(spec, payload -> {
                try {
                    opened.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (holder.get().committedMessages() < d.received.size() + 1) {
                    d.deliveredBeforeCommit.incrementAndGet();
                }
                d.received.add(new String(payload, StandardCharsets.UTF_8));
            });
            d.receiver = (JetStreamReceiver) r;
            holder.set(d.receiver);
            opened.countDown();
            return d;
        }

        List<String> received() {
            synchronized (received) {
                return List.copyOf(received);
            }
        }

        void awaitCount(int n) throws InterruptedException {
            await(() -> received.size() >= n, () -> "receiving " + n + " messages (got " + received.size() + ")");
        }

        @Override
        public void close() throws Exception {
            receiver.close();
        }
    }

    private static void await(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out " + what.get());
            }
            Thread.sleep(10);
        }
    }
}
