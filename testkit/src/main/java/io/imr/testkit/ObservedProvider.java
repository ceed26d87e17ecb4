package io.imr.testkit;

import io.imr.api.strategy.Action;
import io.imr.api.strategy.Actions;
import io.imr.api.strategy.ApiVersion;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.ClientSetup;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.ServerReliability;
import io.imr.api.strategy.ServerSetup;
import io.imr.api.strategy.StrategyOptions;
import java.util.List;
import java.util.Set;

/**
 * The strategy under test, with every half watched: after each step the G7 gauges are checked and
 * retransmit signals counted. It changes nothing the halves do; the engine drives it as it would
 * the provider itself.
 */
final class ObservedProvider implements ReliabilityStrategyProvider {

    private final ReliabilityStrategyProvider delegate;
    private final Checks checks;
    private final Recorder recorder;

    ObservedProvider(ReliabilityStrategyProvider delegate, Checks checks, Recorder recorder) {
        this.delegate = delegate;
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
    public ClientReliability newClient(ClientSetup setup) {
        ClientReliability half = delegate.newClient(setup);
        String device = setup.user() + "/" + setup.device();
        return new Intercepting.Client() {
            @Override
            public void on(Event event, Actions out) {
                int before = out.list().size();
                half.on(event, out);
                count(out, before);
                checks.clientHalf(device, half.buffered());
            }

            @Override
            public int buffered() {
                return half.buffered();
            }
        };
    }

    @Override
    public ServerReliability newServer(ServerSetup setup) {
        ServerReliability half = delegate.newServer(setup);
        String device = setup.user() + "/" + setup.device();
        return new Intercepting.Server() {
            @Override
            public void on(Event event, Actions out) {
                int before = out.list().size();
                half.on(event, out);
                count(out, before);
                checks.serverHalf(device, half.unconfirmed());
            }

            @Override
            public int unconfirmed() {
                return half.unconfirmed();
            }
        };
    }

    private void count(Actions out, int from) {
        List<Action> all = out.list();
        for (int i = from; i < all.size(); i++) {
            if (all.get(i) instanceof Action.Signal s && s.kind() == Action.Signal.Kind.RETRANSMIT) {
                recorder.retransmits += s.amount();
            }
        }
    }
}
