package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code imr simulate} as section 6 of the specification writes it, checked on the real jar. */
@DisplayName("imr simulate")
@Timeout(180)
class SimulateContractIT {

    static final Duration T = Duration.ofSeconds(120);

    @Test
    @DisplayName("answers --help with exit 0")
    void help() throws Exception {
        Proc p = Proc.run(T, "simulate", "--help");
        assertThat(p.exitCode()).isZero();
        assertThat(String.join("\n", p.outLines)).contains("Usage: imr simulate").contains("--faults");
    }

    @Test
    @DisplayName("the same seeds print the same bytes, with a report per profile and exit 0")
    void deterministic() throws Exception {
        Proc first = Proc.run(T, "simulate", "--strategy", "ack", "--seeds", "30");
        Proc second = Proc.run(T, "simulate", "--strategy", "ack", "--seeds", "30");
        assertThat(first.exitCode()).as(first.stderr()).isZero();
        assertThat(second.exitCode()).isZero();
        assertThat(second.outLines).isEqualTo(first.outLines);
        String out = String.join("\n", first.outLines);
        for (String profile : new String[] {"none", "lossy", "flaky-mobile", "crashy", "hostile"}) {
            assertThat(out).contains("strategy ack, faults " + profile + ", seeds 1..30 (30)");
        }
        assertThat(out).contains("lost                       0").contains("latency p50 / p99")
                .contains("control bytes / delivered").doesNotContain("violation\n  ");
    }

    @Test
    @DisplayName("--seed S alone replays one seed, and --json prints one object per profile")
    void oneSeedAsJson() throws Exception {
        Proc p = Proc.run(T, "simulate", "--strategy", "ack", "--seed", "7", "--faults", "hostile", "--fault",
                "loss=0.1", "--json");
        assertThat(p.exitCode()).as(p.stderr()).isZero();
        assertThat(p.outLines).hasSize(1);
        assertThat(p.outLines.get(0)).startsWith("{\"strategy\":\"ack\",\"faults\":\"hostile+loss=0.1\",\"firstSeed\":7,"
                + "\"seeds\":1,").endsWith("\"violation\":null}");
    }

    @Test
    @DisplayName("--strategy all ends with a table per profile comparing every strategy, figures as in their reports,"
            + " and the same arguments print the same bytes")
    void comparison() throws Exception {
        Proc first = Proc.run(T, "simulate", "--strategy", "all", "--seeds", "3", "--faults", "lossy");
        Proc second = Proc.run(T, "simulate", "--strategy", "all", "--seeds", "3", "--faults", "lossy");
        assertThat(first.exitCode()).as(first.stderr()).isZero();
        assertThat(second.outLines).isEqualTo(first.outLines);
        String out = String.join("\n", first.outLines) + "\n";
        int table = out.indexOf("strategies compared, faults lossy, seeds 1..3 (3 each)\n");
        assertThat(table).as(out).isGreaterThan(out.indexOf("strategy seqid, faults lossy, seeds 1..3 (3)"));
        assertThat(out.indexOf("strategies compared")).isEqualTo(table); // one profile, one table
        String tail = out.substring(table);
        assertThat(tail).contains("  strategy  delivered  lost  dup  order  control B/msg  confirm B/msg  pulls"
                + "  retransmits  p50 ms  p99 ms\n").containsPattern("\n  cheapest: (ack|hybrid|seqid), fewest"
                + " confirmation bytes per message \\(");
        for (String strategy : List.of("ack", "hybrid", "seqid")) {
            Matcher row = Pattern.compile("\n  " + strategy + " +(\\d+) +0 +0 +0 +([\\d.]+) +([\\d.]+) +(\\d+) +(\\d+)"
                    + " +(\\d+) +(\\d+)\n").matcher(tail);
            assertThat(row.find()).as(strategy + " in\n" + tail).isTrue();
            String report = out.substring(out.indexOf("strategy " + strategy + ", faults lossy"));
            assertThat(row.group(1)).isNotEqualTo("0").isEqualTo(figure(report, "delivered (to devices)"));
            assertThat(row.group(2)).isEqualTo(figure(report, "control bytes / delivered"));
            assertThat(row.group(3)).isEqualTo(figure(report, "confirmation B / delivered"));
            assertThat(row.group(4)).isEqualTo(figure(report, "pulls"));
            assertThat(row.group(5)).isEqualTo(figure(report, "retransmits"));
            assertThat(report).contains("latency p50 / p99          " + row.group(6) + " ms / " + row.group(7) + " ms");
        }
    }

    /** The first figure after a label in a text report. */
    private static String figure(String report, String label) {
        Matcher m = Pattern.compile("\n  " + Pattern.quote(label) + " +([\\d.]+)\n").matcher(report);
        assertThat(m.find()).as(label + " in\n" + report).isTrue();
        return m.group(1);
    }

    @Test
    @DisplayName("--json prints one object per strategy and profile with every figure of the table, and no table;"
            + " one strategy prints no table")
    void comparisonAsJson() throws Exception {
        Proc p = Proc.run(T, "simulate", "--strategy", "all", "--seeds", "2", "--faults", "lossy", "--json");
        assertThat(p.exitCode()).as(p.stderr()).isZero();
        assertThat(p.outLines).hasSize(3);
        List<String> names = List.of("ack", "hybrid", "seqid");
        for (int i = 0; i < 3; i++) {
            assertThat(p.outLines.get(i)).startsWith("{\"strategy\":\"" + names.get(i) + "\",\"faults\":\"lossy\",")
                    .containsPattern("\"delivered\":[1-9]\\d*,").contains("\"lost\":0,", "\"duplicates\":0,",
                            "\"orderViolations\":0,")
                    .containsPattern("\"controlBytesPerDelivered\":[1-9][\\d.]*,")
                    .containsPattern("\"confirmationBytesPerDelivered\":[\\d.]+,")
                    .containsPattern("\"pulls\":\\d+,").containsPattern("\"retransmits\":\\d+,")
                    .containsPattern("\"latencyP50Millis\":\\d+,").containsPattern("\"latencyP99Millis\":\\d+,");
        }
        Proc one = Proc.run(T, "simulate", "--strategy", "hybrid", "--seeds", "2", "--faults", "lossy");
        assertThat(one.exitCode()).as(one.stderr()).isZero();
        assertThat(String.join("\n", one.outLines)).contains("strategy hybrid, faults lossy")
                .doesNotContain("strategies compared").doesNotContain("cheapest");
    }

    @Test
    @DisplayName("a broken guarantee exits 1, printing the seed and the events that led there")
    void violation() throws Exception {
        Proc p = Proc.run(T, "simulate", "--strategy", "ack-acks-before-commit", "--faults", "lossy", "--seeds", "3");
        assertThat(p.exitCode()).isEqualTo(1);
        String out = String.join("\n", p.outLines);
        assertThat(out).containsPattern("G5 broken with seed \\d+: .* acknowledged seqs up to \\d+ of epoch \\d+ before their commit")
                .contains("events that led there").contains("replay: imr simulate --strategy ack-acks-before-commit"
                        + " --faults lossy --seed ");
    }

    @Test
    @DisplayName("an unknown strategy or profile, or a bad rate, is a one-line usage error, exit 2")
    void usageErrors() throws Exception {
        Proc strategy = Proc.run(T, "simulate", "--strategy", "nope");
        assertThat(strategy.exitCode()).isEqualTo(2);
        assertThat(strategy.stderr().trim()).isEqualTo("imr: unknown strategy \"nope\"; available: ack, hybrid,"
                + " seqid");
        Proc profile = Proc.run(T, "simulate", "--strategy", "ack", "--faults", "gentle");
        assertThat(profile.exitCode()).isEqualTo(2);
        assertThat(profile.stderr().trim().lines()).hasSize(1).first().asString().contains("flaky-mobile");
        Proc rate = Proc.run(T, "simulate", "--strategy", "ack", "--fault", "loss=lots");
        assertThat(rate.exitCode()).isEqualTo(2);
        assertThat(rate.stderr().trim().lines()).hasSize(1).first().asString().contains("loss");
        Proc flag = Proc.run(T, "simulate", "--strategy", "ack", "--bogus");
        assertThat(flag.exitCode()).isEqualTo(2);
        assertThat(flag.stderr().trim().lines()).hasSize(1).first().asString().contains("--bogus");
    }
}
