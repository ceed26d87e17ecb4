package io.imr.api.option;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.strategy.StrategyOptions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("An option spec")
class OptionSpecTest {

    @Nested
    @DisplayName("of a whole number")
    class Int {

        private final IntOption window = new IntOption("window", 64, 1, 1000);

        @Test
        @DisplayName("reads its default when unset and the value when set")
        void reads() {
            assertThat(StrategyOptions.none().get(window)).isEqualTo(64);
            assertThat(StrategyOptions.of(Map.of("window", "1000")).get(window)).isEqualTo(1000);
            assertThat(StrategyOptions.of(Map.of("window", " 1 ")).get(window)).isEqualTo(1);
            assertThat(StrategyOptions.of(Map.of("other", "0")).get(window)).isEqualTo(64);
        }

        @Test
        @DisplayName("refuses text out of range or not a number, naming the option, the range and the text")
        void refusesText() {
            assertThatThrownBy(() -> StrategyOptions.of(Map.of("window", "0")).get(window))
                    .isInstanceOf(InvalidOptionException.class)
                    .hasMessage("option window must be a whole number from 1 to 1000, got \"0\"");
            assertThatThrownBy(() -> window.parse("many"))
                    .hasMessage("option window must be a whole number from 1 to 1000, got \"many\"");
            assertThatThrownBy(() -> window.parse("imr.x.window", "1001"))
                    .hasMessage("imr.x.window must be a whole number from 1 to 1000, got \"1001\"");
        }

        @Test
        @DisplayName("checks a value given in code the same way: each bound passes, one beyond fails")
        void checks() {
            assertThat(window.check(1)).isEqualTo(1);
            assertThat(window.check(1000)).isEqualTo(1000);
            assertThatThrownBy(() -> window.check(0)).isInstanceOf(InvalidOptionException.class)
                    .hasMessage("option window must be a whole number from 1 to 1000, got 0");
            assertThatThrownBy(() -> window.check(1001)).isInstanceOf(InvalidOptionException.class)
                    .hasMessage("option window must be a whole number from 1 to 1000, got 1001");
            assertThatThrownBy(() -> window.check((Integer) null))
                    .hasMessage("option window must be a whole number from 1 to 1000, got nothing");
        }

        @Test
        @DisplayName("describes its default and range, and takes another default within it")
        void describes() {
            assertThat(window.describe()).isEqualTo("default 64, a whole number from 1 to 1000");
            assertThat(window.withDefault(7).defaultValue()).isEqualTo(7);
            assertThat(window.withDefault(7).min()).isEqualTo(1);
        }

        @Test
        @DisplayName("refuses a default outside its own range")
        void badDefault() {
            assertThatThrownBy(() -> new IntOption("window", 0, 1, 10)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("window").hasMessageContaining("outside its range");
            assertThatThrownBy(() -> window.withDefault(1001)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    @DisplayName("of a duration")
    class Time {

        private final DurationOption delay = new DurationOption("ack-delay", Duration.ofMillis(20),
                Duration.ofMillis(1), Duration.ofSeconds(10));

        @Test
        @DisplayName("reads its default when unset and the value in any unit when set")
        void reads() {
            assertThat(StrategyOptions.none().get(delay)).isEqualTo(Duration.ofMillis(20));
            assertThat(StrategyOptions.of(Map.of("ack-delay", "10s")).get(delay)).isEqualTo(Duration.ofSeconds(10));
            assertThat(delay.parse("1ms")).isEqualTo(Duration.ofMillis(1));
        }

        @Test
        @DisplayName("refuses text out of range or without a unit, naming the option and what is allowed")
        void refusesText() {
            assertThatThrownBy(() -> delay.parse("11s")).isInstanceOf(InvalidOptionException.class)
                    .hasMessage("option ack-delay must be from 1ms to 10s, got \"11s\"");
            assertThatThrownBy(() -> delay.parse("20")).isInstanceOf(InvalidOptionException.class)
                    .hasMessage("option ack-delay must be a whole number with a unit ms, s, m, h or d (like 500ms or"
                            + " 30d), got \"20\"");
        }

        @Test
        @DisplayName("checks a value given in code the same way: each bound passes, one beyond fails, and a missing one")
        void checks() {
            assertThat(delay.check(Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(1));
            assertThat(delay.check(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(10));
            assertThatThrownBy(() -> delay.check(Duration.ofNanos(999_999))).isInstanceOf(InvalidOptionException.class)
                    .hasMessage("option ack-delay must be from 1ms to 10s, got 999999ns");
            assertThatThrownBy(() -> delay.check(Duration.ofMillis(10_001)))
                    .hasMessage("option ack-delay must be from 1ms to 10s, got 10001ms");
            assertThatThrownBy(() -> delay.check(null))
                    .hasMessage("option ack-delay must be from 1ms to 10s, got nothing");
        }

        @Test
        @DisplayName("writes a duration in the largest unit that is exact, and reads back what it writes")
        void formats() {
            assertThat(DurationOption.text(Duration.ofMinutes(10))).isEqualTo("10m");
            assertThat(DurationOption.text(Duration.ofHours(48))).isEqualTo("2d");
            assertThat(DurationOption.text(Duration.ofMillis(1500))).isEqualTo("1500ms");
            assertThat(DurationOption.text(Duration.ZERO)).isEqualTo("0ms");
            for (Duration d : new Duration[] {Duration.ofMillis(250), Duration.ofSeconds(90), Duration.ofHours(1)}) {
                assertThat(DurationOption.parseText(DurationOption.text(d))).isEqualTo(d);
            }
            assertThat(delay.describe()).isEqualTo("default 20ms, from 1ms to 10s");
        }

        @Test
        @DisplayName("refuses a default outside its own range")
        void badDefault() {
            assertThatThrownBy(() -> new DurationOption("t", Duration.ZERO, Duration.ofMillis(1), Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside its range");
        }
    }
}
