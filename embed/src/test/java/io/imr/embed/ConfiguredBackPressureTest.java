package io.imr.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Welcome;
import io.imr.api.option.InvalidOptionException;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.transport.vertx.BackPressure;
import io.imr.transport.vertx.TransportStats;
import io.imr.wire.FrameCodec;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The transport's back-pressure bounds, set as settings")
class ConfiguredBackPressureTest {

    private static final byte[] SECRET = new byte[32];

    @TempDir
    Path dir;

    private static String token(String user, String device) {
        return new HmacTokens(SECRET).mint(new Principal(user, device), Duration.ofHours(1), System.currentTimeMillis());
    }

    private static double meter(MeterRegistry registry, String name) {
        var gauge = registry.find(name).tag("side", "server").gauge();
        return gauge != null ? gauge.value() : registry.get(name).tag("side", "server").functionCounter().count();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    @DisplayName("a server whose write-limit is set in its properties closes a device that reads nothing as a slow"
            + " consumer at that limit, far below the default one")
    void slowConsumerAtTheConfiguredLimit() throws Exception {
        int highWater = 16 << 10;
        int limit = 64 << 10;
        ImrConfig settings = ImrConfig.of(Map.of(
                ImrConfig.SERVER_WRITE_HIGH_WATER, String.valueOf(highWater),
                ImrConfig.SERVER_WRITE_LIMIT, String.valueOf(limit),
                ImrConfig.SERVER_SOCKET_BUFFER, String.valueOf(8 << 10),
                // The server pushes everything to a device without waiting for its confirmations.
                "imr.strategy.hybrid.window", "65536",
                "imr.strategy.hybrid.window-bytes", String.valueOf(1 << 30)));
        ImrServer server = ImrServer.builder().config(settings).dataDir(dir.resolve("server")).secret(SECRET)
                .strategy("hybrid").build();
        assertThat(server.backPressure()).isEqualTo(new BackPressure(highWater, highWater / 2, limit, 8 << 10));
        Cluster.join(server.start());
        int port = server.tcpAddress().getPort();
        int messages = 2_000;
        int size = 200;
        try (Socket bob = new Socket()) {
            bob.setReceiveBufferSize(4 << 10);
            bob.setSoTimeout(30_000);
            bob.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            FrameCodec codec = new FrameCodec();
            OutputStream out = bob.getOutputStream();
            DataInputStream in = new DataInputStream(bob.getInputStream());
            out.write(codec.encodeWithLength(new Hello(Frame.PROTOCOL_VERSION, token("bob", "phone"), "bob", "phone",
                    List.of("hybrid"), 0, 0, "", "", 1)));
            out.flush();
            byte[] welcome = new byte[in.readInt()];
            in.readFully(welcome);
            assertThat(codec.decode(welcome)).isInstanceOf(Welcome.class);
            // From here on bob's device reads nothing, while alice sends it 400 KB (below the default
            // high-water mark of 1 MiB: only the configured limit closes it).

            // A small send window keeps alice's batches, and so the server's commits and the Deliver frames it
            // pushes to bob, at a few KB: a frame alone may pass the limit (the transport queues one frame for an
            // idle peer whatever its size), and this test is about many frames.
            ImrClient alice = ImrClient.builder().server("127.0.0.1:" + port).user("alice").device("laptop")
                    .token(token("alice", "laptop")).dataDir(dir.resolve("alice")).strategies("hybrid")
                    .sendWindow(16).build();
            try {
                Cluster.join(alice.start());
                List<CompletableFuture<Long>> sent = new ArrayList<>();
                byte[] payload = new byte[size];
                for (int i = 0; i < messages; i++) {
                    payload[0] = (byte) i;
                    sent.add(alice.send("bob", payload.clone()).toCompletableFuture());
                }
                CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            } finally {
                Cluster.join(alice.close());
            }

            MeterRegistry meters = server.meterRegistry();
            await("the server closed bob's device as a slow consumer",
                    () -> meter(meters, TransportStats.SLOW_CONSUMERS) == 1);
            assertThat(meter(meters, TransportStats.QUEUED_BYTES_MAX)).as("the most queued for one peer")
                    .isGreaterThan(highWater).isLessThanOrEqualTo(limit);
            await("the server ended bob's session", () -> server.sessions() == 0);
            long read = 0;
            byte[] buffer = new byte[64 << 10];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    read += n;
                }
            } catch (EOFException | SocketException e) {
                // reset by the server: ended all the same
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            assertThat(read).as("what bob's socket held, then the end: less than was pushed")
                    .isLessThan((long) messages * size);
        } finally {
            Cluster.join(server.close());
        }
    }

    @Test
    @DisplayName("a bad bound fails naming the setting or the option, its range and the value")
    void badBounds() {
        ImrServer.Builder server = ImrServer.builder().dataDir(dir.resolve("server"));
        assertThatThrownBy(() -> server.config(ImrConfig.of(Map.of(ImrConfig.SERVER_WRITE_LIMIT, "1k"))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("imr.server.write-limit must be a whole number from 2048 to 2147483647, got \"1k\"");
        assertThatThrownBy(() -> ImrServer.builder().dataDir(dir).socketBuffer(-1).build())
                .isInstanceOf(InvalidOptionException.class)
                .hasMessage("option socket-buffer must be a whole number from 0 to 1073741824, got -1");
        assertThatThrownBy(() -> ImrServer.builder().config(ImrConfig.of(Map.of(ImrConfig.SERVER_WRITE_LIMIT, "65536",
                ImrConfig.SERVER_DATA, dir.toString()))).build())
                .isInstanceOf(InvalidOptionException.class)
                .hasMessage("option write-limit (65536 bytes) must be above write-high-water (1048576 bytes): a"
                        + " connection pauses at its high-water mark before it is closed as a slow consumer");
        assertThatThrownBy(() -> ImrClient.builder().server("127.0.0.1:7000").user("bob").device("phone").token("t")
                .dataDir(dir).strategies("ack").config(ImrConfig.of(Map.of(ImrConfig.CLIENT_WRITE_HIGH_WATER, "100"))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("imr.client.write-high-water must be a whole number from 1024 to 1073741824, got \"100\"");
    }
}
