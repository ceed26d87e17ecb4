package io.imr.strategy.support;

import io.imr.api.strategy.StrategyOptions;
import java.time.Duration;

/**
 * A strategy's options, each declared once with its name, default and range, and read from
 * {@link StrategyOptions} with a message that says which option is wrong and what is allowed.
 */
public final class Options {

    private Options() {
    }

    /** A whole-number option. */
    public record Int(String name, int defaultValue, int min, int max) {
        public Int {
            if (defaultValue < min || defaultValue > max) {
                throw new IllegalArgumentException("option " + name + ": default " + defaultValue + " outside its range");
            }
        }

        /** The value set, or the default. @throws StrategyOptions.InvalidOptionException out of range */
        public int read(StrategyOptions options) {
            return options.intValue(name, defaultValue, min, max);
        }

        /** @throws StrategyOptions.InvalidOptionException when {@code value} is out of range */
        public int check(int value) {
            if (value < min || value > max) {
                throw new StrategyOptions.InvalidOptionException("option " + name + " must be a whole number from "
                        + min + " to " + max + ", got " + value);
            }
            return value;
        }
    }

    /** A duration option, written like {@code 250ms}, {@code 5s}, {@code 2m}. */
    public record Time(String name, Duration defaultValue, Duration min, Duration max) {
        public Time {
            if (defaultValue.compareTo(min) < 0 || defaultValue.compareTo(max) > 0) {
                throw new IllegalArgumentException("option " + name + ": default " + defaultValue + " outside its range");
            }
        }

        /** The value set, or the default. @throws StrategyOptions.InvalidOptionException out of range */
        public Duration read(StrategyOptions options) {
            return options.duration(name, defaultValue, min, max);
        }

        /** @throws StrategyOptions.InvalidOptionException when {@code value} is out of range */
        public Duration check(Duration value) {
            if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new StrategyOptions.InvalidOptionException("option " + name + " must be from " + min.toMillis()
                        + "ms to " + max.toMillis() + "ms, got " + (value == null ? "nothing" : value.toMillis() + "ms"));
            }
            return value;
        }
    }
}
