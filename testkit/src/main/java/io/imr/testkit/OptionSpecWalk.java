package io.imr.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.imr.api.option.DurationOption;
import io.imr.api.option.IntOption;
import io.imr.api.option.InvalidOptionException;
import io.imr.api.option.OptionSpec;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Checks that a configuration record, its builder and its text parser agree with the record's option specs,
 * by walking the specs: so an option cannot be renamed, re-defaulted or re-ranged in one place and not the other.
 * For each spec ({@code send-window}):
 * <ul>
 *   <li>the record has a component of the same name in camel case ({@code sendWindow}), and its builder a setter
 *       of that name;</li>
 *   <li>with nothing set, the parser and the builder both give the spec's default;</li>
 *   <li>each bound of the range (the one that differs from the default and that the record's other rules allow)
 *       reaches that component through the text parser and through the builder;</li>
 *   <li>one step beyond each bound fails through both, with an {@link InvalidOptionException} naming the option
 *       and what is allowed.</li>
 * </ul>
 * Public so that a strategy of a third party can run it on its own configuration.
 */
public final class OptionSpecWalk<R extends Record> {

    private final Class<R> type;
    private final Function<Map<String, String>, R> parse;
    private final Supplier<?> builder;
    private Map<String, String> companions = Map.of();

    /**
     * @param type    the configuration record
     * @param parse   reads option values given as text by option name, as a configuration file would give them
     *                (for a strategy, {@code m -> Config.from(StrategyOptions.of(m))})
     * @param builder a new builder, with whatever else must be set to build (a builder with a {@code build()}
     *                method and one setter per option)
     */
    public OptionSpecWalk(Class<R> type, Function<Map<String, String>, R> parse, Supplier<?> builder) {
        this.type = type;
        this.parse = parse;
        this.builder = builder;
    }

    /**
     * Other options set, as text by name, while a bound of an option is tried: for a record whose rules tie
     * options together (a cap not below what it caps), so that each bound of each option can be reached.
     */
    public OptionSpecWalk<R> companions(Map<String, String> values) {
        this.companions = Map.copyOf(values);
        return this;
    }

    /** Walks the specs; fails naming the option whose builder, parser or record disagrees with its spec. */
    public void check(List<? extends OptionSpec<?>> specs) {
        assertTrue(!specs.isEmpty(), type.getSimpleName() + " has no option specs");
        for (OptionSpec<?> spec : specs) {
            checkOne(spec, specs);
        }
    }

    private void checkOne(OptionSpec<?> spec, List<? extends OptionSpec<?>> specs) {
        String component = camelCase(spec.name());
        Method accessor = accessor(component);
        String what = type.getSimpleName() + "." + component + " (" + spec.name() + ")";
        assertEquals(spec.defaultValue(), read(accessor, parse.apply(Map.of())), what + ": default through the parser");
        assertEquals(spec.defaultValue(), read(accessor, build(Map.of(), component, null)),
                what + ": default through the builder");
        Map<String, String> others = new HashMap<>(companions);
        others.remove(spec.name());
        Map<String, Object> otherValues = new HashMap<>();
        for (OptionSpec<?> other : specs) {
            if (others.containsKey(other.name())) {
                otherValues.put(camelCase(other.name()), other.parse(others.get(other.name())));
            }
        }
        int reached = 0;
        for (Object bound : bounds(spec)) {
            if (bound.equals(spec.defaultValue())) {
                continue;
            }
            String text = format(spec, bound);
            R parsed;
            try {
                parsed = parse.apply(with(others, spec.name(), text));
            } catch (InvalidOptionException e) {
                // Another rule of the record (a cap not below what it caps) may refuse this bound; the other one serves.
                assertTrue(!e.getMessage().contains(spec.allowed()), what + ": bound " + text + " refused: " + e.getMessage());
                continue;
            }
            assertEquals(bound, read(accessor, parsed), what + ": " + text + " through the parser");
            assertEquals(bound, read(accessor, build(otherValues, component, bound)),
                    what + ": " + text + " through the builder");
            reached++;
        }
        assertTrue(reached > 0, what + ": neither bound of its range can be set");
        for (Object beyond : beyond(spec)) {
            String text = format(spec, beyond);
            InvalidOptionException parsed = assertThrows(InvalidOptionException.class,
                    () -> parse.apply(with(others, spec.name(), text)), what + ": " + text + " must be refused by the parser");
            assertNamesOption(spec, parsed, what);
            InvalidOptionException built = assertThrows(InvalidOptionException.class, () -> build(otherValues, component, beyond),
                    what + ": " + text + " must be refused by the builder");
            assertNamesOption(spec, built, what);
        }
    }

    private static void assertNamesOption(OptionSpec<?> spec, InvalidOptionException e, String what) {
        assertTrue(e.getMessage().contains(spec.name()) && e.getMessage().contains(spec.allowed()),
                what + ": the error must name the option and what is allowed, got: " + e.getMessage());
    }

    /** The range's bounds, in the spec's type. */
    private static List<Object> bounds(OptionSpec<?> spec) {
        if (spec instanceof IntOption i) {
            return List.of(i.min(), i.max());
        }
        DurationOption d = (DurationOption) spec;
        return List.of(d.min(), d.max());
    }

    /** One step beyond each bound, where that is still a value of the type that text can say. */
    private static List<Object> beyond(OptionSpec<?> spec) {
        List<Object> out = new ArrayList<>();
        if (spec instanceof IntOption i) {
            if (i.min() > Integer.MIN_VALUE) {
                out.add(i.min() - 1);
            }
            if (i.max() < Integer.MAX_VALUE) {
                out.add(i.max() + 1);
            }
        } else {
            DurationOption d = (DurationOption) spec;
            if (d.min().toMillis() >= 1) {
                out.add(d.min().minusMillis(1));
            }
            out.add(d.max().plusMillis(1));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static String format(OptionSpec<?> spec, Object value) {
        return ((OptionSpec<Object>) spec).format(value);
    }

    private Method accessor(String component) {
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.getName().equals(component)) {
                return c.getAccessor();
            }
        }
        return fail(type.getSimpleName() + " has no component " + component + " for its option spec");
    }

    private static Map<String, String> with(Map<String, String> others, String name, String text) {
        Map<String, String> m = new HashMap<>(others);
        m.put(name, text);
        return m;
    }

    /** Builds with the companions' setters called, then one more ({@code value} null: none). */
    private R build(Map<String, Object> others, String setter, Object value) {
        Object b = builder.get();
        try {
            for (Map.Entry<String, Object> other : others.entrySet()) {
                set(b, other.getKey(), other.getValue());
            }
            if (value != null) {
                set(b, setter, value);
            }
            return type.cast(b.getClass().getMethod("build").invoke(b));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot build " + type.getSimpleName() + ": " + e, e);
        }
    }

    private static void set(Object b, String setter, Object value) throws ReflectiveOperationException {
        for (Method m : b.getClass().getMethods()) {
            if (m.getName().equals(setter) && m.getParameterCount() == 1
                    && box(m.getParameterTypes()[0]).isInstance(value)) {
                m.invoke(b, value);
                return;
            }
        }
        fail(b.getClass().getName() + " has no setter " + setter + " for its option spec");
    }

    private static Class<?> box(Class<?> c) {
        return c == int.class ? Integer.class : c == long.class ? Long.class : c;
    }

    private static Object read(Method accessor, Object record) {
        try {
            return accessor.invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code send-window} is {@code sendWindow}. */
    static String camelCase(String name) {
        StringBuilder sb = new StringBuilder();
        boolean upper = false;
        for (char ch : name.toCharArray()) {
            if (ch == '-') {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(ch) : ch);
                upper = false;
            }
        }
        return sb.toString();
    }
}
