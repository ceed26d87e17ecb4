package io.imr.strategy.hybrid;

import io.imr.api.strategy.ApiVersion;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.ClientSetup;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.ServerReliability;
import io.imr.api.strategy.ServerSetup;
import io.imr.api.strategy.SimulationHints;
import io.imr.api.strategy.StrategyOptions;
import io.imr.strategy.support.SequencedClient;
import io.imr.strategy.support.WindowedServer;
import java.util.Map;
import java.util.Set;

/**
 * The {@code hybrid} strategy, found by {@link java.util.ServiceLoader}, the server's default: consecutive
 * seqs and the gap check of {@code seqid}, plus a batched cumulative {@code ack-up-to} after each commit
 * ({@link CumulativeAcks}); the server keeps a bounded window of unconfirmed messages, resumes from the
 * confirmed watermark on reconnect, retransmits on timeout only what is above it, and beyond the window
 * lets the device pull; a hole is repaired by pulling exactly its range, one pull at a time. Its
 * constructor does no work.
 */
public final class HybridStrategyProvider implements ReliabilityStrategyProvider {

    /** The name configuration chooses it by. */
    public static final String NAME = "hybrid";

    /** Small windows, so that simulated faults press on them. */
    static final StrategyOptions SIMULATION_OPTIONS = StrategyOptions.of(Map.of(HybridConfig.WINDOW.name(), "32",
            HybridConfig.PULL_PAGE.name(), "32", HybridConfig.HOLD_BACK.name(), "64", HybridConfig.ACK_EVERY.name(), "8",
            HybridConfig.RETRANSMIT_MAX.name(), "5s"));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "consecutive seqs; the device confirms the highest contiguous committed seq in batches (ack-up-to);"
                + " the server keeps a bounded window, resends only above the watermark, and the device pulls exactly"
                + " the ranges it misses";
    }

    @Override
    public ApiVersion requiredApiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public Set<String> optionNames() {
        return HybridConfig.OPTION_NAMES;
    }

    @Override
    public void validate(StrategyOptions options) {
        HybridConfig.from(options);
    }

    /**
     * The bounds: the server holds at most its window unconfirmed; a device holds at most the window
     * pushed, two pull pages and the hold-back buffer; one pull is outstanding at a time, and at most two are in flight: a late
     * answer to a pull that timed out releases the tracker for one of the same start.
     */
    @Override
    public SimulationHints simulationHints() {
        HybridConfig c = HybridConfig.from(SIMULATION_OPTIONS);
        return new SimulationHints(SIMULATION_OPTIONS, c.window(), c.window() + 2 * c.pullPage() + c.holdBack(), 2,
                c.tailTimeout());
    }

    @Override
    public ClientReliability newClient(ClientSetup setup) {
        HybridConfig c = HybridConfig.from(setup.options());
        return new SequencedClient(new SequencedClient.Settings(NAME, c.holdBack(), c.gapTimeout(), c.tailTimeout(),
                c.pullPage(), true, false), new CumulativeAcks(c));
    }

    @Override
    public ServerReliability newServer(ServerSetup setup) {
        HybridConfig c = HybridConfig.from(setup.options());
        return new WindowedServer(new WindowedServer.Settings(NAME, c.window(), c.windowBytes(), c.retransmitInitial(),
                c.retransmitMax(), HybridConfig.NOTIFY_INTERVAL, HybridConfig.MAX_PULL_READS, false, false));
    }
}
