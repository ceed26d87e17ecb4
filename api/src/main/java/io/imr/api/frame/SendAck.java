package io.imr.api.frame;

import io.imr.api.ClientIds;
import java.util.List;

/**
 * The server committed sent messages (or had them already): they are now safe on the server and the
 * sender may forget them (G6). Sent only after the server's commit returned.
 *
 * @param outboxId the outbox the counters are of
 * @param runs     1 to {@link Frame#MAX_RUNS} runs of committed counters
 */
public record SendAck(String outboxId, List<Run> runs) implements Frame {

    /**
     * Counters {@code firstCounter .. firstCounter + count - 1} were committed with seqs
     * {@code firstSeq .. firstSeq + count - 1} of {@code epoch}, in their recipient's sequence.
     *
     * @param firstCounter the first counter, 1 or more
     * @param count        how many consecutive counters, 1 or more
     * @param firstSeq     the seq of the first, 1 or more
     * @param epoch        the epoch of the seqs, 1 or more
     */
    public record Run(long firstCounter, long count, long firstSeq, long epoch) {

        public Run {
            Checks.positive("send-ack.runs[]", "firstCounter", firstCounter);
            Checks.positive("send-ack.runs[]", "count", count);
            Checks.positive("send-ack.runs[]", "firstSeq", firstSeq);
            Checks.positive("send-ack.runs[]", "epoch", epoch);
            if (firstCounter - 1 > Long.MAX_VALUE - count) {
                throw new IllegalArgumentException("send-ack.runs[] counters " + firstCounter + " + " + count
                        + " go beyond " + Long.MAX_VALUE);
            }
            if (firstSeq - 1 > Long.MAX_VALUE - count) {
                throw new IllegalArgumentException("send-ack.runs[] seqs " + firstSeq + " + " + count + " go beyond "
                        + Long.MAX_VALUE);
            }
        }

        /** The last counter of the run. */
        public long lastCounter() {
            return firstCounter + count - 1;
        }

        /** The seq of a counter of the run. */
        public long seqOf(long counter) {
            if (counter < firstCounter || counter > lastCounter()) {
                throw new IllegalArgumentException("counter " + counter + " is not in the run " + firstCounter + ".."
                        + lastCounter());
            }
            return firstSeq + (counter - firstCounter);
        }
    }

    public SendAck {
        ClientIds.outboxId(outboxId);
        runs = Checks.list("send-ack", "runs", runs, MAX_RUNS);
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("send-ack.runs must hold at least one run");
        }
    }

    /** The answer to one message. */
    public static SendAck of(String outboxId, long counter, long seq, long epoch) {
        return new SendAck(outboxId, List.of(new Run(counter, 1, seq, epoch)));
    }

    /** How many messages the runs answer. */
    public long messages() {
        long n = 0;
        for (Run r : runs) {
            n += r.count();
        }
        return n;
    }

    @Override
    public String type() {
        return "send-ack";
    }
}
