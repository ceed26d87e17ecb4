package io.imr.store.mapdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Checksums;
import io.imr.api.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The server's recent messages")
class RecentMessagesTest {

    private static Message message(String user, long seq) {
        byte[] payload = new byte[100];
        return Message.of("alice", "o1-" + seq, user, seq, 1, 1_000, payload, Checksums.crc32c(payload));
    }

    private static List<Message> batch(String user, long from, int n) {
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(message(user, from + i));
        }
        return out;
    }

    @Test
    @DisplayName("answers a read from what it holds, whole, and nothing for a read from before it")
    void coverage() {
        RecentMessages recent = new RecentMessages(1 << 20);
        assertThat(recent.read("bob", 1, 10)).as("nothing held").isNull();
        recent.add("bob", batch("bob", 5, 3));
        recent.add("bob", batch("bob", 8, 4));
        assertThat(recent.read("bob", 4, 10)).as("seq 4 is not held").isNull();
        assertThat(recent.read("bob", 6, 4)).extracting(Message::seq).containsExactly(6L, 7L, 8L, 9L);
        assertThat(recent.read("bob", 9, 100)).extracting(Message::seq).containsExactly(9L, 10L, 11L);
        assertThat(recent.read("bob", 12, 100)).as("nothing committed after 11").isEmpty();
        assertThat(recent.read("carol", 1, 10)).isNull();
    }

    @Test
    @DisplayName("a batch that does not follow the user's last starts the user over")
    void renumbered() {
        RecentMessages recent = new RecentMessages(1 << 20);
        recent.add("bob", batch("bob", 5, 3));
        recent.add("bob", batch("bob", 1, 2));
        assertThat(recent.read("bob", 5, 10)).as("5 to 7 are of an older numbering").isEmpty();
        assertThat(recent.read("bob", 1, 10)).extracting(Message::seq).containsExactly(1L, 2L);
    }

    @Test
    @DisplayName("over its size it drops the oldest batches first, so each user's held messages stay whole from some seq on")
    void eviction() {
        SplittableRandom random = new SplittableRandom(3);
        RecentMessages recent = new RecentMessages(40_000);
        Map<String, List<Message>> all = new HashMap<>();
        Map<String, Long> next = new HashMap<>();
        for (int i = 0; i < 2_000; i++) {
            String user = "u" + random.nextInt(5);
            long from = next.getOrDefault(user, 1L);
            List<Message> b = batch(user, from, 1 + random.nextInt(8));
            recent.add(user, b);
            all.computeIfAbsent(user, u -> new ArrayList<>()).addAll(b);
            next.put(user, from + b.size());
            assertThat(recent.bytes()).isLessThanOrEqualTo(40_000);
            String reader = "u" + random.nextInt(5);
            List<Message> of = all.getOrDefault(reader, List.of());
            long fromSeq = 1 + random.nextInt((int) Math.max(1, of.size() + 2));
            int limit = 1 + random.nextInt(50);
            List<Message> got = recent.read(reader, fromSeq, limit);
            if (got != null) {
                List<Message> expected = of.stream().filter(m -> m.seq() >= fromSeq).limit(limit).toList();
                assertThat(got).as("step %d", i).isEqualTo(expected);
            }
        }
        assertThat(recent.read("u1", next.get("u1") - 1, 10)).as("the newest are held").isNotNull();
    }
}
