package io.imr.embed;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.imr.api.strategy.StrategyRegistry;
import io.imr.engine.MessageListener;

/**
 * Assembles an {@link ImrClient} from one {@link ImrConfig} and the application's
 * {@link MessageListener}. Only binds; the caller starts the client.
 */
public final class ImrClientModule extends AbstractModule {

    private final ImrConfig config;
    private final MessageListener listener;

    public ImrClientModule(ImrConfig config, MessageListener listener) {
        this.config = config;
        this.listener = listener;
    }

    @Override
    protected void configure() {
        install(new StrategiesModule());
        bind(ImrConfig.class).toInstance(config);
        bind(MessageListener.class).toInstance(listener);
    }

    @Provides
    @Singleton
    ImrClient client(ImrConfig config, StrategyRegistry strategies, MessageListener listener,
                     MeterRegistryHolder meters) {
        return ImrClient.builder().config(config).strategyRegistry(strategies).listener(listener)
                .meterRegistry(meters.registry).build();
    }
}
