package io.imr.api.strategy;

import io.imr.api.ImrException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A strategy's settings, as text from a configuration file, system properties or flags, with
 * typed getters that fail with a message saying which option is wrong and what is allowed.
 * Immutable.
 */
public final class StrategyOptions {

    private static final StrategyOptions NONE = new StrategyOptions(Map.of());

    private final Map<String, String> values;

    private StrategyOptions(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** No options: every strategy runs on its defaults. */
    public static StrategyOptions none() {
        return NONE;
    }

    /** Options from a map of names to values. */
    public static StrategyOptions of(Map<String, String> values) {
        return values.isEmpty() ? NONE : new StrategyOptions(values);
    }

    /** The names and values, sorted by name. */
    public Map<String, String> asMap() {
        return new TreeMap<>(values);
    }

    /**
     * Fails unless every option is one of {@code known}.
     *
     * @throws InvalidOptionException naming the unknown options and the ones allowed
     */
    public StrategyOptions requireKnown(String strategy, Set<String> known) {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new InvalidOptionException("strategy " + strategy + " has no option " + String.join(", ", unknown)
                    + "; its options are: " + (known.isEmpty() ? "(none)" : String.join(", ", new TreeSet<>(known))));
        }
        return this;
    }

    /**
     * An integer option.
     *
     * @throws InvalidOptionException when set to something that is not an integer in [min, max]
     */
    public int intValue(String name, int defaultValue, int min, int max) {
        String v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(v.trim());
            if (parsed < min || parsed > max) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new InvalidOptionException("option " + name + " must be a whole number from " + min + " to " + max
                    + ", got \"" + v + "\"");
        }
    }

    /**
     * A duration option, written as {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h} or
     * {@code 7d}.
     *
     * @throws InvalidOptionException when set to something else, or outside [min, max]
     */
    public Duration duration(String name, Duration defaultValue, Duration min, Duration max) {
        String v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        Duration parsed;
        try {
            parsed = parseDuration(v);
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException("option " + name + " " + e.getMessage());
        }
        if (parsed.compareTo(min) < 0 || parsed.compareTo(max) > 0) {
            throw new InvalidOptionException("option " + name + " must be from " + format(min) + " to " + format(max)
                    + ", got \"" + v + "\"");
        }
        return parsed;
    }

    /**
     * Parses {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d}.
     *
     * @throws IllegalArgumentException saying what is allowed
     */
    public static Duration parseDuration(String text) {
        String t = text == null ? "" : text.trim();
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            i++;
        }
        if (i == 0 || i == t.length() || i > 12) {
            throw new IllegalArgumentException("must be a whole number with a unit ms, s, m, h or d (like 500ms or 30d),"
                    + " got \"" + text + "\"");
        }
        long n = Long.parseLong(t.substring(0, i));
        switch (t.substring(i)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            case "h":
                return Duration.ofHours(n);
            case "d":
                return Duration.ofDays(n);
            default:
                throw new IllegalArgumentException("must be a whole number with a unit ms, s, m, h or d (like 500ms or"
                        + " 30d), got \"" + text + "\"");
        }
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    @Override
    public String toString() {
        return asMap().toString();
    }

    /** An option has a value that is not allowed. */
    public static final class InvalidOptionException extends ImrException {
        public InvalidOptionException(String message) {
            super(message);
        }
    }
}
