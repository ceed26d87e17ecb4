package io.imr.api.strategy;

import io.imr.api.option.InvalidOptionException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Options for several strategies, one namespace each: {@code ack.window=32} is the option
 * {@code window} of strategy {@code ack} and concerns no other strategy. A client offers several
 * strategies and runs whichever the server picks, so it carries the options of each; each strategy
 * validates only its own. Immutable.
 */
public final class PerStrategyOptions {

    private static final PerStrategyOptions NONE = new PerStrategyOptions(Map.of());

    private final Map<String, StrategyOptions> byStrategy;

    private PerStrategyOptions(Map<String, StrategyOptions> byStrategy) {
        this.byStrategy = Map.copyOf(byStrategy);
    }

    /** No options for any strategy. */
    public static PerStrategyOptions none() {
        return NONE;
    }

    /** Options for one strategy only. */
    public static PerStrategyOptions of(String strategy, StrategyOptions options) {
        return new PerStrategyOptions(Map.of(strategy, options));
    }

    /** Options by strategy name. */
    public static PerStrategyOptions of(Map<String, StrategyOptions> byStrategy) {
        return byStrategy.isEmpty() ? NONE : new PerStrategyOptions(byStrategy);
    }

    /**
     * Options from names of the form {@code STRATEGY.OPTION} (as {@code imr.strategy.STRATEGY.OPTION}
     * is written in a configuration, without its prefix).
     *
     * @throws InvalidOptionException for a name without a strategy or an option part
     */
    public static PerStrategyOptions parse(Map<String, String> namespaced) {
        Map<String, Map<String, String>> grouped = new TreeMap<>();
        namespaced.forEach((key, value) -> {
            int dot = key.indexOf('.');
            if (dot <= 0 || dot == key.length() - 1) {
                throw new InvalidOptionException("strategy option \"" + key
                        + "\" must be written STRATEGY.OPTION, like ack.window");
            }
            grouped.computeIfAbsent(key.substring(0, dot), k -> new HashMap<>()).put(key.substring(dot + 1), value);
        });
        Map<String, StrategyOptions> m = new HashMap<>();
        grouped.forEach((strategy, options) -> m.put(strategy, StrategyOptions.of(options)));
        return of(m);
    }

    /** This strategy's options, {@link StrategyOptions#none()} when it has none. */
    public StrategyOptions forStrategy(String strategy) {
        return byStrategy.getOrDefault(strategy, StrategyOptions.none());
    }

    /** These options with one strategy's replaced. */
    public PerStrategyOptions with(String strategy, StrategyOptions options) {
        Map<String, StrategyOptions> m = new HashMap<>(byStrategy);
        m.put(strategy, options);
        return new PerStrategyOptions(m);
    }

    /** The strategies that have options, with them, sorted by name. */
    public Map<String, StrategyOptions> asMap() {
        return new TreeMap<>(byStrategy);
    }

    /**
     * Checks each strategy's options with its own provider; options of a strategy that is not on the
     * class path are refused (a misspelt name would otherwise be ignored silently).
     *
     * @param used the strategies that will run with these options (their options are validated even
     *             when empty, so defaults are checked too)
     * @throws StrategyRegistry.UnknownStrategyException for options of a strategy the registry lacks
     * @throws InvalidOptionException    for an option its strategy refuses
     */
    public void validate(StrategyRegistry registry, Collection<String> used) {
        for (String strategy : byStrategy.keySet()) {
            registry.get(strategy);
        }
        for (String strategy : used) {
            registry.get(strategy).validate(forStrategy(strategy));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PerStrategyOptions p && asMap().toString().equals(p.asMap().toString());
    }

    @Override
    public int hashCode() {
        return asMap().toString().hashCode();
    }

    @Override
    public String toString() {
        return asMap().toString();
    }
}
