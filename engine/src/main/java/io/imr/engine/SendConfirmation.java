package io.imr.engine;

/**
 * The server committed one of this device's sends (its send-ack arrived), including sends made
 * by an earlier run of the same store and resent from the outbox.
 *
 * @param clientId the send's client id ({@code outboxId-counter})
 * @param counter  its counter in the outbox
 * @param to       the recipient
 * @param seq      its seq in the recipient's sequence
 * @param epoch    the epoch of that seq
 */
public record SendConfirmation(String clientId, long counter, String to, long seq, long epoch) {
}
