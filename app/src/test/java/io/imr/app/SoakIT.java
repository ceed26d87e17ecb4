package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imr soak}, bounded for the suite: a dozen SIGKILLs of real processes (the server's among them, restarted
 * with all three strategies in turn as the seed has it), then every store checked against the senders' manifests.
 * {@code imr soak --kills 1000} is the long run.
 */
@DisplayName("imr soak")
class SoakIT {

    @TempDir
    java.nio.file.Path dir;

    @Test
    @Timeout(600)
    @DisplayName("a dozen kills of server, receivers and senders: every message stored once, in order, unaltered")
    void aShortSoakPasses() throws Exception {
        long seed = 11;
        int kills = 12;
        Proc p = Proc.run(Duration.ofMinutes(9), "soak", "--seed", Long.toString(seed), "--kills",
                Integer.toString(kills), "--every", "700ms", "--messages", "500", "--rate", "250", "--data",
                dir.resolve("soak").toString());
        String out = String.join("\n", p.outLines);
        assertThat(p.exitCode()).as(out + "\n" + p.stderr()).isZero();
        assertThat(out).contains("imr soak: passed (seed " + seed + ")");

        // The kills the seed planned were all made, the server's among them.
        long planned = 0;
        SoakSchedule schedule = new SoakSchedule(seed, 6, List.of("ack", "hybrid", "seqid"), Duration.ofMillis(700));
        for (int k = 0; k < kills; k++) {
            planned += schedule.next().victim() == SoakSchedule.SERVER ? 1 : 0;
        }
        Matcher m = Pattern.compile("kills: (\\d+) in \\S+: server (\\d+) ").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        assertThat(Long.parseLong(m.group(2))).as(out).isEqualTo(planned).isPositive();
        assertThat(Long.parseLong(m.group(1))).as("every kill the seed planned was made; " + out).isEqualTo(kills);

        Matcher stored = Pattern.compile("stored: ([\\d,]+) messages at 3 devices; lost 0, duplicates 0, altered 0,"
                + " holes 0, out of order 0, unexpected 0; other failures 0").matcher(out);
        assertThat(stored.find()).as(out).isTrue();
        // Every message reached both of bob's devices and carol's: each sender finished a generation of 500 at least.
        assertThat(Long.parseLong(stored.group(1).replace(",", ""))).as(out).isGreaterThanOrEqualTo(2 * 1_000 + 500);
        assertThat(dir.resolve("soak")).as("a soak that passed cleans up").doesNotExist();
    }
}
