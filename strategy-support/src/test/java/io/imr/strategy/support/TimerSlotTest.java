package io.imr.strategy.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.strategy.Action;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.Event;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A timer slot")
class TimerSlotTest {

    private final TimerSlot slot = new TimerSlot("t");
    private final ClientActions out = new ClientActions();

    @Test
    @DisplayName("schedules for the time left until the deadline, and not again for the same deadline")
    void arms() {
        slot.arm(1_500, 1_000, out);
        slot.arm(1_500, 1_200, out);
        assertThat(out.drain()).containsExactly(new Action.ScheduleTimer("t", 500));
        assertThat(slot.isArmed()).isTrue();
        assertThat(slot.deadline()).isEqualTo(1_500);
    }

    @Test
    @DisplayName("moves the deadline either way when armed for another one")
    void rearms() {
        slot.arm(1_500, 1_000, out);
        slot.arm(1_200, 1_100, out);
        slot.arm(2_000, 1_100, out);
        assertThat(out.drain()).containsExactly(new Action.ScheduleTimer("t", 500), new Action.ScheduleTimer("t", 100),
                new Action.ScheduleTimer("t", 900));
    }

    @Test
    @DisplayName("fires at once for a deadline in the past")
    void pastDeadline() {
        slot.arm(900, 1_000, out);
        assertThat(out.drain()).containsExactly(new Action.ScheduleTimer("t", 0));
    }

    @Test
    @DisplayName("armIfIdle keeps a timer that is armed")
    void armIfIdle() {
        slot.armIfIdle(1_500, 1_000, out);
        slot.armIfIdle(1_100, 1_000, out);
        assertThat(out.drain()).containsExactly(new Action.ScheduleTimer("t", 500));
        assertThat(slot.deadline()).isEqualTo(1_500);
    }

    @Test
    @DisplayName("cancels only when armed")
    void cancels() {
        slot.cancel(out);
        assertThat(out.isEmpty()).isTrue();
        slot.arm(1, 0, out);
        slot.cancel(out);
        slot.cancel(out);
        assertThat(out.drain()).containsExactly(new Action.ScheduleTimer("t", 1), new Action.CancelTimer("t"));
        assertThat(slot.isArmed()).isFalse();
    }

    @Test
    @DisplayName("recognises its own firing and is idle afterwards")
    void fires() {
        slot.arm(10, 0, out);
        assertThat(slot.fired(new Event.TimerFired(10, 0, "other"))).isFalse();
        assertThat(slot.isArmed()).isTrue();
        assertThat(slot.fired(new Event.TimerFired(10, 0, "t"))).isTrue();
        assertThat(slot.isArmed()).isFalse();
        slot.cancel(out);
        assertThat(out.drain()).containsExactly(new Action.ScheduleTimer("t", 10));
    }

    @Test
    @DisplayName("forgets without an action")
    void forgets() {
        slot.arm(10, 0, out);
        out.drain();
        slot.forget();
        slot.cancel(out);
        assertThat(out.isEmpty()).isTrue();
        assertThat(slot.name()).isEqualTo("t");
    }
}
