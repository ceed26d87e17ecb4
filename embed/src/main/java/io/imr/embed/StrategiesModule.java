package io.imr.embed;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.MapBinder;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.StrategyRegistry;
import java.util.List;
import java.util.Map;

/**
 * Binds every strategy on the class path into a {@code MapBinder<String, ReliabilityStrategyProvider>}
 * (the plug-in pattern Guice's wiki recommends), so that an application can also add its own with
 * {@code MapBinder.newMapBinder(...).addBinding("mine")}. Two bindings of one name fail at
 * injector creation, naming both. Providers listed on the class path that failed to load are kept, so
 * that asking for a missing strategy says why it is missing.
 */
public final class StrategiesModule extends AbstractModule {

    @Override
    protected void configure() {
        MapBinder<String, ReliabilityStrategyProvider> strategies =
                MapBinder.newMapBinder(binder(), String.class, ReliabilityStrategyProvider.class);
        StrategyRegistry loaded = StrategyRegistry.load();
        loaded.providers().forEach((name, provider) -> strategies.addBinding(name).toInstance(provider));
        bind(LoadProblems.class).toInstance(new LoadProblems(loaded.problems()));
    }

    @Provides
    @Singleton
    StrategyRegistry registry(Map<String, ReliabilityStrategyProvider> providers, LoadProblems problems) {
        return StrategyRegistry.of(providers.values(), problems.list());
    }

    /** What {@link StrategyRegistry#load()} could not load, carried from binding time to the registry. */
    record LoadProblems(List<String> list) {
    }
}
