package io.imr.api.option;

import java.time.Duration;

/**
 * A duration option, from {@code min} to {@code max} inclusive, written like {@code 250ms}, {@code 5s},
 * {@code 2m}, {@code 1h} or {@code 7d}.
 *
 * @throws IllegalArgumentException for a blank name, a missing bound, an empty range or a default outside it
 */
public record DurationOption(String name, Duration defaultValue, Duration min, Duration max)
        implements OptionSpec<Duration> {

    private static final String UNITS = "a whole number with a unit ms, s, m, h or d (like 500ms or 30d)";

    public DurationOption {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an option needs a name");
        }
        if (defaultValue == null || min == null || max == null || min.compareTo(max) > 0
                || defaultValue.compareTo(min) < 0 || defaultValue.compareTo(max) > 0) {
            throw new IllegalArgumentException("option " + name + ": default " + defaultValue + " outside its range "
                    + min + " to " + max);
        }
    }

    /** The same option with another default (for strategies that share an option and differ in its default). */
    public DurationOption withDefault(Duration value) {
        return new DurationOption(name, value, min, max);
    }

    @Override
    public String allowed() {
        return "from " + format(min) + " to " + format(max);
    }

    @Override
    public String format(Duration value) {
        return text(value);
    }

    @Override
    public Duration check(Duration value) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new InvalidOptionException(label() + " must be " + allowed() + ", got "
                    + (value == null ? "nothing" : format(value)));
        }
        return value;
    }

    @Override
    public Duration parse(String label, String text) {
        Duration value;
        try {
            value = parseText(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidOptionException(label + " " + e.getMessage());
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new InvalidOptionException(label + " must be " + allowed() + ", got \"" + text + "\"");
        }
        return value;
    }

    /**
     * Parses {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d}.
     *
     * @throws IllegalArgumentException saying what is allowed: {@code must be a whole number with a unit ...}
     */
    public static Duration parseText(String text) {
        String t = text == null ? "" : text.trim();
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            i++;
        }
        if (i == 0 || i == t.length() || i > 12) {
            throw new IllegalArgumentException("must be " + UNITS + ", got \"" + text + "\"");
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
                throw new IllegalArgumentException("must be " + UNITS + ", got \"" + text + "\"");
        }
    }

    /**
     * A duration as {@link #parseText} reads it, in the largest unit that writes it exactly: {@code 10s},
     * {@code 250ms}, {@code 2m}; a duration finer than a millisecond in nanoseconds ({@code 1500ns}).
     */
    public static String text(Duration d) {
        if (d.getNano() % 1_000_000 != 0) {
            return d.toNanos() + "ns";
        }
        long ms = d.toMillis();
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms != 0 && ms % sizes[i] == 0) {
                return ms / sizes[i] + units[i];
            }
        }
        return ms + "ms";
    }
}
