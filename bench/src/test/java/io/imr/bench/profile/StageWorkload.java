package io.imr.bench.profile;

import io.imr.api.Checksums;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Send;
import io.imr.wire.FrameCodec;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.zip.CRC32C;

/**
 * A process for {@link StageProfilerTest} to record: keeps one thread hot in known code, first
 * to warm up (loading its classes, compiling it), then, after printing {@code measuring from
 * INSTANT}, until it has used MILLIS of CPU (or five times that in wall time, on a crowded
 * machine); then exits normally (so the recording is written).
 *
 * <p>Usage: {@code StageWorkload crc|codec|loop MILLIS}
 * <ul>
 *   <li>{@code crc}: CRC32C over 4 KiB blocks (run it with {@code -XX:-UseCRC32CIntrinsics}, or JFR
 *       sees almost none of it);</li>
 *   <li>{@code codec}: encodes and decodes {@code Send} frames with imr's {@link FrameCodec};</li>
 *   <li>{@code loop}: arithmetic in this class, i.e. the bench's own code.</li>
 * </ul>
 */
public final class StageWorkload {

    private StageWorkload() {
    }

    public static void main(String[] args) {
        String mode = args[0];
        long budget = Long.parseLong(args[1]) * 1_000_000L;
        long sink = run(mode, budget / 2);
        System.out.println("measuring from " + Instant.now());
        sink += run(mode, budget);
        System.out.println(mode + " " + sink);
    }

    private static long run(String mode, long cpuNanos) {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long cpuUntil = cpu.getCurrentThreadCpuTime() + cpuNanos;
        long until = System.nanoTime() + 5 * cpuNanos;
        long sink = 0;
        while (cpu.getCurrentThreadCpuTime() < cpuUntil && System.nanoTime() < until) {
            sink += switch (mode) {
                case "crc" -> crc();
                case "codec" -> codec();
                case "loop" -> loop(sink);
                default -> throw new IllegalArgumentException("mode " + mode);
            };
        }
        return sink;
    }

    private static final byte[] BLOCK = new byte[4096];

    static long crc() {
        long sum = 0;
        for (int i = 0; i < 100; i++) {
            CRC32C crc = new CRC32C();
            crc.update(BLOCK, 0, BLOCK.length);
            sum += crc.getValue();
        }
        return sum;
    }

    private static final FrameCodec CODEC = new FrameCodec();
    private static final byte[] PAYLOAD = new byte[256];
    private static final int PAYLOAD_CRC = Checksums.crc32c(PAYLOAD);
    private static int counter;

    static long codec() {
        long sum = 0;
        for (int i = 0; i < 100; i++) {
            byte[] body = CODEC.encode(Send.of("outbox", ++counter, "bob", PAYLOAD, PAYLOAD_CRC));
            Frame back = CODEC.decode(body);
            sum += body.length + back.type().length();
        }
        return sum;
    }

    static long loop(long seed) {
        long s = seed;
        for (int i = 0; i < 100_000; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            s ^= s >>> 29;
        }
        return s;
    }
}
