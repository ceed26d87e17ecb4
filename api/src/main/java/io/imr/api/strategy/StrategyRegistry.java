package io.imr.api.strategy;

import io.imr.api.ImrException;
import io.imr.api.Names;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The strategies on the class path, by name.
 *
 * <p>Providers are found with {@link ServiceLoader} and instantiated one at a time, so that a
 * broken one (a missing class, a constructor that throws) does not hide the others; what broke
 * is kept and shown in every error. Stricter than "first on the class path wins": two providers
 * of one name, a provider with an invalid name, and a provider built for an incompatible SPI
 * version make {@link #load} fail, naming the classes involved. An unknown name fails
 * {@link #get} with the names that are available.
 */
public final class StrategyRegistry {

    /** A guard against a class path whose service iterator never ends after errors. */
    private static final int MAX_PROVIDERS = 1000;

    private final Map<String, ReliabilityStrategyProvider> byName;
    private final List<String> problems;

    private StrategyRegistry(Map<String, ReliabilityStrategyProvider> byName, List<String> problems) {
        this.byName = Collections.unmodifiableMap(new TreeMap<>(byName));
        this.problems = List.copyOf(problems);
    }

    /** The providers visible to the thread's context class loader (or this class's loader). */
    public static StrategyRegistry load() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return load(loader != null ? loader : StrategyRegistry.class.getClassLoader());
    }

    /**
     * The providers visible to this class loader.
     *
     * @throws DuplicateStrategyException    when two providers have one name
     * @throws InvalidStrategyException      when a provider's name is invalid or it needs another SPI version
     */
    public static StrategyRegistry load(ClassLoader loader) {
        List<ReliabilityStrategyProvider> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Iterator<ReliabilityStrategyProvider> it = ServiceLoader.load(ReliabilityStrategyProvider.class, loader)
                .iterator();
        for (int i = 0; i < MAX_PROVIDERS; i++) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                problems.add(describe(e));
            }
        }
        return of(found, problems);
    }

    /**
     * A registry of exactly these providers (for tests, or wiring without ServiceLoader).
     *
     * @throws DuplicateStrategyException when two providers have one name
     * @throws InvalidStrategyException   when a provider's name is invalid or it needs another SPI version
     */
    public static StrategyRegistry of(Collection<? extends ReliabilityStrategyProvider> providers) {
        return of(providers, List.of());
    }

    /**
     * A registry of exactly these providers that keeps what failed to load elsewhere (for wiring that
     * assembles the providers itself, such as a Guice {@code MapBinder} fed from {@link #load()}), so that
     * {@link #get} still says why a strategy is missing.
     *
     * @param problems providers that could not be loaded, each with its cause (as {@link #problems()})
     * @throws DuplicateStrategyException when two providers have one name
     * @throws InvalidStrategyException   when a provider's name is invalid or it needs another SPI version
     */
    public static StrategyRegistry of(Collection<? extends ReliabilityStrategyProvider> providers,
                                      List<String> problems) {
        Map<String, List<ReliabilityStrategyProvider>> grouped = new TreeMap<>();
        for (ReliabilityStrategyProvider p : providers) {
            String name;
            try {
                name = Names.strategy(p.name());
            } catch (IllegalArgumentException e) {
                throw new InvalidStrategyException("strategy provider " + p.getClass().getName() + " has an invalid name: "
                        + e.getMessage());
            }
            ApiVersion required = p.requiredApiVersion();
            if (required == null || !ApiVersion.CURRENT.supports(required)) {
                throw new InvalidStrategyException("strategy " + name + " (" + p.getClass().getName() + ") needs SPI version "
                        + required + ", but this imr has " + ApiVersion.CURRENT
                        + "; use a build of the strategy made for imr API " + ApiVersion.CURRENT.major() + ".x");
            }
            grouped.computeIfAbsent(name, k -> new ArrayList<>()).add(p);
        }
        Map<String, ReliabilityStrategyProvider> byName = new LinkedHashMap<>();
        List<String> duplicates = new ArrayList<>();
        grouped.forEach((name, list) -> {
            if (list.size() > 1) {
                List<String> classes = new ArrayList<>();
                list.forEach(p -> classes.add(p.getClass().getName()));
                duplicates.add(name + " (" + String.join(", ", classes) + ")");
            } else {
                byName.put(name, list.get(0));
            }
        });
        if (!duplicates.isEmpty()) {
            throw new DuplicateStrategyException("more than one provider for strategy " + String.join("; ", duplicates)
                    + ". Remove all but one from the class path. Strategies found: " + String.join(", ", grouped.keySet()));
        }
        return new StrategyRegistry(byName, problems);
    }

    /**
     * The provider of this name.
     *
     * @throws UnknownStrategyException when there is none; its message lists the names available
     *                                  and any provider that failed to load
     */
    public ReliabilityStrategyProvider get(String name) {
        ReliabilityStrategyProvider p = byName.get(name);
        if (p == null) {
            throw new UnknownStrategyException(name, names(), problems);
        }
        return p;
    }

    /** The names available, sorted. */
    public SortedSet<String> names() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(byName.keySet()));
    }

    /** The providers available, by name. */
    public Map<String, ReliabilityStrategyProvider> providers() {
        return byName;
    }

    /** Providers listed on the class path that could not be loaded, each with its cause. */
    public List<String> problems() {
        return problems;
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            sb.append(": ").append(c);
        }
        return sb.toString();
    }

    /** Something is wrong with how the strategies are configured or packaged. */
    public static class StrategyConfigurationException extends ImrException {
        public StrategyConfigurationException(String message) {
            super(message);
        }
    }

    /** No strategy has the name asked for. */
    public static final class UnknownStrategyException extends StrategyConfigurationException {
        private final String requested;
        private final SortedSet<String> available;

        public UnknownStrategyException(String requested, SortedSet<String> available, List<String> problems) {
            super("unknown strategy \"" + requested + "\"; available: "
                    + (available.isEmpty() ? "(none: put a strategy module such as imr-strategy-ack on the class path)"
                    : String.join(", ", available))
                    + (problems.isEmpty() ? "" : "; providers that failed to load: " + String.join("; ", problems)));
            this.requested = requested;
            this.available = Collections.unmodifiableSortedSet(new TreeSet<>(available));
        }

        public String requested() {
            return requested;
        }

        public SortedSet<String> available() {
            return available;
        }
    }

    /** Two providers have one name. */
    public static final class DuplicateStrategyException extends StrategyConfigurationException {
        public DuplicateStrategyException(String message) {
            super(message);
        }
    }

    /** A provider has an invalid name or needs an SPI version this build does not have. */
    public static final class InvalidStrategyException extends StrategyConfigurationException {
        public InvalidStrategyException(String message) {
            super(message);
        }
    }
}
