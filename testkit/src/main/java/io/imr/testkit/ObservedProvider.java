package io.imr.testkit;

import io.imr.api.strategy.Action;
import io.imr.api.strategy.Actions;
import io.imr.api.strategy.ApiVersion;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.ClientSetup;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ReliabilityHalf;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.ServerReliability;
import io.imr.api.strategy.ServerSetup;
import io.imr.api.strategy.SimulationHints;
import io.imr.api.strategy.StrategyOptions;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * A strategy under test, with every half watched: after each step its G7 gauge is checked against
 * the bound the strategy states ({@link SimulationHints}) and retransmit signals are counted. It
 * changes nothing the halves do; the engine drives it as it would the provider itself.
 */
final class ObservedProvider implements ReliabilityStrategyProvider {

    private final ReliabilityStrategyProvider delegate;
    private final SimulationHints hints;
    private final Checks checks;
    private final Recorder recorder;

    /**
     * @param hints the bounds to hold the halves to: the real strategy's, also when {@code delegate}
     *              carries a planted bug
     */
    ObservedProvider(ReliabilityStrategyProvider delegate, SimulationHints hints, Checks checks, Recorder recorder) {
        this.delegate = delegate;
        this.hints = hints;
        this.checks = checks;
        this.recorder = recorder;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String description() {
        return delegate.description();
    }

    @Override
    public ApiVersion requiredApiVersion() {
        return delegate.requiredApiVersion();
    }

    @Override
    public Set<String> optionNames() {
        return delegate.optionNames();
    }

    @Override
    public void validate(StrategyOptions options) {
        delegate.validate(options);
    }

    @Override
    public SimulationHints simulationHints() {
        return hints;
    }

    @Override
    public ClientReliability newClient(ClientSetup setup) {
        String device = setup.user() + "/" + setup.device();
        checks.clientStrategy(device, hints);
        return Intercepting.client(new Observed<>(delegate.newClient(setup),
                n -> checks.clientHalf(device, n, hints.maxBuffered())));
    }

    @Override
    public ServerReliability newServer(ServerSetup setup) {
        String device = setup.user() + "/" + setup.device();
        return Intercepting.server(new Observed<>(delegate.newServer(setup),
                n -> checks.serverHalf(device, n, hints.maxUnconfirmed())));
    }

    /** One half of either side, watched after every event. */
    private final class Observed<E extends Event, O extends Actions<?>> extends Intercepting<E, O> {
        private final IntConsumer check;

        Observed(ReliabilityHalf<E, O> half, IntConsumer check) {
            super(half);
            this.check = check;
        }

        @Override
        public void on(E event, O out) {
            int before = out.size();
            half.on(event, out);
            List<? extends Action> all = out.list();
            for (int i = before; i < all.size(); i++) {
                if (all.get(i) instanceof Action.Signal s && s.kind() == Action.Signal.Kind.RETRANSMIT) {
                    recorder.retransmits += s.amount();
                }
            }
            check.accept(half.held());
        }
    }
}
