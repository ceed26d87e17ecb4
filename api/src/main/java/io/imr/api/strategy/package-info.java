/**
 * The strategy SPI: a strategy is a pair of sans-I/O state machines (client half, server half)
 * with four verbs, receive, persist, confirm and recover, that take {@link io.imr.api.strategy.Event}s
 * and put {@link io.imr.api.strategy.Action}s. Providers are found by name through
 * {@link io.imr.api.strategy.StrategyRegistry}.
 */
package io.imr.api.strategy;
