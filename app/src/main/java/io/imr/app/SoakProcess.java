package io.imr.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One {@code imr} command run by a soak in a JVM of its own, from the same class path as the soak's: its stdout and
 * stderr go to a log file (appended to across restarts, so a process's whole life is in one file), and its stdout
 * lines are also kept for whoever waits for one (the server's "listening on").
 */
final class SoakProcess {

    /**
     * Small heaps, and the client compiler only: a soak runs seven JVMs on a few cores and restarts one every second
     * or so, where C2's compile time would cost more than it saves.
     */
    private static final List<String> JVM = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    final String name;
    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private final Path log;

    private SoakProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        Thread pump = new Thread(() -> pump(log), "soak-" + name);
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts {@code imr args...}, logging to this file. */
    static SoakProcess start(String name, Path log, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Imr.class.getName());
        command.addAll(args);
        try {
            Files.writeString(log, "=== " + String.join(" ", args) + System.lineSeparator(), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new SoakProcess(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + ": " + e.getMessage(), e);
        }
    }

    private void pump(Path log) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             OutputStream out = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
                out.write((line + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** Whether its log (stdout and stderr) holds {@code text} within the timeout, while it runs. */
    boolean awaitLog(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (Files.readString(log).contains(text)) {
                    return true;
                }
            } catch (IOException e) {
                // not written yet
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** The next stdout line, or null if none came within the timeout or the process ended without one. */
    String nextLine(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(20, TimeUnit.MILLISECONDS);
            if (line != null) {
                return line;
            }
            if (!process.isAlive()) {
                return lines.poll(200, TimeUnit.MILLISECONDS);
            }
        }
        return null;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The exit code, or null while it runs. */
    Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    /** SIGKILL, as {@code kill -9} does; returns once the process is gone. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM; the exit code, or null if it did not end within the timeout (it is then killed). */
    Integer terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return waitFor(timeout);
    }

    /** Waits for the end; the exit code, or null if it did not end within the timeout (it is then killed). */
    Integer waitFor(Duration timeout) throws InterruptedException {
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        kill9();
        return null;
    }
}
