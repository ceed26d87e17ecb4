package io.imr.strategy.ack;

import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.Frame;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientReliability;
import io.imr.strategy.support.FrameBatches;
import io.imr.strategy.support.SequencedClient;
import java.util.ArrayList;
import java.util.List;

/**
 * The device's half of the {@code ack} strategy: the {@link SequencedClient} every sequenced strategy
 * shares (receive, persist, recover: see there), with a confirmer that acks by id.
 *
 * <ul>
 *   <li><b>confirm</b>: exactly the ids of a commit that returned are acked, in frames of at most
 *       {@link Frame#MAX_ACK_IDS}, never before (G5).</li>
 *   <li>A message at or below the committed cursor is one the server resent because our ack was lost:
 *       it is acked again, or the server would resend it forever.</li>
 *   <li>A hole is given {@code gap-timeout} to fill (the server retransmits what is not acked) before
 *       its range is pulled; a {@code Notify} is no reason to pull (the server refills its window from
 *       the inbox as acks come), only a tail that stays missing for {@code tail-timeout} is (G9).</li>
 * </ul>
 */
final class AckClient {

    static final String GAP_TIMER = AckStrategyProvider.NAME + ".gap";
    static final String TAIL_TIMER = AckStrategyProvider.NAME + ".tail";
    static final String RETRY_TIMER = AckStrategyProvider.NAME + ".commit-retry";

    private AckClient() {
    }

    /** A new client half with these settings. */
    static ClientReliability create(AckConfig config) {
        return new SequencedClient(new SequencedClient.Settings(AckStrategyProvider.NAME, config.holdBack(),
                config.gapTimeout(), config.tailTimeout(), config.pullPage(), false, false), new ById());
    }

    /** Acks by id: what a commit stored, and what arrived again after it was stored. */
    private static final class ById implements SequencedClient.Confirmer {

        @Override
        public void committed(List<Message> batch, SequencedClient.View view, long now, ClientActions out) {
            send(batch, out);
        }

        @Override
        public void committedAgain(List<Message> duplicates, SequencedClient.View view, long now, ClientActions out) {
            send(duplicates, out);
        }

        private static void send(List<Message> messages, ClientActions out) {
            List<String> ids = new ArrayList<>(messages.size());
            for (Message m : messages) {
                ids.add(m.id());
            }
            for (List<String> chunk : FrameBatches.chunks(ids, Frame.MAX_ACK_IDS)) {
                out.send(new Ack(chunk));
            }
        }
    }
}
