package io.imr.api.frame;

import io.imr.api.Message;
import java.util.List;

/** Rules shared by frames that carry messages. */
final class Batches {

    private Batches() {
    }

    /** All to one recipient, all of one epoch, seqs strictly increasing, none above maxSeq. */
    static void check(String frame, List<Message> messages, long maxSeq) {
        Message previous = null;
        for (Message m : messages) {
            if (m.seq() > maxSeq) {
                throw new IllegalArgumentException(frame + ".messages holds seq " + m.seq() + " above maxSeq " + maxSeq);
            }
            if (previous != null) {
                if (!m.recipient().equals(previous.recipient())) {
                    throw new IllegalArgumentException(frame + ".messages must all have one recipient");
                }
                if (m.epoch() != previous.epoch()) {
                    throw new IllegalArgumentException(frame + ".messages must all be of one epoch, got epoch "
                            + m.epoch() + " after " + previous.epoch());
                }
                if (m.seq() <= previous.seq()) {
                    throw new IllegalArgumentException(frame + ".messages must be in increasing seq, got " + m.seq()
                            + " after " + previous.seq());
                }
            }
            previous = m;
        }
    }
}
