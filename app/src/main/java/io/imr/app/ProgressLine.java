package io.imr.app;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One line of progress, rewritten in place, on a terminal only: when standard output is not a terminal it
 * prints nothing, so scripts read exactly the report.
 */
final class ProgressLine {

    private final PrintStream err;
    private final long started = System.nanoTime();
    private long lastShown;
    private int width;

    private ProgressLine(PrintStream err) {
        this.err = err;
    }

    static ProgressLine onTerminal() {
        return new ProgressLine(System.console() != null ? System.err : null);
    }

    /** Shows "WHAT DONE/OF (RATE/s)" at most five times a second. */
    synchronized void show(String what, long done, long of) {
        if (err == null) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastShown < 200_000_000L && done < of) {
            return;
        }
        lastShown = now;
        String line = String.format(Locale.ROOT, "%s: %,d of %,d (%.0f s)", what, done, of, (now - started) / 1e9);
        err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
        err.flush();
        width = line.length();
    }

    synchronized void clear() {
        if (err != null && width > 0) {
            err.print("\r" + " ".repeat(width) + "\r");
            err.flush();
        }
    }
}
