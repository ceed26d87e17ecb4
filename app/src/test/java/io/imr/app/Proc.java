package io.imr.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The real {@code imr} jar run as a separate process, with its stdout lines and stderr captured. */
final class Proc implements AutoCloseable {

    static final Path JAR = Path.of(System.getProperty("imr.jar", "target/imr.jar"));

    final Process process;
    final LinkedBlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    final List<String> outLines = new ArrayList<>();
    final StringBuffer stderr = new StringBuffer();
    private final Thread outPump;
    private final Thread errPump;

    private Proc(Process process) {
        this.process = process;
        Thread o = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)), true), "stdout");
        Thread e = new Thread(() -> pump(new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8)), false), "stderr");
        o.setDaemon(true);
        e.setDaemon(true);
        o.start();
        e.start();
        outPump = o;
        errPump = e;
    }

    static Proc start(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-jar");
        command.add(JAR.toAbsolutePath().toString());
        command.addAll(List.of(args));
        return new Proc(new ProcessBuilder(command).start());
    }

    /** Runs to the end (at most the timeout) and returns the exit code. */
    static Proc run(Duration timeout, String... args) throws Exception {
        Proc p = start(args);
        if (!p.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.process.destroyForcibly();
            throw new AssertionError("imr " + String.join(" ", args) + " did not finish within " + timeout
                    + "; stderr: " + p.stderr);
        }
        p.drain();
        return p;
    }

    private void pump(BufferedReader reader, boolean out) {
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                if (out) {
                    stdout.add(line);
                } else {
                    stderr.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** The next stdout line, waiting at most the timeout. */
    String nextLine(Duration timeout) throws InterruptedException {
        String line = stdout.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError("no stdout line within " + timeout + "; stderr: " + stderr);
        }
        outLines.add(line);
        return line;
    }

    /**
     * The next stdout line, or null when the process ended without printing one (waiting at most the
     * timeout for either).
     */
    String nextLineOrNull(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = stdout.poll(20, TimeUnit.MILLISECONDS);
            if (line != null) {
                outLines.add(line);
                return line;
            }
            if (!process.isAlive()) {
                line = stdout.poll(200, TimeUnit.MILLISECONDS);
                if (line != null) {
                    outLines.add(line);
                }
                return line;
            }
        }
        throw new AssertionError("no stdout line within " + timeout + "; stderr: " + stderr);
    }

    /** Waits until stderr holds this text, at most the timeout. */
    void awaitStderr(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!stderr.toString().contains(text)) {
            if (!process.isAlive() && process.exitValue() == 0) {
                return; // it finished its work (it may have had nothing left to do)
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("no \"" + text + "\" on stderr within " + timeout + " (alive: "
                        + process.isAlive() + "); stderr: " + stderr);
            }
            Thread.sleep(20);
        }
    }

    /** Waits for the end of the output streams after the process ended. */
    void drain() throws InterruptedException {
        // The streams end once the process ended (unless a child of it holds them): read them to their end.
        outPump.join(5_000);
        errPump.join(5_000);
        String line;
        while ((line = stdout.poll()) != null) {
            outLines.add(line);
        }
    }

    int exitCode() {
        return process.exitValue();
    }

    int waitFor(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("process did not end within " + timeout + "; stderr: " + stderr);
        }
        drain();
        return process.exitValue();
    }

    String stderr() {
        return stderr.toString();
    }

    /**
     * SIGTERM, keeping what the process still writes on its way out ({@link Process#destroy()} would
     * close its streams at once).
     */
    void terminate() {
        process.toHandle().destroy();
    }

    /** SIGKILL, as kill -9 does. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
