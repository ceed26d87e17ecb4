package io.imr.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The machine a run measured: what its figures hold for.
 *
 * @param syncsPerSecond how many times a second the disk under the run's folder took a 4 KiB append and its
 *                       {@code fdatasync}, one after the other: what every durable commit waits for
 */
public record Machine(String cpu, int cores, long memoryMiB, String os, String java, double syncsPerSecond) {

    /** Appends and syncs of the disk probe. */
    static final int PROBE_SYNCS = 300;

    /** This machine, with its disk probed in {@code dir}. */
    public static Machine current(Path dir) throws IOException {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: the name stays unknown
        }
        long memory = 0;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize() >> 20;
        }
        return new Machine(cpu, Runtime.getRuntime().availableProcessors(), memory,
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), probeSyncs(dir));
    }

    static double probeSyncs(Path dir) throws IOException {
        Path file = Files.createTempFile(dir, "sync-probe", ".bin");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer block = ByteBuffer.allocate(4096);
            long start = System.nanoTime();
            for (int i = 0; i < PROBE_SYNCS; i++) {
                block.clear();
                while (block.hasRemaining()) {
                    ch.write(block);
                }
                ch.force(false);
            }
            return PROBE_SYNCS / ((System.nanoTime() - start) / 1e9);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Override
    public String toString() {
        return cores + " cores (" + cpu + "), " + String.format("%,d", memoryMiB) + " MiB, " + os + ", " + java
                + "; disk: " + String.format("%,.0f", syncsPerSecond) + " syncs/s (4 KiB append + fdatasync)";
    }
}
