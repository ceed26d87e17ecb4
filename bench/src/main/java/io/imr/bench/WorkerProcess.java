package io.imr.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The bench's side of a worker process ({@link Worker}): starts it, reads its lines, tells it to go and exit. */
final class WorkerProcess implements AutoCloseable {

    private final String role;
    private final Process process;
    private final PrintWriter in;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> warm = new CompletableFuture<>();
    private final CompletableFuture<Map<String, String>> result = new CompletableFuture<>();
    private final AtomicLong progress = new AtomicLong();
    private final Path log;

    private WorkerProcess(String role, Process process, Path log) {
        this.role = role;
        this.process = process;
        this.log = log;
        this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(this::read, "worker-" + role);
        reader.setDaemon(true);
        reader.start();
    }

    static WorkerProcess start(String role, List<String> jvmArgs, List<String> args, Path log) throws IOException {
        Process p = new ProcessBuilder(JavaProcess.command(jvmArgs, Worker.class.getName(), args))
                .redirectError(log.toFile()).start();
        return new WorkerProcess(role, p, log);
    }

    private void read() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.equals(WorkerLink.READY)) {
                    ready.complete(null);
                } else if (line.equals(WorkerLink.WARM)) {
                    warm.complete(null);
                } else if (line.startsWith(WorkerLink.PROGRESS)) {
                    progress.set(Long.parseLong(line.substring(WorkerLink.PROGRESS.length())));
                } else if (line.startsWith(WorkerLink.RESULT)) {
                    result.complete(parse(line.substring(WorkerLink.RESULT.length())));
                } else if (line.startsWith(WorkerLink.ERROR)) {
                    fail(line.substring(WorkerLink.ERROR.length()));
                }
            }
        } catch (IOException | RuntimeException e) {
            fail(e.toString());
        }
        fail("it exited" + (process.isAlive() ? "" : " with " + process.exitValue()));
    }

    private void fail(String why) {
        IllegalStateException e = new IllegalStateException("the " + role + " process failed: " + why + " (see " + log
                + ")");
        ready.completeExceptionally(e);
        warm.completeExceptionally(e);
        result.completeExceptionally(e);
    }

    private static Map<String, String> parse(String line) {
        Map<String, String> m = new HashMap<>();
        for (String kv : line.trim().split(" ")) {
            int eq = kv.indexOf('=');
            m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return m;
    }

    void awaitReady() throws Exception {
        ready.get(5, TimeUnit.MINUTES);
    }

    void awaitWarm() throws Exception {
        warm.get(10, TimeUnit.MINUTES);
    }

    void go() {
        in.println(WorkerLink.GO);
    }

    long progress() {
        return progress.get();
    }

    CompletableFuture<Map<String, String>> result() {
        return result;
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    /** Tells it to exit and waits; kills it when it does not. */
    @Override
    public void close() {
        try {
            in.println(WorkerLink.EXIT);
            in.close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
