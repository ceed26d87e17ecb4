package io.imr.strategy.support;

import io.imr.api.strategy.Actions;
import io.imr.api.strategy.Event;

/**
 * One named timer of a strategy half and what the half believes about it. The driver replaces a
 * pending timer of the same name when it is scheduled again; this class only avoids needless
 * {@code ScheduleTimer}/{@code CancelTimer} actions and remembers the deadline.
 *
 * <p>After {@link #fired} the slot is idle: a timer fires once. A {@code TimerFired} that arrives for an
 * idle slot (the driver had already queued it when it was cancelled) is still reported by
 * {@link #fired}; handlers therefore check their condition again instead of trusting the timer.
 */
public final class TimerSlot {

    private final String name;
    private boolean armed;
    private long deadline;

    /**
     * @param name the timer's name, unique within the strategy half
     * @throws IllegalArgumentException for a null or empty name
     */
    public TimerSlot(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a timer needs a name");
        }
        this.name = name;
    }

    public String name() {
        return name;
    }

    public boolean isArmed() {
        return armed;
    }

    /** The deadline the timer is armed for; meaningless while idle. */
    public long deadline() {
        return deadline;
    }

    /**
     * Arms the timer for {@code deadline}, replacing any earlier or later deadline. Schedules nothing
     * when it is already armed for exactly that deadline. A deadline in the past fires at once.
     */
    public void arm(long deadline, long now, Actions<?> out) {
        if (armed && this.deadline == deadline) {
            return;
        }
        armed = true;
        this.deadline = deadline;
        out.schedule(name, Math.max(0, deadline - now));
    }

    /** Arms the timer for {@code deadline} unless it is armed already, whatever for. */
    public void armIfIdle(long deadline, long now, Actions<?> out) {
        if (!armed) {
            arm(deadline, now, out);
        }
    }

    /** Cancels the timer if it is armed. */
    public void cancel(Actions<?> out) {
        if (armed) {
            armed = false;
            out.cancel(name);
        }
    }

    /**
     * Forgets the timer without an action: for when the driver has dropped it already, or when a
     * fresh instance starts.
     */
    public void forget() {
        armed = false;
    }

    /**
     * Whether this event is this timer firing; if so the slot becomes idle.
     */
    public boolean fired(Event.TimerFired event) {
        if (!name.equals(event.timer())) {
            return false;
        }
        armed = false;
        return true;
    }
}
