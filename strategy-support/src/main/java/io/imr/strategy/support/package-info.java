/**
 * Building blocks that several strategies share, each a small sans-I/O class with one job:
 * the client's view of its sequence ({@link io.imr.strategy.support.ReceiveSequence} with its bounded
 * {@link io.imr.strategy.support.HoldBackBuffer}), paged pulls on both sides
 * ({@link io.imr.strategy.support.PullTracker}, {@link io.imr.strategy.support.PullQueue}), the server's
 * window of unconfirmed messages ({@link io.imr.strategy.support.UnackedWindow}) with its retransmit
 * {@link io.imr.strategy.support.Backoff}, the confirmed watermark's persistence
 * ({@link io.imr.strategy.support.WatermarkTracker}), and timers, throttles, tokens and frame batches.
 *
 * <p>Like the strategies, nothing here reads a clock, draws a random number, starts a thread or does
 * I/O: times and random draws are parameters, taken from the driver's events. Instances are not
 * thread-safe; one strategy half owns each.
 *
 * <p>Nothing here accepts or returns {@code null} unless its Javadoc says so.
 */
package io.imr.strategy.support;
