package io.imr.strategy.ack;

import io.imr.api.Message;
import io.imr.api.frame.Ack;
import io.imr.api.frame.Frame;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientReliability;
import io.imr.strategy.support.SequencedClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The device's half of the {@code ack} strategy: the {@link SequencedClient} every sequenced strategy
 * shares (receive, persist, recover: see there), with a confirmer that acks by seq.
 *
 * <ul>
 *   <li><b>confirm</b>: exactly the seqs (of the server's numbering) of a commit that returned are acked,
 *       each run of consecutive seqs as one range, in frames of at most {@link Frame#MAX_RANGES} ranges
 *       of one epoch, never before (G5).</li>
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
                config.gapTimeout(), config.tailTimeout(), config.pullPage(), false, false), new BySeq());
    }

    /** Acks by seq: what a commit stored, and what arrived again after it was stored. */
    private static final class BySeq implements SequencedClient.Confirmer {

        @Override
        public void committed(List<Message> batch, SequencedClient.View view, long now, ClientActions out) {
            send(batch, out);
        }

        @Override
        public void committedAgain(List<Message> duplicates, SequencedClient.View view, long now, ClientActions out) {
            send(duplicates, out);
        }

        /**
         * Acks the seqs of these messages: per epoch, in increasing seq, each run of consecutive seqs one
         * range, at most {@link Frame#MAX_RANGES} ranges a frame.
         */
        private static void send(List<Message> messages, ClientActions out) {
            if (messages.isEmpty()) {
                return;
            }
            // A commit's messages are of one epoch but for an epoch change among them: sort by epoch, then seq.
            long[][] byEpoch = new long[messages.size()][];
            for (int i = 0; i < byEpoch.length; i++) {
                Message m = messages.get(i);
                byEpoch[i] = new long[] {m.epoch(), m.seq()};
            }
            boolean sorted = true;
            for (int i = 1; i < byEpoch.length && sorted; i++) {
                sorted = compare(byEpoch[i - 1], byEpoch[i]) <= 0;
            }
            if (!sorted) {
                Arrays.sort(byEpoch, BySeq::compare);
            }
            long epoch = byEpoch[0][0];
            List<Ack.Range> ranges = new ArrayList<>();
            long first = byEpoch[0][1];
            long last = first;
            for (int i = 1; i < byEpoch.length; i++) {
                long e = byEpoch[i][0];
                long seq = byEpoch[i][1];
                if (e == epoch && seq <= last + 1) {
                    last = Math.max(last, seq); // the next of the run, or a seq acked twice in one commit
                    continue;
                }
                ranges.add(new Ack.Range(first, last));
                if (e != epoch || ranges.size() == Frame.MAX_RANGES) {
                    out.send(new Ack(epoch, ranges));
                    ranges = new ArrayList<>();
                    epoch = e;
                }
                first = seq;
                last = seq;
            }
            ranges.add(new Ack.Range(first, last));
            out.send(new Ack(epoch, ranges));
        }

        private static int compare(long[] a, long[] b) {
            int byEpoch = Long.compare(a[0], b[0]);
            return byEpoch != 0 ? byEpoch : Long.compare(a[1], b[1]);
        }
    }
}
