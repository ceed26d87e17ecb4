package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code imr sessions}, small enough for the suite: idle sessions cost the server one socket each and no thread, and
 * a device among them still gets its messages. {@code imr sessions} (50,000 by default) is the real run.
 */
@DisplayName("imr sessions")
class SessionsIT {

    @Test
    @Timeout(300)
    @DisplayName("600 idle sessions held past three heartbeats (the server drops one silent that long): one open file each,"
            + " no thread each, delivery among them works")
    void idleSessions() throws Exception {
        Proc p = Proc.run(Duration.ofMinutes(4), "sessions", "--count", "600", "--hold", "32s", "--strategy", "seqid");
        String out = String.join("\n", p.outLines);
        assertThat(p.exitCode()).as(out + "\n" + p.stderr()).isZero();
        assertThat(out).contains("opened: 600 welcomed").contains("0 refused or dropped")
                .contains("delivery among them: 100 of 100 messages to probe/phone committed");

        Matcher files = Pattern.compile("server open files: ([\\d,]+) -> ([\\d,]+)").matcher(out);
        assertThat(files.find()).as(out).isTrue();
        long added = number(files.group(2)) - number(files.group(1));
        assertThat(added).as("a socket per session, and nothing else per session; " + out).isBetween(600L, 620L);

        Matcher threads = Pattern.compile("server threads: (\\d+) -> (\\d+)").matcher(out);
        assertThat(threads.find()).as(out).isTrue();
        assertThat(number(threads.group(2)) - number(threads.group(1))).as("no thread per session; " + out)
                .isLessThan(8);
    }

    @Test
    @DisplayName("a bad count or strategy is a one-line usage error, exit 2")
    void badFlags() throws Exception {
        for (String[] args : new String[][] {{"sessions", "--count", "0"}, {"sessions", "--strategy", "nope"},
            {"sessions", "--hold", "soon"}}) {
            Proc p = Proc.run(Duration.ofSeconds(90), args);
            assertThat(p.exitCode()).as(String.join(" ", args) + ": " + p.stderr()).isEqualTo(2);
            assertThat(p.stderr().trim().lines()).hasSize(1);
        }
    }

    private static long number(String s) {
        return Long.parseLong(s.replace(",", ""));
    }
}
