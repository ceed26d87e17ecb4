package io.imr.app;

import io.imr.api.frame.ErrorFrame;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the frame attacks sent and what the server answered, per attack class and transport: frames, connections,
 * how each connection ended, the error codes, the probes and those whose answer was not the one predicted. Updated
 * by many threads at once.
 */
final class FuzzTally {

    /** The most examples of a wrong answer kept per attack class and transport. */
    private static final int EXAMPLES = 3;

    /** Whether the server has a connection limit, so that RATE_LIMITED is a right answer to any connection. */
    private final boolean connectionLimits;

    /** @param connectionLimits the server turns connections away by address (connection-rate, max-connections-...) */
    FuzzTally(boolean connectionLimits) {
        this.connectionLimits = connectionLimits;
    }

    /** One attack class over one transport. */
    static final class Line {
        final String name;
        final LongAdder frames = new LongAdder();
        final LongAdder connections = new LongAdder();
        final Map<ServerAnswer.Outcome, LongAdder> outcomes = new EnumMap<>(ServerAnswer.Outcome.class);
        final Map<String, LongAdder> answers = new TreeMap<>();
        final LongAdder probes = new LongAdder();
        final LongAdder probesWrong = new LongAdder();
        final List<String> wrong = new ArrayList<>();

        Line(String name) {
            this.name = name;
            for (ServerAnswer.Outcome o : ServerAnswer.Outcome.values()) {
                outcomes.put(o, new LongAdder());
            }
        }

        long count(ServerAnswer.Outcome o) {
            return outcomes.get(o).sum();
        }

        /** What the server answered, as "CODE" or "close" or "ws-close STATUS", with how often. */
        synchronized Map<String, Long> answers() {
            Map<String, Long> out = new TreeMap<>();
            answers.forEach((k, v) -> out.put(k, v.sum()));
            return out;
        }

        synchronized List<String> wrong() {
            return List.copyOf(wrong);
        }
    }

    private final Map<String, Line> lines = new TreeMap<>();
    private final AtomicLong total = new AtomicLong();

    /** The line of this class and transport, made on first use. */
    synchronized Line line(String name) {
        return lines.computeIfAbsent(name, Line::new);
    }

    synchronized List<Line> lines() {
        return new ArrayList<>(lines.values());
    }

    private final List<String> crashes = new ArrayList<>();

    /** A thread of an attack ended with an exception of the fuzzer's own (a bug of the fuzzer, said as a failure). */
    synchronized void crashed(Line line, RuntimeException e) {
        crashes.add(line.name + ": " + e);
    }

    synchronized List<String> crashes() {
        return List.copyOf(crashes);
    }

    /** Fuzz frames written so far, all classes. */
    long totalFrames() {
        return total.get();
    }

    /** Frames written (counted as soon as they are written, so that a bound on them holds while connections end). */
    void sent(Line line, int frames) {
        line.frames.add(frames);
        total.addAndGet(frames);
    }

    /**
     * A connection ended.
     *
     * @param expected the code a probe's answer must carry, or null for a connection that was not a probe
     * @param probe    whether it was a probe (one bad frame, answered as predicted, then the close)
     * @param large    whether the hello timeout's NOT_ALLOWED is a right answer too (a frame too large to arrive in time)
     */
    void ended(Line line, ServerAnswer answer, boolean probe, ErrorFrame.Code expected, boolean large, String what) {
        line.connections.increment();
        line.outcomes.get(answer.outcome()).increment();
        String key = answer.error() != null ? answer.error().code().toString()
                : answer.wsStatus() >= 0 ? "ws-close " + answer.wsStatus() : answer.outcome().toString().toLowerCase();
        synchronized (line) {
            line.answers.computeIfAbsent(key, k -> new LongAdder()).increment();
        }
        boolean wrong = answer.outcome() == ServerAnswer.Outcome.NO_ANSWER
                || answer.outcome() == ServerAnswer.Outcome.GARBLED;
        if (probe) {
            line.probes.increment();
            boolean helloTimeout = large && answer.outcome() == ServerAnswer.Outcome.ERROR_AND_CLOSE
                    && answer.code() == ErrorFrame.Code.NOT_ALLOWED && answer.error().message().startsWith("no hello");
            // A server with connection limits may turn a connection away before reading it: a right answer too.
            boolean limited = connectionLimits && answer.outcome() == ServerAnswer.Outcome.ERROR_AND_CLOSE
                    && answer.code() == ErrorFrame.Code.RATE_LIMITED;
            if (expected != null && !helloTimeout && !limited && (answer.outcome() != ServerAnswer.Outcome.ERROR_AND_CLOSE
                    || answer.code() != expected)) {
                wrong = true;
            }
            if (wrong) {
                line.probesWrong.increment();
            }
        }
        if (wrong) {
            synchronized (line) {
                if (line.wrong.size() < EXAMPLES) {
                    line.wrong.add(what + ": expected " + (expected == null ? "an answer" : expected + " then close")
                            + ", got " + answer.describe());
                }
            }
        }
    }
}
