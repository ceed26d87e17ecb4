package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imr fuzz --quick} against a real server process: 200,000 fuzz frames of every class over TCP and WebSocket,
 * 300 idle connections, slow-loris writers and clients that never read, beside a legitimate pair. The command's own
 * checks decide its exit code; this test reads its report too: the server stayed up and stopped cleanly, bad frames
 * were answered with error frames (every probe as predicted), held connections were closed by the server, the pair's
 * delivery was whole and the server's store holds exactly its messages.
 */
class FuzzIT {

    @TempDir
    Path dir;

    @Test
    void aQuickFuzzRunLeavesTheServerUpAndTheLegitimateDeliveryWhole() throws Exception {
        long t0 = System.nanoTime();
        Proc p = Proc.run(Duration.ofSeconds(180), "fuzz", "--quick", "--seed", "20261202", "--data",
                dir.resolve("fuzz").toString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        String out = String.join("\n", p.outLines);
        System.out.printf("FuzzIT: imr fuzz --quick took %.1f s%n%s%n", seconds, out);
        assertThat(p.exitCode()).as(out + "\nstderr: " + p.stderr()).isZero();
        assertThat(out).contains("imr fuzz: PASSED");

        // Every frame attack class ran over both transports, and the fuzz frames reached the bound.
        Matcher total = Pattern.compile("(?m)^  total\\s+([\\d,]+)").matcher(out);
        assertThat(total.find()).as(out).isTrue();
        assertThat(Long.parseLong(total.group(1).replace(",", ""))).isGreaterThanOrEqualTo(200_000);
        for (String kind : List.of("random-bytes", "mutated", "truncated", "oversized", "length-2GiB", "before-hello",
                "bad-version")) {
            for (String transport : List.of("tcp", "ws")) {
                Matcher line = Pattern.compile("(?m)^  " + Pattern.quote(kind + " " + transport)
                        + "\\s+([\\d,]+)\\s+[\\d,]+\\s+([\\d,]+)\\s+([\\d,]+)\\s+[\\d,]+\\s+[\\d,]+\\s+([\\d,]+)\\s+(\\d+)/(\\d+)")
                        .matcher(out);
                assertThat(line.find()).as(kind + " " + transport + " in\n" + out).isTrue();
                assertThat(number(line.group(1))).as(kind + " " + transport + " frames").isPositive();
                assertThat(number(line.group(4))).as(kind + " " + transport + " unanswered").isZero();
                assertThat(line.group(5)).as(kind + " " + transport + " probes as predicted").isEqualTo(line.group(6));
                assertThat(Long.parseLong(line.group(6))).as(kind + " " + transport + " probes").isPositive();
            }
        }
        // Bad frames were answered with error frames of the codes the protocol gives them.
        assertThat(out).contains("BAD_FRAME=", "NOT_ALLOWED=", "UNSUPPORTED_VERSION=");
        // Idle and slow-loris connections: closed by the server at its hello timeout (3 s with --quick).
        assertThat(out).containsPattern("(?m)^  tcp\\s+(\\d+): \\{ERROR_AND_CLOSE NOT_ALLOWED \"no hello within 3 s\"=\\1}");
        assertThat(out).containsPattern("(?m)^  ws\\s+(\\d+): \\{ERROR_AND_CLOSE NOT_ALLOWED \"no hello within 3 s\"=\\1}");
        assertThat(out).containsPattern("(?m)^  ws-upgrade\\s+(\\d+): \\{CLOSE=\\1}");
        assertThat(out).doesNotContain("held open (no answer)");
        assertThat(out).containsPattern("clients that never read \\(tcp\\): \\d+ connections, .*; 0 not closed");
        assertThat(out).containsPattern("clients that never read \\(ws\\): \\d+ connections, .*; 0 not closed");
        // The legitimate pair: whole, and the server's store holds exactly its messages.
        assertThat(out).containsPattern("legitimate delivery: sent ([\\d,]+), committed by the receiver \\1; lost 0,"
                + " duplicates 0, out of order 0, not from the sender 0");
        assertThat(out).containsPattern("server store: bob's inbox gave ([\\d,]+) seqs for \\1 messages sent");
        assertThat(out).contains("0 messages of any other user");
        assertThat(out).contains("server stopped with SIGTERM: exit code 0");
        assertThat(out).containsPattern("server after: heap after GC .*, \\d+ open files \\(\\+?-?\\d+\\)");
    }

    @Test
    void badFlagsAreUsageErrors() throws Exception {
        Proc unknown = Proc.run(Duration.ofSeconds(60), "fuzz", "--attacks", "random-bytes,teleport");
        assertThat(unknown.exitCode()).isEqualTo(Imr.USAGE);
        assertThat(unknown.stderr()).contains("unknown attack \"teleport\"", "random-bytes, mutated");
        Proc negative = Proc.run(Duration.ofSeconds(60), "fuzz", "--frames", "-1");
        assertThat(negative.exitCode()).isEqualTo(Imr.USAGE);
        assertThat(negative.stderr()).contains("--frames must be 0 or more");
        Proc notANumber = Proc.run(Duration.ofSeconds(60), "fuzz", "--idle-connections", "many");
        assertThat(notANumber.exitCode()).isEqualTo(Imr.USAGE);
        assertThat(notANumber.stderr()).contains("--idle-connections", "many");
        Proc unknownOption = Proc.run(Duration.ofSeconds(60), "fuzz", "--server-option", "teleport-rate=3");
        assertThat(unknownOption.exitCode()).isEqualTo(Imr.USAGE);
        assertThat(unknownOption.stderr()).contains("unknown option \"teleport-rate\"", "connection-rate",
                "frame-rate");
        Proc owned = Proc.run(Duration.ofSeconds(60), "fuzz", "--server-option", "heartbeat=5s");
        assertThat(owned.exitCode()).isEqualTo(Imr.USAGE);
        assertThat(owned.stderr()).contains("heartbeat is set with --heartbeat");
        Proc negativeWarmUp = Proc.run(Duration.ofSeconds(60), "fuzz", "--warm-up", "-1s");
        assertThat(negativeWarmUp.exitCode()).isEqualTo(Imr.USAGE);
        assertThat(negativeWarmUp.stderr()).contains("--warm-up");
        Proc help = Proc.run(Duration.ofSeconds(60), "fuzz", "--help");
        assertThat(help.exitCode()).isZero();
        String text = String.join("\n", help.outLines);
        for (String flag : List.of("--seed", "--frames", "--duration", "--quick", "--attacks", "--idle-connections",
                "--slow-loris", "--never-readers", "--threads", "--batch", "--probe-every", "--rate", "--quiet",
                "--hello-timeout", "--heartbeat", "--strategy", "--server-heap", "--server-option", "--warm-up",
                "--share-cpus", "--data")) {
            assertThat(text).contains(flag);
        }
    }

    private static long number(String s) {
        return Long.parseLong(s.replace(",", ""));
    }
}
