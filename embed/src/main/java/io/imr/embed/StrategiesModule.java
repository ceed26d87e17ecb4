package io.imr.embed;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.MapBinder;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.StrategyRegistry;
import java.util.Map;

/**
 * Binds every strategy on the class path into a {@code MapBinder<String, ReliabilityStrategyProvider>}
 * (the plug-in pattern Guice's wiki recommends), so that an application can also add its own with
 * {@code MapBinder.newMapBinder(...).addBinding("mine")}. Two bindings of one name fail at
 * injector creation, naming both.
 */
public final class StrategiesModule extends AbstractModule {

    @Override
    protected void configure() {
        MapBinder<String, ReliabilityStrategyProvider> strategies =
                MapBinder.newMapBinder(binder(), String.class, ReliabilityStrategyProvider.class);
        StrategyRegistry.load().providers().forEach((name, provider) -> strategies.addBinding(name).toInstance(provider));
    }

    @Provides
    @Singleton
    StrategyRegistry registry(Map<String, ReliabilityStrategyProvider> providers) {
        return StrategyRegistry.of(providers.values());
    }
}
