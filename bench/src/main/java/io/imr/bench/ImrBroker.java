package io.imr.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code imr server} as users run it, in a child JVM: TCP on 127.0.0.1, a data folder, the strategy, and its
 * Prometheus endpoint, which {@link #counters()} reads at the end of a measurement.
 */
public final class ImrBroker implements Broker {

    /** The class whose {@code main} is the {@code imr} command; a system property lets tests name another. */
    static final String MAIN = System.getProperty("imr.bench.main", "io.imr.app.Imr");

    private final Process process;
    private final String address;
    private final String metrics;
    private final Path secretFile;

    private ImrBroker(Process process, String address, String metrics, Path secretFile) {
        this.process = process;
        this.address = address;
        this.metrics = metrics;
        this.secretFile = secretFile;
    }

    public static ImrBroker start(Path dir, String strategy, List<String> jvmArgs) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path secret = dir.resolve("secret");
        List<String> args = List.of("server", "--listen", "127.0.0.1:0", "--data", dir.resolve("data").toString(),
                "--strategy", strategy, "--secret-file", secret.toString(), "--metrics", "127.0.0.1:0");
        Process p = new ProcessBuilder(JavaProcess.command(jvmArgs, MAIN, args))
                .redirectError(dir.resolve("server.log").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String listening = null;
        String metrics = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (listening == null || metrics == null) {
            String line = out.readLine();
            if (line == null || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IOException("imr server did not start; see " + dir.resolve("server.log"));
            }
            if (line.startsWith("listening on ")) {
                listening = line.substring("listening on ".length()).trim();
            } else if (line.startsWith("metrics on ")) {
                metrics = line.substring("metrics on ".length()).trim();
            }
        }
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // the server prints nothing more that we need
                }
            } catch (IOException ignored) {
                // the server is gone
            }
        }, "imr-server-stdout");
        drain.setDaemon(true);
        drain.start();
        return new ImrBroker(p, listening, metrics, secret);
    }

    public Path secretFile() {
        return secretFile;
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public ProcessHandle process() {
        return process.toHandle();
    }

    /**
     * The server's counters, each summed over its series of side {@code server}, by their Prometheus names
     * without the {@code imr_} prefix and {@code _total} suffix: {@code store_syncs}, {@code bytes_control},
     * {@code bytes_confirmation}, {@code bytes_payload}, {@code commit_batch_size_count}, ...; a histogram's buckets
     * by name and bound: {@code store_sync_duration_seconds_bucket|0.001}.
     */
    @Override
    public Map<String, Double> counters() throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://" + metrics + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return parse(r.body());
    }

    /** Sums Prometheus text samples of {@code side="server"} (or without a side) by name. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> sums = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#") || !line.startsWith("imr_")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = line.substring(0, brace >= 0 ? brace : line.indexOf(' '));
            String labels = brace >= 0 ? line.substring(brace, line.indexOf('}') + 1) : "";
            if (labels.contains("side=") && !labels.contains("side=\"server\"")) {
                continue;
            }
            double value;
            try {
                value = Double.parseDouble(line.substring(space + 1).trim());
            } catch (NumberFormatException e) {
                continue;
            }
            String key = name.substring("imr_".length());
            if (key.endsWith("_total")) {
                key = key.substring(0, key.length() - "_total".length());
            }
            if (key.endsWith("_bucket")) {
                // A histogram's buckets are summed by bound, not together.
                int le = labels.indexOf("{le=\"");
                if (le < 0) {
                    le = labels.indexOf(",le=\"");
                }
                if (le < 0) {
                    continue;
                }
                int from = le + "{le=\"".length();
                key = key + "|" + labels.substring(from, labels.indexOf('"', from));
            }
            sums.merge(key, value, Double::sum);
        }
        return sums;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
