package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SendPacingTest {

    private static final long MS = 1_000_000L;

    @Test
    void withoutARateEverythingIsDueAtOnce() {
        SendCommand.Pacing p = new SendCommand.Pacing(null);
        assertThat(p.due(0)).isGreaterThan(1L << 60);
    }

    @Test
    void aRateHandsOutThatManyASecondInSmallSteps() {
        SendCommand.Pacing p = new SendCommand.Pacing(200.0);
        long total = p.due(0);
        assertThat(total).isEqualTo(1);
        for (long t = 50; t <= 10_000; t += 50) {
            long n = p.due(t * MS);
            assertThat(n).isBetween(9L, 11L);
            total += n;
        }
        assertThat(total).isBetween(2_000L, 2_001L);
    }

    @Test
    void aPauseEndsInAtMostASecondsWorth() {
        SendCommand.Pacing p = new SendCommand.Pacing(100.0);
        p.due(0);
        assertThat(p.due(60_000 * MS)).isEqualTo(100);
        assertThat(p.due(60_010 * MS)).isEqualTo(1);
    }

    @Test
    void aRateBelowOneStillSends() {
        SendCommand.Pacing p = new SendCommand.Pacing(0.5);
        assertThat(p.due(0)).isEqualTo(1);
        assertThat(p.due(1_000 * MS)).isZero();
        assertThat(p.due(2_000 * MS)).isEqualTo(1);
    }
}
