package io.imr.testkit;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.strategy.Action;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * For unit tests of strategy halves: messages of bob's sequence from alice, and helpers that read the
 * actions a half put out. Public so that a strategy of one's own can use them too.
 */
public final class StrategyFixtures {

    public static final long MS = 1_000_000L;
    public static final long SECOND = 1_000 * MS;

    private StrategyFixtures() {
    }

    /** The message at this seq in epoch 1. */
    public static Message msg(long seq) {
        return msg(seq, 1);
    }

    /** The message at this seq in this epoch. */
    public static Message msg(long seq, long epoch) {
        byte[] payload = ("message " + seq).getBytes(StandardCharsets.UTF_8);
        return Message.of("alice", "c-" + seq, "bob", seq, epoch, 1_700_000_000_000L, payload,
                Checksums.crc32c(payload));
    }

    /** Messages from..to in epoch 1. */
    public static List<Message> range(long from, long to) {
        List<Message> ms = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            ms.add(msg(s));
        }
        return ms;
    }

    /** The actions of a type, in order. */
    public static <T extends Action> List<T> only(List<? extends Action> actions, Class<T> type) {
        List<T> found = new ArrayList<>();
        for (Action a : actions) {
            if (type.isInstance(a)) {
                found.add(type.cast(a));
            }
        }
        return found;
    }

    /** The frames of a type sent, in order. */
    public static <T extends Frame> List<T> sent(List<? extends Action> actions, Class<T> type) {
        List<T> found = new ArrayList<>();
        for (Action.SendFrame s : only(actions, Action.SendFrame.class)) {
            if (type.isInstance(s.frame())) {
                found.add(type.cast(s.frame()));
            }
        }
        return found;
    }

    /** The seqs of every message pushed in Deliver frames, in order. */
    public static List<Long> delivered(List<? extends Action> actions) {
        List<Long> seqs = new ArrayList<>();
        for (Deliver d : sent(actions, Deliver.class)) {
            d.messages().forEach(m -> seqs.add(m.seq()));
        }
        return seqs;
    }

    /** The delay of the last scheduling of a timer, or -1 when it was not scheduled. */
    public static long scheduled(List<? extends Action> actions, String timer) {
        long delay = -1;
        for (Action.ScheduleTimer t : only(actions, Action.ScheduleTimer.class)) {
            if (t.timer().equals(timer)) {
                delay = t.delayNanos();
            }
        }
        return delay;
    }
}
