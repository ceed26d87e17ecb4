/**
 * The {@code ack} strategy, the first design of the specification: the device acknowledges each
 * message by id once the commit that stores it returned; the server keeps a bounded window of sent
 * but unacknowledged messages, retransmits them with exponential backoff and jitter, and redelivers
 * from the confirmed watermark after a reconnect. Choose it with the name {@code ack}
 * ({@link io.imr.strategy.ack.AckStrategyProvider}); its options are in {@link io.imr.strategy.ack.AckConfig}.
 *
 * <p>Nothing here accepts or returns {@code null} unless its Javadoc says so.
 */
package io.imr.strategy.ack;
