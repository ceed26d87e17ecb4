package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
    @DisplayName("a broken guarantee exits 1, printing the seed and the events that led there")
    void violation() throws Exception {
        Proc p = Proc.run(T, "simulate", "--strategy", "ack-acks-before-commit", "--faults", "lossy", "--seeds", "3");
        assertThat(p.exitCode()).isEqualTo(1);
        String out = String.join("\n", p.outLines);
        assertThat(out).containsPattern("G5 broken with seed \\d+: .* acknowledged message .* before its commit")
                .contains("events that led there").contains("replay: imr simulate --strategy ack-acks-before-commit"
                        + " --faults lossy --seed ");
    }

    @Test
    @DisplayName("an unknown strategy or profile, or a bad rate, is a one-line usage error, exit 2")
    void usageErrors() throws Exception {
        Proc strategy = Proc.run(T, "simulate", "--strategy", "nope");
        assertThat(strategy.exitCode()).isEqualTo(2);
        assertThat(strategy.stderr().trim()).isEqualTo("imr: unknown strategy \"nope\"; available: ack");
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
