package io.imr.api.strategy;

import io.imr.api.option.InvalidOptionException;
import java.util.Set;

/**
 * A reliability strategy, found with {@link java.util.ServiceLoader}: list the implementing class
 * in {@code META-INF/services/io.imr.api.strategy.ReliabilityStrategyProvider}. It must have a
 * public no-argument constructor that does no work: the registry instantiates every provider on
 * the class path, whether it is chosen or not.
 *
 * <p>One provider makes both halves of one strategy; the halves of one name must speak to each
 * other, and only to each other.
 */
public interface ReliabilityStrategyProvider {

    /** The name configuration chooses it by; must match {@link io.imr.api.Names#STRATEGY}. */
    String name();

    /** One sentence on what the strategy does and costs, shown in listings. */
    String description();

    /** The SPI version the provider was built against; usually {@link ApiVersion#CURRENT}. */
    ApiVersion requiredApiVersion();

    /** The option names the strategy understands; others are refused at startup. */
    default Set<String> optionNames() {
        return Set.of();
    }

    /**
     * Checks options without making anything, so that a bad value fails at startup.
     *
     * @throws InvalidOptionException saying which option is wrong and what is allowed
     */
    default void validate(StrategyOptions options) {
        options.requireKnown(name(), optionNames());
    }

    /**
     * The options a simulator runs the strategy with and the G7 bounds they imply; by default
     * {@link SimulationHints#LOOSE}. State real bounds: the compatibility kit and {@code imr simulate}
     * hold the strategy to them.
     */
    default SimulationHints simulationHints() {
        return SimulationHints.LOOSE;
    }

    /** A new client half for one device. */
    ClientReliability newClient(ClientSetup setup);

    /** A new server half for one device of one user. */
    ServerReliability newServer(ServerSetup setup);
}
