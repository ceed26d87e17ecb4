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

    /** Waits for the end of the output streams after the process ended. */
    void drain() throws InterruptedException {
        Thread.sleep(50);
        String line;
        while ((line = stdout.poll(200, TimeUnit.MILLISECONDS)) != null) {
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
