package io.imr.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The virtual scheduler")
class VirtualSchedulerTest {

    @Test
    @DisplayName("runs tasks by time, then in the order they were scheduled")
    void order() {
        VirtualScheduler s = new VirtualScheduler(1);
        List<String> ran = new ArrayList<>();
        s.schedule(20, Life.WORLD, () -> ran.add("b@20"));
        s.schedule(10, Life.WORLD, () -> ran.add("a@10"));
        s.schedule(20, Life.WORLD, () -> ran.add("c@20"));
        s.schedule(0, Life.WORLD, () -> s.schedule(10, Life.WORLD, () -> ran.add("d@10, scheduled later")));
        s.runUntil(100);
        assertThat(ran).containsExactly("a@10", "d@10, scheduled later", "b@20", "c@20");
        assertThat(s.now()).isEqualTo(100);
    }

    @Test
    @DisplayName("drops the tasks of a killed life and cancelled tasks, as a crash drops a process's work")
    void crashDropsTasks() {
        VirtualScheduler s = new VirtualScheduler(1);
        Life life = new Life("device#1");
        List<String> ran = new ArrayList<>();
        s.schedule(10, life, () -> ran.add("before the crash"));
        s.schedule(30, life, () -> ran.add("after the crash"));
        s.schedule(20, Life.WORLD, life::kill);
        s.schedule(40, Life.WORLD, () -> ran.add("world")).cancel();
        s.runUntil(100);
        assertThat(ran).containsExactly("before the crash");
    }

    @Test
    @DisplayName("draws the same numbers from the same seed")
    void seeded() {
        VirtualScheduler a = new VirtualScheduler(7);
        VirtualScheduler b = new VirtualScheduler(7);
        for (int i = 0; i < 100; i++) {
            assertThat(a.random().nextLong()).isEqualTo(b.random().nextLong());
        }
    }
}
