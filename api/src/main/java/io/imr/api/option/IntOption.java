package io.imr.api.option;

/**
 * A whole-number option, from {@code min} to {@code max} inclusive. Immutable. (A class, not a record: a
 * record's {@code int defaultValue()} could not implement {@link OptionSpec#defaultValue()}.)
 */
public final class IntOption implements OptionSpec<Integer> {

    private final String name;
    private final int defaultValue;
    private final int min;
    private final int max;

    /** @throws IllegalArgumentException for a blank name, an empty range or a default outside it */
    public IntOption(String name, int defaultValue, int min, int max) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an option needs a name");
        }
        if (min > max || defaultValue < min || defaultValue > max) {
            throw new IllegalArgumentException("option " + name + ": default " + defaultValue + " outside its range "
                    + min + " to " + max);
        }
        this.name = name;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
    }

    @Override
    public String name() {
        return name;
    }

    /** The default, as a primitive. */
    public int defaultInt() {
        return defaultValue;
    }

    public int min() {
        return min;
    }

    public int max() {
        return max;
    }

    /** The same option with another default (for strategies that share an option and differ in its default). */
    public IntOption withDefault(int value) {
        return new IntOption(name, value, min, max);
    }

    @Override
    public Integer defaultValue() {
        return defaultValue;
    }

    @Override
    public String allowed() {
        return "a whole number from " + min + " to " + max;
    }

    @Override
    public String format(Integer value) {
        return String.valueOf(value);
    }

    @Override
    public Integer check(Integer value) {
        return check((int) requireValue(value));
    }

    /** As {@link #check(Integer)}, for a primitive. */
    public int check(int value) {
        if (value < min || value > max) {
            throw new InvalidOptionException(label() + " must be " + allowed() + ", got " + value);
        }
        return value;
    }

    @Override
    public Integer parse(String label, String text) {
        try {
            int value = Integer.parseInt(text == null ? "" : text.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // refused below, with what is allowed
        }
        throw new InvalidOptionException(label + " must be " + allowed() + ", got \"" + text + "\"");
    }

    private Integer requireValue(Integer value) {
        if (value == null) {
            throw new InvalidOptionException(label() + " must be " + allowed() + ", got nothing");
        }
        return value;
    }

    @Override
    public String toString() {
        return name + " (" + describe() + ")";
    }
}
