package io.imr.app;

import io.imr.api.Message;
import io.imr.bench.JavaProcess;
import io.imr.store.mapdb.MapDbServerStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The server under attack: {@code imr server} in a JVM of its own, as users run it, on loopback with TCP, WebSocket
 * and metrics on free ports, its log in {@code DIR/server.log}; and, once it stopped, what its store holds, read back
 * with the store's own API.
 */
final class FuzzServer implements AutoCloseable {

    private final Process process;
    private final Path dir;
    final String tcp;
    final String ws;
    final String metrics;

    private FuzzServer(Process process, Path dir, String tcp, String ws, String metrics) {
        this.process = process;
        this.dir = dir;
        this.tcp = tcp;
        this.ws = ws;
        this.metrics = metrics;
    }

    /**
     * Starts a server in {@code dir} and waits until it listens.
     *
     * @param settings  {@code imr.*} settings given to it as system properties (hello timeout, heartbeat)
     * @param placement the CPUs it runs on
     */
    static FuzzServer start(Path dir, String strategy, String heap, Map<String, String> settings, Placement placement)
            throws IOException {
        Files.createDirectories(dir);
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap));
        settings.forEach((k, v) -> jvm.add("-D" + k + "=" + v));
        List<String> args = List.of("server", "--listen", "127.0.0.1:0", "--ws-listen", "127.0.0.1:0", "--metrics",
                "127.0.0.1:0", "--data", dir.resolve("data").toString(), "--strategy", strategy);
        Process p = new ProcessBuilder(placement.server(JavaProcess.command(jvm, Imr.class.getName(), args)))
                .redirectError(dir.resolve("server.log").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Map<String, String> lines = new LinkedHashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (lines.size() < 3) {
            String line = out.readLine();
            if (line == null || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IOException("imr server did not start: " + Files.readString(dir.resolve("server.log")).strip());
            }
            int on = line.indexOf(" on ");
            if (on > 0) {
                lines.put(line.substring(0, on), line.substring(on + 4).trim());
            }
        }
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // nothing more is needed from its stdout
                }
            } catch (IOException ignored) {
                // gone
            }
        }, "fuzz-server-stdout");
        drain.setDaemon(true);
        drain.start();
        return new FuzzServer(p, dir, lines.get("listening"), lines.get("websocket"), lines.get("metrics"));
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** The secret its tokens are signed with. */
    Path secretFile() {
        return dir.resolve("data").resolve("secret");
    }

    Path log() {
        return dir.resolve("server.log");
    }

    /**
     * What the server's log (its stderr) says.
     *
     * @param lines      its lines
     * @param complaints lines of an exception that escaped a handler ({@code SEVERE}, "Unhandled exception") or of a
     *                   thread Vert.x's checker saw blocked, counted by kind
     * @param others     its other log records, counted by level, logger and message with numbers as N
     */
    record Log(int lines, Map<String, Integer> complaints, Map<String, Integer> others) {
    }

    private static final java.util.regex.Pattern RECORD =
            java.util.regex.Pattern.compile("^\\d\\d:\\d\\d:\\d\\d (\\w+) (\\S+): (.*)$");

    Log readLog() throws IOException {
        Map<String, Integer> complaints = new java.util.TreeMap<>();
        Map<String, Integer> others = new java.util.TreeMap<>();
        int lines = 0;
        try (BufferedReader r = Files.newBufferedReader(log(), StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                lines++;
                java.util.regex.Matcher m = RECORD.matcher(line);
                String what = m.matches() ? m.group(3).replaceAll("\\d+", "N") : line;
                what = what.length() > 90 ? what.substring(0, 90) + "..." : what;
                if (line.contains("has been blocked for")) {
                    complaints.merge("blocked thread: " + what, 1, Integer::sum);
                } else if (line.contains(" SEVERE ") || line.contains("Unhandled exception")) {
                    complaints.merge("SEVERE: " + what, 1, Integer::sum);
                } else if (m.matches()) {
                    String logger = m.group(2).substring(m.group(2).lastIndexOf('.') + 1);
                    others.merge(m.group(1) + " " + logger + ": " + what, 1, Integer::sum);
                }
            }
        }
        return new Log(lines, complaints, others);
    }

    /** SIGTERM, and its exit code (-1: it did not end within the time given and was killed). */
    int stop(Duration within) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    /**
     * One user's inbox as the stopped server's store holds it.
     *
     * @param maxSeq   the highest seq it ever gave (messages stored in all)
     * @param messages the messages it still holds (retention trims what every device confirmed), in seq order
     */
    record Inbox(long maxSeq, List<Message> messages) {
    }

    /** Every inbox the stopped server's store holds, by user. */
    Map<String, Inbox> storedInboxes() {
        Map<String, Inbox> out = new LinkedHashMap<>();
        try (MapDbServerStore store = MapDbServerStore.open(dir.resolve("data"))) {
            String after = "";
            while (true) {
                List<String> users = store.users(after, 1000);
                if (users.isEmpty()) {
                    break;
                }
                for (String user : users) {
                    List<Message> all = new ArrayList<>();
                    long next = 1;
                    while (true) {
                        List<Message> page = store.read(user, next, 1024);
                        if (page.isEmpty()) {
                            break;
                        }
                        all.addAll(page);
                        next = page.get(page.size() - 1).seq() + 1;
                    }
                    out.put(user, new Inbox(store.inbox(user).maxSeq(), all));
                }
                after = users.get(users.size() - 1);
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
