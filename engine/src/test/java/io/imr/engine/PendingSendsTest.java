package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The outbox's pending sends")
class PendingSendsTest {

    private static List<Long> counters(List<PendingSends.Slot<String>> slots) {
        return slots.stream().map(s -> s.counter).toList();
    }

    @Test
    @DisplayName("unsent sends go in counter order within the window, stopping at one still being enqueued")
    void takeUnsent() {
        PendingSends<String> p = new PendingSends<>();
        PendingSends.Slot<String> a = p.add(1, "a", PendingSends.State.ENQUEUING);
        PendingSends.Slot<String> b = p.add(3, "b", PendingSends.State.ENQUEUING);
        p.add(7, "c", PendingSends.State.ENQUEUING);
        assertThat(p.takeUnsent(10)).as("nothing durable yet").isEmpty();
        p.durable(a);
        p.durable(b);
        assertThat(counters(p.takeUnsent(1))).containsExactly(1L);
        assertThat(counters(p.takeUnsent(1))).as("the window is full").isEmpty();
        assertThat(counters(p.takeUnsent(10))).as("7 is still being enqueued").containsExactly(3L);
        assertThat(p.inFlight()).isEqualTo(2);
        p.durable(p.get(7));
        assertThat(counters(p.takeUnsent(10))).containsExactly(7L);
        assertThat(p.lastCounter()).isEqualTo(7);
    }

    @Test
    @DisplayName("the sends still being enqueued are taken back as if never added, and their counters may come again")
    void dropEnqueuing() {
        PendingSends<String> p = new PendingSends<>();
        PendingSends.Slot<String> a = p.add(1, "a", PendingSends.State.ENQUEUING);
        p.durable(a);
        p.add(2, "b", PendingSends.State.ENQUEUING);
        p.add(3, "c", PendingSends.State.ENQUEUING);
        assertThat(counters(p.dropEnqueuing())).containsExactly(2L, 3L);
        assertThat(p.size()).isEqualTo(1);
        assertThat(p.lastCounter()).isEqualTo(1);
        assertThat(p.get(2)).isNull();
        p.add(2, "b again", PendingSends.State.ENQUEUING);
        assertThat(p.dropEnqueuing()).extracting(s -> s.value).containsExactly("b again");
        assertThat(counters(p.takeUnsent(10))).as("the durable one is still there to send").containsExactly(1L);
        assertThat(p.dropEnqueuing()).as("nothing being enqueued").isEmpty();
        assertThat(p.size()).isEqualTo(1);
    }

    @Test
    @DisplayName("a send in flight taken back (a rate limit) goes again first; the sends in flight after it are still"
            + " seen in flight, for resends and when the connection is lost")
    void unsentInFlight() {
        PendingSends<String> p = new PendingSends<>();
        for (long c = 1; c <= 4; c++) {
            p.add(c, "m" + c, PendingSends.State.UNSENT);
        }
        assertThat(counters(p.takeUnsent(10))).containsExactly(1L, 2L, 3L, 4L);
        assertThat(p.unsent(2)).isTrue();
        assertThat(p.unsent(2)).as("not in flight any more").isFalse();
        assertThat(p.inFlight()).isEqualTo(3);
        List<Long> flying = new java.util.ArrayList<>();
        p.forEachInFlight(s -> flying.add(s.counter));
        assertThat(flying).containsExactly(1L, 3L, 4L);
        assertThat(counters(p.takeUnsent(10))).as("only the one taken back").containsExactly(2L);
        assertThat(p.unsent(3)).isTrue();
        p.allUnsent();
        assertThat(p.inFlight()).isZero();
        assertThat(counters(p.takeUnsent(10))).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    @DisplayName("counters must grow; a send added unsent or enqueuing only")
    void counterOrder() {
        PendingSends<String> p = new PendingSends<>();
        p.add(5, "a", PendingSends.State.UNSENT);
        assertThatThrownBy(() -> p.add(5, "b", PendingSends.State.UNSENT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not above 5");
        assertThatThrownBy(() -> p.add(9, "b", PendingSends.State.IN_FLIGHT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("after a lost connection every send in flight goes again, first, in order")
    void connectionLost() {
        PendingSends<String> p = new PendingSends<>();
        for (long c = 1; c <= 5; c++) {
            p.add(c, "m" + c, PendingSends.State.UNSENT);
        }
        assertThat(counters(p.takeUnsent(3))).containsExactly(1L, 2L, 3L);
        p.remove(2);
        p.allUnsent();
        assertThat(p.inFlight()).isZero();
        assertThat(counters(p.takeUnsent(10))).containsExactly(1L, 3L, 4L, 5L);
    }

    @Test
    @DisplayName("random adds, sends, answers by range and losses agree with a sorted map, through ring growth")
    void againstAModel() {
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 200; round++) {
            PendingSends<String> p = new PendingSends<>();
            TreeMap<Long, String> model = new TreeMap<>(); // counter -> state name
            long counter = 0;
            for (int step = 0; step < 300; step++) {
                int op = random.nextInt(10);
                if (op < 4) {
                    counter += 1 + (random.nextInt(5) == 0 ? random.nextInt(4) : 0);
                    p.add(counter, "v" + counter, PendingSends.State.UNSENT);
                    model.put(counter, "UNSENT");
                } else if (op < 6) {
                    int window = 1 + random.nextInt(20);
                    long inFlight = model.values().stream().filter("IN_FLIGHT"::equals).count();
                    List<Long> expected = new ArrayList<>();
                    for (var e : model.entrySet()) {
                        if (inFlight + expected.size() >= window) {
                            break;
                        }
                        if (e.getValue().equals("UNSENT")) {
                            expected.add(e.getKey());
                        }
                    }
                    assertThat(counters(p.takeUnsent(window))).as("round %d step %d", round, step)
                            .isEqualTo(expected);
                    expected.forEach(c -> model.put(c, "IN_FLIGHT"));
                } else if (op < 9 && counter > 0) {
                    long first = 1 + random.nextLong(counter);
                    long last = first + random.nextInt(6);
                    List<Long> removed = new ArrayList<>();
                    p.removeRange(first, last, s -> removed.add(s.counter));
                    List<Long> expected = new ArrayList<>(model.subMap(first, true, last, true).keySet());
                    assertThat(removed).as("round %d step %d", round, step).isEqualTo(expected);
                    expected.forEach(model::remove);
                } else {
                    p.allUnsent();
                    model.replaceAll((c, state) -> "UNSENT");
                }
                assertThat(p.size()).isEqualTo(model.size());
                assertThat(p.inFlight()).isEqualTo((int) model.values().stream().filter("IN_FLIGHT"::equals).count());
                for (long c = Math.max(1, counter - 30); c <= counter; c++) {
                    PendingSends.Slot<String> s = p.get(c);
                    if (model.containsKey(c)) {
                        assertThat(s).isNotNull();
                        assertThat(s.state.name()).isEqualTo(model.get(c));
                        assertThat(s.value).isEqualTo("v" + c);
                    } else {
                        assertThat(s).as("counter %d", c).isNull();
                    }
                }
            }
        }
    }
}
