package io.imr.engine;

import io.imr.api.Names;
import io.imr.api.strategy.PerStrategyOptions;
import java.time.Duration;
import java.util.List;

/**
 * Settings of a client engine. Immutable and validated.
 *
 * @param strategies       the strategies the device offers, by preference; the server picks one
 * @param options          options of each strategy's client half, in one namespace per strategy (each is
 *                         validated by its own strategy only)
 * @param reconnectInitial the first reconnect delay; it doubles up to reconnectMax, with jitter
 * @param reconnectMax     the longest reconnect delay
 * @param welcomeTimeout   how long to wait for the welcome after connecting
 * @param sendWindow       sends sent and not yet acknowledged by the server, at most
 * @param resendAfter      a send not acknowledged for this long is sent again (the server dedups)
 * @param maxOutbox        sends waiting in the outbox, at most; more fail with OutboxFullException
 */
public record ClientEngineConfig(List<String> strategies, PerStrategyOptions options, Duration reconnectInitial,
                                 Duration reconnectMax, Duration welcomeTimeout, int sendWindow, Duration resendAfter,
                                 int maxOutbox) {

    public ClientEngineConfig {
        strategies = List.copyOf(strategies);
        if (strategies.isEmpty()) {
            throw new IllegalArgumentException("a client must offer at least one strategy");
        }
        strategies.forEach(Names::strategy);
        if (options == null) {
            throw new IllegalArgumentException("options must not be null; use PerStrategyOptions.none()");
        }
        ServerEngineConfig.positive("reconnectInitial", reconnectInitial);
        ServerEngineConfig.positive("reconnectMax", reconnectMax);
        ServerEngineConfig.positive("welcomeTimeout", welcomeTimeout);
        ServerEngineConfig.positive("resendAfter", resendAfter);
        if (sendWindow < 1 || sendWindow > 65536) {
            throw new IllegalArgumentException("sendWindow must be 1 to 65536, got " + sendWindow);
        }
        if (maxOutbox < 1) {
            throw new IllegalArgumentException("maxOutbox must be 1 or more, got " + maxOutbox);
        }
    }

    /** Defaults for a client offering one strategy. */
    public static ClientEngineConfig of(String strategy) {
        return of(List.of(strategy));
    }

    /** Defaults for a client offering these strategies, by preference. */
    public static ClientEngineConfig of(List<String> strategies) {
        return new ClientEngineConfig(strategies, PerStrategyOptions.none(), Duration.ofMillis(100),
                Duration.ofSeconds(10), Duration.ofSeconds(10), 1024, Duration.ofSeconds(10), 1_000_000);
    }

    public ClientEngineConfig withOptions(PerStrategyOptions value) {
        return new ClientEngineConfig(strategies, value, reconnectInitial, reconnectMax, welcomeTimeout, sendWindow,
                resendAfter, maxOutbox);
    }

    public ClientEngineConfig withReconnect(Duration initial, Duration max) {
        return new ClientEngineConfig(strategies, options, initial, max, welcomeTimeout, sendWindow, resendAfter,
                maxOutbox);
    }

    public ClientEngineConfig withSendWindow(int value) {
        return new ClientEngineConfig(strategies, options, reconnectInitial, reconnectMax, welcomeTimeout, value,
                resendAfter, maxOutbox);
    }

    public ClientEngineConfig withResendAfter(Duration value) {
        return new ClientEngineConfig(strategies, options, reconnectInitial, reconnectMax, welcomeTimeout, sendWindow,
                value, maxOutbox);
    }
}
