package io.imr.api.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Strategy options")
class StrategyOptionsTest {

    @Test
    @DisplayName("parse durations in ms, s, m, h and d")
    void durations() {
        assertThat(StrategyOptions.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(StrategyOptions.parseDuration("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(StrategyOptions.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(StrategyOptions.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(StrategyOptions.parseDuration(" 7d ")).isEqualTo(Duration.ofDays(7));
        for (String bad : new String[] {"", "5", "s", "5 s", "5w", "-5s", "1.5s", "99999999999999s"}) {
            assertThatThrownBy(() -> StrategyOptions.parseDuration(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unit ms, s, m, h or d");
        }
    }

    @Test
    @DisplayName("give defaults when unset and say what is allowed when wrong")
    void typedGetters() {
        StrategyOptions options = StrategyOptions.of(Map.of("window", "64", "retransmit", "2s", "bad", "x"));
        assertThat(options.intValue("window", 10, 1, 1000)).isEqualTo(64);
        assertThat(options.intValue("absent", 10, 1, 1000)).isEqualTo(10);
        assertThat(options.duration("retransmit", Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMinutes(1)))
                .isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(() -> options.intValue("bad", 1, 1, 5))
                .hasMessage("option bad must be a whole number from 1 to 5, got \"x\"");
        assertThatThrownBy(() -> options.intValue("window", 1, 1, 5))
                .hasMessage("option window must be a whole number from 1 to 5, got \"64\"");
        assertThatThrownBy(() -> options.duration("retransmit", Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessage("option retransmit must be from 0ms to 1s, got \"2s\"");
    }
}
