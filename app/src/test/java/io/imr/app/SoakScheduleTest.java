package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SoakScheduleTest {

    private static final List<String> ALL = List.of("ack", "hybrid", "seqid");

    private static List<SoakSchedule.Kill> kills(long seed, int n) {
        SoakSchedule s = new SoakSchedule(seed, 6, ALL, Duration.ofSeconds(1));
        List<SoakSchedule.Kill> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(s.next());
        }
        return out;
    }

    @Test
    void theSameSeedGivesTheSameKills() {
        assertThat(kills(42, 500)).isEqualTo(kills(42, 500));
        assertThat(new SoakSchedule(42, 6, ALL, Duration.ofSeconds(1)).firstStrategy())
                .isEqualTo(new SoakSchedule(42, 6, ALL, Duration.ofSeconds(1)).firstStrategy());
    }

    @Test
    void anotherSeedGivesOtherKills() {
        assertThat(kills(42, 50)).isNotEqualTo(kills(43, 50));
    }

    @Test
    void aThirdOfTheKillsHitTheServerAndTheRestEveryClient() {
        Map<Integer, Integer> byVictim = new HashMap<>();
        for (SoakSchedule.Kill k : kills(7, 30_000)) {
            byVictim.merge(k.victim(), 1, Integer::sum);
        }
        assertThat(byVictim.keySet()).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6);
        assertThat(byVictim.get(SoakSchedule.SERVER)).isBetween(9_500, 10_500);
        for (int c = 1; c <= 6; c++) {
            assertThat(byVictim.get(c)).as("client " + c).isBetween(3_000, 3_700);
        }
    }

    @Test
    void gapsAverageTheMeanAndDowntimesStayShort() {
        List<SoakSchedule.Kill> ks = kills(9, 10_000);
        double mean = ks.stream().mapToLong(k -> k.after().toMillis()).average().orElseThrow();
        assertThat(mean).isBetween(950.0, 1_050.0);
        assertThat(ks).allSatisfy(k -> {
            assertThat(k.after()).isBetween(Duration.ofMillis(250), Duration.ofMillis(1_750));
            assertThat(k.down()).isLessThan(Duration.ofMillis(k.victim() == SoakSchedule.SERVER ? 500 : 1_000));
            assertThat(ALL).contains(k.strategy());
        });
        assertThat(ks.stream().map(SoakSchedule.Kill::strategy).distinct()).hasSize(3);
    }

    @Test
    void refusesWhatCannotBeScheduled() {
        assertThatThrownBy(() -> new SoakSchedule(1, 0, ALL, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SoakSchedule(1, 6, List.of(), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
