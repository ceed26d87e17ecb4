package io.imr.api.strategy;

import io.imr.api.Names;

/**
 * What a client half is made for.
 *
 * @param user    the device's user
 * @param device  the device
 * @param options the strategy's options, already validated by its provider
 */
public record ClientSetup(String user, String device, StrategyOptions options) {
    public ClientSetup {
        Names.principal("user", user);
        Names.principal("device", device);
        if (options == null) {
            throw new IllegalArgumentException("options must not be null; use StrategyOptions.none()");
        }
    }
}
