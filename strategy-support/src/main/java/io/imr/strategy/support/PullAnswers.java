package io.imr.strategy.support;

import io.imr.api.Message;
import io.imr.api.frame.Pull;
import io.imr.api.frame.PullResult;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ServerActions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a server half answers a device's pulls, the same for every strategy: each pull is answered from
 * the inbox ({@code ReadInbox}, then one {@code PullResult} of at most the pull's limit and one frame's
 * bytes). At most a fixed number of reads are outstanding for one device, each of at most
 * {@code readLimit} messages; further pulls merge into one waiting pull ({@link PullQueue}), so a pull
 * storm costs bounded memory (G7) and nothing asked for is refused. A pull from beyond the max seq is
 * answered at once, empty. Answers to reads of an earlier session are dropped ({@link #clear}).
 */
public final class PullAnswers {

    private final PullQueue queue;
    private final int readLimit;
    private final Map<Long, Pull> reads = new HashMap<>();

    /**
     * @param maxReads  the most inbox reads outstanding for one device's pulls, 1 or more
     * @param readLimit the most messages one read asks for, 1 or more
     */
    public PullAnswers(int maxReads, int readLimit) {
        if (readLimit < 1) {
            throw new IllegalArgumentException("a read limit must be 1 or more, got " + readLimit);
        }
        this.queue = new PullQueue(maxReads);
        this.readLimit = readLimit;
    }

    /**
     * A pull arrived: read for it, or merge it into the waiting one, or answer it at once when it asks
     * for nothing the sequence has.
     *
     * @return the highest seq the device was told of (an answer's max seq), or 0 when nothing was sent
     */
    public long pull(Pull pull, long epoch, long maxSeq, TokenSource tokens, ServerActions out) {
        if (pull.fromSeq() > maxSeq) {
            return answer(pull, List.of(), epoch, maxSeq, out);
        }
        queue.admit(pull).ifPresent(p -> read(p, tokens, out));
        return 0;
    }

    /**
     * An inbox read returned. If it was one of this class's, the pull it was for is answered and the
     * waiting pull, if any, is read for.
     *
     * @return the highest seq the device was told of, 0 when nothing was sent, or -1 when the read was
     *         not one of this class's
     */
    public long inboxRead(Event.InboxRead r, long epoch, long maxSeq, TokenSource tokens, ServerActions out) {
        Pull pull = reads.remove(r.token());
        if (pull == null) {
            return -1;
        }
        long told = answer(pull, r.messages(), epoch, Math.max(maxSeq, r.maxSeq()), out);
        queue.completed().ifPresent(next -> read(next, tokens, out));
        return told;
    }

    /** Forgets every outstanding and waiting pull: the session they were for ended. */
    public void clear() {
        reads.clear();
        queue.clear();
    }

    /** Reads outstanding for pulls. */
    public int outstanding() {
        return reads.size();
    }

    private void read(Pull pull, TokenSource tokens, ServerActions out) {
        long token = tokens.next();
        reads.put(token, pull);
        out.readInbox(token, pull.fromSeq(), Math.min(pull.limit(), readLimit));
    }

    /** One PullResult of what was read: in range, of this epoch, within the pull's limit and one frame. */
    private static long answer(Pull pull, List<Message> read, long epoch, long maxSeq, ServerActions out) {
        List<Message> inRange = new ArrayList<>(read.size());
        for (Message m : read) {
            if (m.seq() >= pull.fromSeq() && m.epoch() == epoch) {
                inRange.add(m);
            }
        }
        List<Message> page = FrameBatches.prefix(inRange, pull.limit(), FrameBatches.DEFAULT_FRAME_BYTES);
        long top = page.isEmpty() ? maxSeq : Math.max(maxSeq, page.get(page.size() - 1).seq());
        out.send(new PullResult(pull.fromSeq(), page, top, epoch));
        return top;
    }
}
