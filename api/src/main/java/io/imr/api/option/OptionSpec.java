package io.imr.api.option;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One option, declared once: its name (as written in a configuration, like {@code send-window}), its
 * default and what is allowed. Builders start from {@link #defaultValue()} and check with
 * {@link #check}; parsers read text with {@link #parse}; help shows {@link #describe()}. Immutable.
 *
 * @param <T> the type of the value
 */
public sealed interface OptionSpec<T> permits IntOption, DurationOption {

    /** The name, lower case with dashes, as written after a configuration's prefix. */
    String name();

    /** The value used when none is set; always allowed. */
    T defaultValue();

    /** What is allowed, to follow "must be": {@code a whole number from 1 to 65536}, {@code from 10ms to 1h}. */
    String allowed();

    /** A value as it is written in a configuration: {@code 512}, {@code 250ms}, {@code 10s}. */
    String format(T value);

    /**
     * Checks a value given in code.
     *
     * @return the value
     * @throws InvalidOptionException when it is missing or not allowed: {@code option NAME must be ALLOWED, got VALUE}
     */
    T check(T value);

    /**
     * Reads a value written as text and checks it.
     *
     * @param label how the option is named in an error: {@code option window}, or a setting's full name such as
     *              {@code imr.client.send-window}
     * @throws InvalidOptionException when the text is not a value of this option's kind, or not allowed:
     *                                {@code LABEL must be ALLOWED, got "TEXT"}
     */
    T parse(String label, String text);

    /** As {@link #parse(String, String)}, naming the option {@code option NAME}. */
    default T parse(String text) {
        return parse(label(), text);
    }

    /** How an error names this option when no other label is given: {@code option NAME}. */
    default String label() {
        return "option " + name();
    }

    /** The default and what is allowed, for help: {@code default 10s, from 10ms to 1h}. */
    default String describe() {
        return "default " + format(defaultValue()) + ", " + allowed();
    }

    /**
     * The names of these options, in their order.
     *
     * @throws IllegalArgumentException when two have one name
     */
    static Set<String> names(Collection<? extends OptionSpec<?>> specs) {
        Set<String> names = new LinkedHashSet<>();
        for (OptionSpec<?> spec : specs) {
            if (!names.add(spec.name())) {
                throw new IllegalArgumentException("two options are named " + spec.name());
            }
        }
        return Collections.unmodifiableSet(names);
    }
}
