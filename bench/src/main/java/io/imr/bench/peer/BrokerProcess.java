package io.imr.bench.peer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A broker program run as a child process: started with its output into a log file in its folder, awaited
 * until its port accepts connections, stopped with SIGTERM and, after five seconds, SIGKILL.
 */
public final class BrokerProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private BrokerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** A free TCP port on 127.0.0.1 (free when asked; the broker binds it right after). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code command} with its output into {@code log}, and waits until 127.0.0.1:{@code port} accepts. */
    public static BrokerProcess start(List<String> command, Path log, int port) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        BrokerProcess b = new BrokerProcess(p, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            if (!p.isAlive()) {
                throw new IOException(command.get(0) + " exited with " + p.exitValue() + " before accepting; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return b;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    b.close();
                    throw new IOException(command.get(0) + " did not accept on port " + port + " within 30 s; see " + log);
                }
                Thread.sleep(20);
            }
        }
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
