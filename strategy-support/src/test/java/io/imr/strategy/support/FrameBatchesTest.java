package io.imr.strategy.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.Message;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Frame batches")
class FrameBatchesTest {

    @Test
    @DisplayName("estimate a message as its payload, names and a fixed overhead")
    void estimate() {
        Message m = Messages.sized(7, 1000);
        long names = m.id().length() + m.sender().length() + m.clientId().length() + m.recipient().length();
        assertThat(FrameBatches.estimatedBytes(m)).isEqualTo(1000 + names + 48);
    }

    @Test
    @DisplayName("split by count, keeping order")
    void splitByCount() {
        List<Message> ms = range(1, 10);
        List<List<Message>> batches = FrameBatches.split(ms, 4, Long.MAX_VALUE);
        assertThat(batches).extracting(List::size).containsExactly(4, 4, 2);
        assertThat(batches.stream().flatMap(List::stream)).containsExactlyElementsOf(ms);
    }

    @Test
    @DisplayName("split by bytes, and a message above the budget travels alone")
    void splitByBytes() {
        List<Message> ms = List.of(Messages.sized(1, 400), Messages.sized(2, 400), Messages.sized(3, 5000),
                Messages.sized(4, 100));
        long budget = FrameBatches.estimatedBytes(ms.get(0)) * 2;
        List<List<Message>> batches = FrameBatches.split(ms, 100, budget);
        assertThat(batches).extracting(List::size).containsExactly(2, 1, 1);
        for (List<Message> b : batches) {
            long bytes = b.stream().mapToLong(FrameBatches::estimatedBytes).sum();
            assertThat(b.size() == 1 || bytes <= budget).isTrue();
        }
    }

    @Test
    @DisplayName("split where the epoch changes: a frame carries messages of one epoch")
    void splitByEpoch() {
        List<Message> ms = new ArrayList<>(range(1, 3));
        ms.add(ms.get(2).renumbered(1, 2));
        ms.add(ms.get(1).renumbered(2, 2));
        List<List<Message>> batches = FrameBatches.split(ms, 100, Long.MAX_VALUE);
        assertThat(batches).extracting(List::size).containsExactly(3, 2);
        assertThat(FrameBatches.prefix(ms.subList(2, 5), 100, Long.MAX_VALUE)).containsExactly(ms.get(2));
    }

    @Test
    @DisplayName("split nothing into no batches")
    void splitEmpty() {
        assertThat(FrameBatches.split(List.of(), 3, 10)).isEmpty();
        assertThat(FrameBatches.prefix(List.of(), 3, 10)).isEmpty();
    }

    @Test
    @DisplayName("take a prefix within count and bytes, but at least one message")
    void prefix() {
        List<Message> ms = range(1, 10);
        assertThat(FrameBatches.prefix(ms, 3, Long.MAX_VALUE)).containsExactlyElementsOf(ms.subList(0, 3));
        assertThat(FrameBatches.prefix(ms, 100, 1)).containsExactly(ms.get(0));
        long two = FrameBatches.estimatedBytes(ms.get(0)) + FrameBatches.estimatedBytes(ms.get(1));
        assertThat(FrameBatches.prefix(ms, 100, two)).containsExactlyElementsOf(ms.subList(0, 2));
    }

    @Test
    @DisplayName("chunk ids for ack frames")
    void chunks() {
        List<String> ids = List.of("a", "b", "c", "d", "e");
        assertThat(FrameBatches.chunks(ids, 2)).containsExactly(List.of("a", "b"), List.of("c", "d"), List.of("e"));
        assertThat(FrameBatches.chunks(List.of(), 2)).isEmpty();
        assertThatThrownBy(() -> FrameBatches.chunks(ids, 0)).hasMessageContaining("chunk size must be 1 or more");
    }

    @Test
    @DisplayName("refuse limits below 1")
    void validates() {
        assertThatThrownBy(() -> FrameBatches.split(range(1, 2), 0, 10)).hasMessageContaining("room for 1 or more");
        assertThatThrownBy(() -> FrameBatches.prefix(range(1, 2), 1, 0)).hasMessageContaining("room for 1 or more");
    }

    static List<Message> range(long from, long to) {
        List<Message> ms = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            ms.add(Messages.seq(s));
        }
        return ms;
    }
}
