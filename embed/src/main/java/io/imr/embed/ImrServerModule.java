package io.imr.embed;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.imr.api.strategy.StrategyRegistry;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Assembles an {@link ImrServer} from one {@link ImrConfig}. Only binds: the server is built on
 * injection and started by the caller ({@code injector.getInstance(ImrServer.class).start()}).
 * Bind a {@link MeterRegistry} in another module to use your own; by default the server has a
 * simple one (plus Prometheus when {@code imr.server.metrics} is set).
 */
public final class ImrServerModule extends AbstractModule {

    private final ImrConfig config;

    public ImrServerModule(ImrConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        install(new StrategiesModule());
        bind(ImrConfig.class).toInstance(config);
    }

    @Provides
    @Singleton
    ImrServer server(ImrConfig config, StrategyRegistry strategies, MeterRegistryHolder meters) {
        // Resolve the strategy now, so a wrong name fails at injection with the list of names.
        String strategy = config.string(ImrConfig.STRATEGY, ImrServer.DEFAULT_STRATEGY);
        strategies.get(strategy);
        config.strategyOptions().validate(strategies, java.util.List.of(strategy));
        return ImrServer.builder().config(config).strategies(strategies).meterRegistry(meters.registry).build();
    }
}
