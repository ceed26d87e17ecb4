package io.imr.strategy.ack;

import io.imr.api.option.InvalidOptionException;
import io.imr.api.strategy.ApiVersion;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.ClientSetup;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.ServerReliability;
import io.imr.api.strategy.ServerSetup;
import io.imr.api.strategy.SimulationHints;
import io.imr.api.strategy.StrategyOptions;
import java.util.Map;
import java.util.Set;

/**
 * The {@code ack} strategy, found by {@link java.util.ServiceLoader}. Its constructor does no work; the
 * options are parsed once per {@link StrategyOptions} instance and reused for every half made with them.
 */
public final class AckStrategyProvider implements ReliabilityStrategyProvider {

    /** The name configuration chooses it by. */
    public static final String NAME = "ack";

    /** The last options parsed and what they gave; replaced as a whole, so readers see a consistent pair. */
    private volatile Parsed last;

    private record Parsed(StrategyOptions options, AckConfig config) {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "the device acks each message by id after its commit; the server keeps a bounded window of unacked"
                + " messages and retransmits with backoff (one ack id per message, retransmits on loss)";
    }

    @Override
    public ApiVersion requiredApiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public Set<String> optionNames() {
        return AckConfig.OPTION_NAMES;
    }

    @Override
    public void validate(StrategyOptions options) {
        config(options);
    }

    /**
     * Small windows, so that simulated faults press on them. The bounds are the documented ones: the
     * server holds at most its window unconfirmed; a device holds at most the window pushed, two pull
     * pages and the hold-back buffer; one pull is outstanding at a time, and at most two are in flight: a late answer
     * to a pull that timed out releases the tracker for one of the same start.
     */
    @Override
    public SimulationHints simulationHints() {
        AckConfig c = AckConfig.from(SIMULATION_OPTIONS);
        return new SimulationHints(SIMULATION_OPTIONS, c.window(), c.window() + 2 * c.pullPage() + c.holdBack(), 2,
                c.tailTimeout());
    }

    static final StrategyOptions SIMULATION_OPTIONS = StrategyOptions.of(Map.of(AckConfig.WINDOW.name(), "32",
            AckConfig.PULL_PAGE.name(), "32", AckConfig.HOLD_BACK.name(), "64", AckConfig.RETRANSMIT_MAX.name(), "5s"));

    @Override
    public ClientReliability newClient(ClientSetup setup) {
        return AckClient.create(config(setup.options()));
    }

    @Override
    public ServerReliability newServer(ServerSetup setup) {
        return AckServer.create(config(setup.options()));
    }

    /**
     * The parsed options.
     *
     * @throws InvalidOptionException for an unknown option or a bad value
     */
    AckConfig config(StrategyOptions options) {
        Parsed p = last;
        if (p != null && p.options() == options) {
            return p.config();
        }
        AckConfig config = AckConfig.from(options);
        last = new Parsed(options, config);
        return config;
    }
}
