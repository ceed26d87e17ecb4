package io.imr.app;

import io.imr.bench.JavaProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The fuzzing JVM's handle on the legitimate pair running in a {@link PairProcess}: the same calls as
 * {@link LegitPair}, each one line to the process and one line back. The process's log is {@code DIR/pair.log}.
 */
final class RemotePair implements AutoCloseable {

    private final Process process;
    private final PrintStream to;
    private final BufferedReader from;
    private final Path log;
    private LegitPair.Delivery delivery;
    /** The answers kept when the process ends: the figures the report reads afterwards. */
    private final Map<String, String> kept = new HashMap<>();
    private static final List<String> KEPT = List.of("latency 0 0.5", "latency 0 0.99", "latency 1 0.5",
            "latency 1 0.99", "count 0", "count 1", "sent");

    /**
     * Starts the process (placed by {@code placement}) and hands it the tokens.
     *
     * @param tcp the server's TCP address, HOST:PORT
     * @param ws  its WebSocket address, ws://HOST:PORT/imr
     */
    RemotePair(Path dir, String tcp, String ws, String senderToken, String receiverToken, Placement placement)
            throws IOException {
        Files.createDirectories(dir);
        log = dir.resolve("pair.log");
        List<String> cmd = placement.defender(JavaProcess.command(List.of("-Xmx512m"), PairProcess.class.getName(),
                List.of(dir.toString(), tcp, ws)));
        process = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        to = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        from = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        to.println(senderToken);
        to.println(receiverToken);
    }

    long pid() {
        return process.pid();
    }

    /** Connects both (each to its first welcome). */
    void start() throws IOException {
        ask("start");
    }

    /** Starts offering {@code rate} messages a second. */
    void offer(double rate) throws IOException {
        ask("offer " + rate);
    }

    void quietPhase() throws IOException {
        ask("quiet");
    }

    void attackPhase() throws IOException {
        ask("attack");
    }

    /** Stops offering and waits until the receiver committed everything sent, at most {@code within}. */
    boolean stopAndDrain(Duration within) throws IOException {
        return Boolean.parseBoolean(ask("drain " + within.toMillis()));
    }

    /** The quantile {@code q} of phase {@code p}'s latencies in milliseconds, NaN for none (p50 and p99 only, once closed). */
    double latencyMillis(int p, double q) throws IOException {
        return Double.parseDouble(ask("latency " + p + " " + q));
    }

    int latencyCount(int p) throws IOException {
        return Integer.parseInt(ask("count " + p));
    }

    int sent() throws IOException {
        return Integer.parseInt(ask("sent").split(" ")[0]);
    }

    int sendFailures() throws IOException {
        return Integer.parseInt(ask("sent").split(" ")[1]);
    }

    /** What the receiver's store holds, compared with what was sent: after {@link #close()}. */
    LegitPair.Delivery delivery() {
        if (delivery == null) {
            throw new IllegalStateException("the pair's delivery is read once it is closed");
        }
        return delivery;
    }

    private String ask(String command) throws IOException {
        if (delivery != null) {
            String answer = kept.get(command);
            if (answer == null) {
                throw new IllegalStateException("the pair's process has ended; \"" + command + "\" was not kept");
            }
            return answer;
        }
        to.println(command);
        String answer = from.readLine();
        // The child's answers are its only lines starting so; anything else a library printed is passed over.
        while (answer != null && !answer.startsWith("ok") && !answer.startsWith("error ")) {
            answer = from.readLine();
        }
        if (answer == null) {
            throw new IOException("the legitimate pair's process ended (exit " + exit() + "); see " + log + ": "
                    + tail());
        }
        if (!answer.startsWith("ok")) {
            throw new IOException("the legitimate pair's process answered \"" + command + "\" with: " + answer
                    + "; see " + log);
        }
        return answer.length() > 3 ? answer.substring(3) : "";
    }

    private String exit() {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "none yet";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (delivery == null && process.isAlive()) {
                Map<String, String> answers = new HashMap<>();
                for (String q : KEPT) {
                    answers.put(q, ask(q));
                }
                String[] n = ask("close").split(" ");
                kept.putAll(answers);
                delivery = new LegitPair.Delivery(Integer.parseInt(n[0]), Integer.parseInt(n[1]),
                        Integer.parseInt(n[2]), Integer.parseInt(n[3]), Integer.parseInt(n[4]), Integer.parseInt(n[5]));
            }
        } finally {
            to.close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
