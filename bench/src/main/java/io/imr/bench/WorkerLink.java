package io.imr.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A worker's side of its lines with the bench: it prints {@code ready}; at the first {@code go} it runs the
 * warm-up and prints {@code warm}; at the second {@code go} the measured run, printing {@code progress N} now
 * and then and one {@code result key=value ...} line (or {@code error MESSAGE} at any time); then it waits
 * for {@code exit} (or the end of its input) before it closes its clients.
 */
final class WorkerLink {

    static final String READY = "ready";
    static final String GO = "go";
    static final String WARM = "warm";
    static final String EXIT = "exit";
    static final String PROGRESS = "progress ";
    static final String RESULT = "result ";
    static final String ERROR = "error ";

    private final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    private final PrintStream out;

    WorkerLink(PrintStream out) {
        this.out = out;
    }

    synchronized void ready() {
        out.println(READY);
        out.flush();
    }

    synchronized void warm() {
        out.println(WARM);
        out.flush();
    }

    /** Blocks until the bench says go. */
    void awaitGo() throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals(GO)) {
                return;
            }
        }
        throw new IOException("the bench went away before it said go");
    }

    synchronized void progress(long n) {
        out.println(PROGRESS + n);
        out.flush();
    }

    synchronized void result(Map<String, ?> values) {
        out.println(RESULT + values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" ")));
        out.flush();
    }

    synchronized void error(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        out.println(ERROR + message.replace('\n', ' '));
        out.flush();
    }

    /** Blocks until the bench says exit or goes away. */
    void awaitExit() throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals(EXIT)) {
                return;
            }
        }
    }
}
