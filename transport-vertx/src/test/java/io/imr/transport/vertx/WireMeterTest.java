package io.imr.transport.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Checksums;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Send;
import io.imr.api.frame.SendAck;
import io.imr.wire.FrameCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The server's wire meter")
class WireMeterTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("counts a batch that arrives in many reads as its payload and its few control bytes, exactly")
    void aLargeBatchInManyReads() throws Exception {
        AtomicLong total = new AtomicLong();
        AtomicLong payload = new AtomicLong();
        AtomicLong leastControl = new AtomicLong(Long.MAX_VALUE);
        WireMeter meter = (t, p, c) -> {
            total.addAndGet(t);
            payload.addAndGet(p);
            // Meters count control bytes per call (total - payload); they must never be told of a payload
            // whose bytes they were not given with it.
            leastControl.accumulateAndGet(t - p, Math::min);
        };
        FrameCodec codec = new FrameCodec();
        int n = 2_000;
        List<Send.Item> items = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            byte[] bytes = new byte[256];
            bytes[0] = (byte) i;
            items.add(new Send.Item(i, "bob", bytes, Checksums.crc32c(bytes)));
        }
        Send send = new Send("meter", items);
        try (ServerFixture server = new ServerFixture(dir.resolve("server"), BackPressureTest.LIMITS, Map.of(), meter);
             RawDevice alice = new RawDevice(server.port, 64 << 10)) {
            long written = 0;
            long read = 0;
            read += codec.encode(alice.hello(server.token("alice", "laptop"), "alice", "laptop", "hybrid")).length;
            written += codec.encodeWithLength(new io.imr.api.frame.Hello(Frame.PROTOCOL_VERSION,
                    server.token("alice", "laptop"), "alice", "laptop", List.of("hybrid"), 0, 0, "", "", 1)).length;
            alice.write(send);
            alice.flush();
            written += codec.encodeWithLength(send).length;
            long answered = 0;
            while (answered < n) {
                Frame f = alice.read();
                assertThat(f).isInstanceOf(SendAck.class);
                answered += ((SendAck) f).messages();
                read += codec.encode(f).length;
            }

            // The frame of about 540 KB came in many reads: its bytes count once it is whole.
            assertThat(payload.get()).isEqualTo(256L * n);
            assertThat(total.get()).as("every byte the device wrote (with length prefixes), every body it read")
                    .isEqualTo(written + read);
            assertThat(leastControl.get()).as("no count holds more payload than bytes").isNotNegative();
            assertThat((total.get() - payload.get()) / (double) n).as("control bytes per message").isLessThan(20);
        }
    }
}
