package io.imr.strategy.seqid;

import io.imr.api.strategy.ApiVersion;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.ClientSetup;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.ServerReliability;
import io.imr.api.strategy.ServerSetup;
import io.imr.api.strategy.SimulationHints;
import io.imr.api.strategy.StrategyOptions;
import io.imr.strategy.support.SequencedClient;
import java.util.Map;
import java.util.Set;

/**
 * The {@code seqid} strategy, found by {@link java.util.ServiceLoader}: the SeqID design of the
 * specification, faithfully. Its constructor does no work.
 */
public final class SeqidStrategyProvider implements ReliabilityStrategyProvider {

    /** The name configuration chooses it by. */
    public static final String NAME = "seqid";

    /** Small windows, so that simulated faults press on them. */
    static final StrategyOptions SIMULATION_OPTIONS = StrategyOptions.of(Map.of(SeqidConfig.PUSH_WINDOW.name(), "32",
            SeqidConfig.PULL_PAGE.name(), "32", SeqidConfig.HOLD_BACK.name(), "64"));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "consecutive seqs; the device stores LastReceivedSeqID with the messages and pulls from it on any hole;"
                + " no per-message ack (confirmations are implicit: the hello's cursor and each pull's start)";
    }

    @Override
    public ApiVersion requiredApiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public Set<String> optionNames() {
        return SeqidConfig.OPTION_NAMES;
    }

    @Override
    public void validate(StrategyOptions options) {
        SeqidConfig.from(options);
    }

    /**
     * The bounds: the server pushes at most its push window beyond the last confirmation, and a pull's
     * answer reaches at most that far past the pull's start; a device holds at most that, two pull pages and
     * the hold-back buffer; one pull is outstanding at a time, and at most two are in flight: a late
     * answer to a pull that timed out releases the tracker for one of the same start.
     */
    @Override
    public SimulationHints simulationHints() {
        SeqidConfig c = SeqidConfig.from(SIMULATION_OPTIONS);
        return new SimulationHints(SIMULATION_OPTIONS, c.pushWindow(), c.pushWindow() + 2 * c.pullPage() + c.holdBack(), 2,
                c.tailTimeout());
    }

    @Override
    public ClientReliability newClient(ClientSetup setup) {
        SeqidConfig c = SeqidConfig.from(setup.options());
        // No gap timeout: any discontinuity is pulled at once; a Notify, or a session that starts behind,
        // too: the server pushes only within its window and never again what a device missed.
        return new SequencedClient(new SequencedClient.Settings(NAME, c.holdBack(), java.time.Duration.ZERO,
                c.tailTimeout(), c.pullPage(), true, true), (batch, view, now, out) -> {
                    // LastReceivedSeqID is committed with the messages; nothing is sent for them.
                });
    }

    @Override
    public ServerReliability newServer(ServerSetup setup) {
        return new SeqidServer(SeqidConfig.from(setup.options()));
    }
}
