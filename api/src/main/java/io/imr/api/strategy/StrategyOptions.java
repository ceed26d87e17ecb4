package io.imr.api.strategy;

import io.imr.api.option.DurationOption;
import io.imr.api.option.IntOption;
import io.imr.api.option.InvalidOptionException;
import io.imr.api.option.OptionSpec;
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
     * The value of an option, read and checked by its spec, or the spec's default when unset.
     *
     * @throws InvalidOptionException when set to something the spec does not allow, naming the option, what is
     *                                allowed and the text given
     */
    public <T> T get(OptionSpec<T> spec) {
        String v = values.get(spec.name());
        return v == null ? spec.defaultValue() : spec.parse(v);
    }

    /**
     * An integer option; as {@link #get} with an {@link IntOption} of these bounds.
     *
     * @throws InvalidOptionException when set to something that is not an integer in [min, max]
     */
    public int intValue(String name, int defaultValue, int min, int max) {
        return get(new IntOption(name, defaultValue, min, max));
    }

    /**
     * A duration option, written as {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h} or {@code 7d}; as
     * {@link #get} with a {@link DurationOption} of these bounds.
     *
     * @throws InvalidOptionException when set to something else, or outside [min, max]
     */
    public Duration duration(String name, Duration defaultValue, Duration min, Duration max) {
        return get(new DurationOption(name, defaultValue, min, max));
    }

    /**
     * Parses {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 7d} ({@link DurationOption#parseText}).
     *
     * @throws IllegalArgumentException saying what is allowed
     */
    public static Duration parseDuration(String text) {
        return DurationOption.parseText(text);
    }

    @Override
    public String toString() {
        return asMap().toString();
    }
}
