package io.imr.bench.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.bench.Broker;
import io.imr.bench.ClientSpec;
import io.imr.bench.Receiver;
import io.imr.bench.Sender;
import io.imr.bench.WireCount;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/** The MQTT peer against a real Mosquitto on 127.0.0.1, with real device databases. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MqttTargetTest {

    private static final int SIZE = 64;

    @TempDir
    Path tmp;

    @Test
    void deliversEveryMessageOnceInOrderAfterItsCommit() throws Exception {
        MqttTarget target = new MqttTarget();
        assertThat(target.name()).isEqualTo("mqtt");
        Broker broker = target.startBroker(tmp.resolve("broker"));
        try {
            assertThat(broker.address()).startsWith("tcp://127.0.0.1:");
            assertThat(broker.counters()).isEmpty();
            ClientSpec bob = spec(broker, "bob", "phone");
            target.register(bob);

            int n = 2000;
            Sender sender = target.openSender(spec(broker, "alice", "laptop"));
            CountDownLatch confirmed = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                sender.send("bob", payload(i), confirmed::countDown);
            }
            assertThat(confirmed.await(20, TimeUnit.SECONDS)).as("all PUBACKs").isTrue();

            Collector got = new Collector();
            MqttReceiver receiver = openWatched(bob, got);
            await(() -> got.indices.size() >= n);
            Thread.sleep(200); // nothing more comes
            assertThat(got.indices).containsExactlyElementsOf(range(0, n));
            assertThat(got.notYetStored).as("delivered before its commit").isZero();
            assertThat(receiver.commits()).isBetween(1L, (long) n);
            assertThat(receiver.syncs()).isEqualTo(2 * receiver.commits());
            assertThat(receiver.lost()).isNull();

            receiver.close();
            sender.close();
            assertThat(storedIndices(bob)).containsExactlyElementsOf(range(0, n));

            WireCount out = sender.wire();
            assertThat(out.payload()).isEqualTo((long) n * SIZE);
            assertThat(out.total()).isGreaterThan(out.payload());
            assertThat(out.control()).isGreaterThan(0);
            assertThat(out.confirmation()).isZero();
            assertThat(sender.syncs()).isZero();

            WireCount in = receiver.wire();
            assertThat(in.payload()).isEqualTo((long) n * SIZE);
            assertThat(in.total()).isGreaterThan(in.payload());
            assertThat(in.control()).isGreaterThan(0);
            // 4 bytes per PUBACK, plus CONNECT, SUBSCRIBE and DISCONNECT
            assertThat(in.confirmation()).isGreaterThanOrEqualTo(4L * n).isLessThan(4L * n + 200);
        } finally {
            broker.close();
        }
        assertThat(broker.process().isAlive()).isFalse();
    }

    @Test
    void aReopenedReceiverGetsTheRestAndNothingTwice() throws Exception {
        MqttTarget target = new MqttTarget();
        try (Broker broker = target.startBroker(tmp.resolve("broker"))) {
            ClientSpec bob = spec(broker, "bob", "phone");
            target.register(bob);
            int online = 3000;
            int n = online + 1000;
            Sender sender = target.openSender(spec(broker, "alice", "laptop"));
            CountDownLatch confirmed = new CountDownLatch(n);
            Collector got = new Collector();
            Receiver first = target.openReceiver(bob, got); // as the bench opens it

            // the device goes offline while messages are still coming in
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < online; i++) {
                        sender.send("bob", payload(i), confirmed::countDown);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            await(() -> got.indices.size() >= 500);
            first.close();
            int beforeReopen = got.indices.size();
            assertThat(beforeReopen).isLessThan(online);
            assertThat(storedIndices(bob)).containsExactlyElementsOf(range(0, beforeReopen));
            sending.get(20, TimeUnit.SECONDS);
            // and more while it is offline
            for (int i = online; i < n; i++) {
                sender.send("bob", payload(i), confirmed::countDown);
            }
            assertThat(confirmed.await(20, TimeUnit.SECONDS)).isTrue();

            MqttReceiver second = openWatched(bob, got);
            await(() -> got.indices.size() >= n);
            Thread.sleep(200);
            second.close();
            sender.close();

            assertThat(got.indices).containsExactlyElementsOf(range(0, n));
            assertThat(got.notYetStored).isZero();
            assertThat(storedIndices(bob)).containsExactlyElementsOf(range(0, n));
        }
    }

    @Test
    void sendBlocksWhileTheWindowIsFullAndGoesOnWhenAPubackFreesIt() throws Exception {
        int window = 4;
        MqttTarget target = new MqttTarget(window, MqttTarget.DEFAULT_BROKER_INFLIGHT);
        try (Broker broker = target.startBroker(tmp.resolve("broker"))) {
            target.register(spec(broker, "bob", "phone"));
            Sender sender = target.openSender(spec(broker, "alice", "laptop"));
            AtomicInteger confirmed = new AtomicInteger();
            sender.send("bob", payload(0), confirmed::incrementAndGet);
            await(() -> confirmed.get() == 1);

            signal("STOP", broker.process());
            CompletableFuture<Void> blocked;
            try {
                for (int i = 1; i <= window; i++) {
                    sender.send("bob", payload(i), confirmed::incrementAndGet); // fills the window, returns
                }
                blocked = CompletableFuture.runAsync(() -> {
                    try {
                        sender.send("bob", payload(window + 1), confirmed::incrementAndGet);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                Thread.sleep(500);
                assertThat(blocked).as("send with a full window").isNotDone();
                assertThat(confirmed.get()).isEqualTo(1);
            } finally {
                signal("CONT", broker.process());
            }
            blocked.get(10, TimeUnit.SECONDS); // completes normally: no REASON_CODE_MAX_INFLIGHT
            await(() -> confirmed.get() == window + 2);
            sender.close();
        }
    }

    @Test
    void aSendWaitingForAPlaceFailsWhenTheConnectionIsLost() throws Exception {
        int window = 4;
        MqttTarget target = new MqttTarget(window, MqttTarget.DEFAULT_BROKER_INFLIGHT);
        Broker broker = target.startBroker(tmp.resolve("broker"));
        Sender sender;
        CompletableFuture<Void> blocked;
        try {
            sender = target.openSender(spec(broker, "alice", "laptop"));
            signal("STOP", broker.process());
            for (int i = 0; i < window; i++) {
                sender.send("bob", payload(i), () -> { });
            }
            blocked = CompletableFuture.runAsync(() -> {
                try {
                    sender.send("bob", payload(window), () -> { });
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            Thread.sleep(200);
            assertThat(blocked).isNotDone();
        } finally {
            signal("KILL", broker.process());
            broker.close();
        }
        assertThatThrownBy(() -> blocked.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(MqttException.class);
        sender.close();
    }

    /** Records what a receiver delivers, and whether its store had committed it by then. */
    private static final class Collector implements Receiver.Delivered {
        final List<Integer> indices = new CopyOnWriteArrayList<>();
        private volatile MqttReceiver receiver;
        private volatile int before;
        volatile int notYetStored;

        /** Watches {@code r} from now on; its store counts from 0. */
        void watch(MqttReceiver r) {
            before = indices.size();
            receiver = r;
        }

        @Override
        public void committed(byte[] payload) {
            indices.add(ByteBuffer.wrap(payload).getInt());
            MqttReceiver r = receiver;
            if (r != null && r.storedMessages() < indices.size() - before) {
                notYetStored++;
            }
        }
    }

    /** Opens a receiver as {@link MqttTarget#openReceiver} does, watched by {@code got} before it connects. */
    private static MqttReceiver openWatched(ClientSpec device, Collector got) throws Exception {
        MqttReceiver r = new MqttReceiver(device, got, new CountingSocketFactory(true));
        got.watch(r);
        r.connect();
        return r;
    }

    private ClientSpec spec(Broker broker, String user, String device) {
        return new ClientSpec(broker.address(), user, device, tmp.resolve(user + "-" + device), null, null);
    }

    private static byte[] payload(int index) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).putInt(index);
        while (b.hasRemaining()) {
            b.put((byte) (index * 31 + b.position()));
        }
        return b.array();
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 20 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static void signal(String signal, ProcessHandle process) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }

    /**
     * The messages in a closed device's database, in the order they were committed. Reads PeerStore's records
     * (one per group: length-prefixed payloads).
     */
    private static List<Integer> storedIndices(ClientSpec device) throws IOException {
        List<Integer> indices = new ArrayList<>();
        try (DB db = DBMaker.fileDB(device.dir().resolve("device.db").toFile()).transactionEnable()
                .fileChannelEnable().readOnly().make()) {
            BTreeMap<Long, byte[]> groups = db.treeMap("groups", Serializer.LONG, Serializer.BYTE_ARRAY).open();
            for (byte[] group : groups.values()) {
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(group));
                while (in.available() > 0) {
                    byte[] payload = new byte[in.readInt()];
                    in.readFully(payload);
                    indices.add(ByteBuffer.wrap(payload).getInt());
                }
            }
        }
        return indices;
    }
}
