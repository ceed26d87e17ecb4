package io.imr.strategy.support;

import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.strategy.Action;
import java.util.ArrayList;
import java.util.List;

/** Reading the actions a half put out, for the tests. */
final class ActionLists {

    static final long MS = 1_000_000L;
    static final long SECOND = 1_000 * MS;

    private ActionLists() {
    }

    /** The actions of a type, in order. */
    static <T extends Action> List<T> only(List<? extends Action> actions, Class<T> type) {
        List<T> found = new ArrayList<>();
        for (Action a : actions) {
            if (type.isInstance(a)) {
                found.add(type.cast(a));
            }
        }
        return found;
    }

    /** The frames of a type sent, in order. */
    static <T extends Frame> List<T> sent(List<? extends Action> actions, Class<T> type) {
        List<T> found = new ArrayList<>();
        for (Action.SendFrame s : only(actions, Action.SendFrame.class)) {
            if (type.isInstance(s.frame())) {
                found.add(type.cast(s.frame()));
            }
        }
        return found;
    }

    /** The seqs of every message pushed in {@code Deliver} frames, in order. */
    static List<Long> delivered(List<? extends Action> actions) {
        List<Long> seqs = new ArrayList<>();
        sent(actions, Deliver.class).forEach(d -> seqs.addAll(Messages.seqs(d.messages())));
        return seqs;
    }

    /** The sum of the signals of a kind. */
    static long signalled(List<? extends Action> actions, Action.Signal.Kind kind) {
        long sum = 0;
        for (Action.Signal s : only(actions, Action.Signal.class)) {
            if (s.kind() == kind) {
                sum += s.amount();
            }
        }
        return sum;
    }

    /** The delay of the last scheduling of a timer, or -1 when it was not scheduled. */
    static long scheduled(List<? extends Action> actions, String timer) {
        long delay = -1;
        for (Action.ScheduleTimer t : only(actions, Action.ScheduleTimer.class)) {
            if (t.timer().equals(timer)) {
                delay = t.delayNanos();
            }
        }
        return delay;
    }
}
