package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.StoreException;
import io.imr.api.store.Submission;
import io.imr.engine.EpochResolution.Continuation;
import io.imr.engine.EpochResolution.Continue;
import io.imr.engine.EpochResolution.Decision;
import io.imr.engine.EpochResolution.NewEpoch;
import io.imr.engine.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EpochResolution}: where a device continues after its hello (G10). */
@DisplayName("Epoch resolution")
class EpochResolutionTest {

    private static Message message(String clientId, String recipient, long seq) {
        byte[] p = clientId.getBytes(StandardCharsets.UTF_8);
        return Message.of("alice", clientId, recipient, seq, 1, 0, p, Checksums.crc32c(p));
    }

    /** Bob's inbox as a map of the seqs still held; every read is counted. */
    private static final class Inbox implements EpochResolution.Held {
        final TreeMap<Long, Message> held = new TreeMap<>();
        final Map<String, Message> byId = new java.util.HashMap<>();
        final List<String> reads = new ArrayList<>();

        Inbox holding(long from, long to) {
            for (long s = from; s <= to; s++) {
                Message m = message("c-" + s, "bob", s);
                held.put(s, m);
                byId.put(m.id(), m);
            }
            return this;
        }

        /** Messages trimmed from what is held stay in the dedup index. */
        Inbox trimmedBelow(long seq) {
            held.headMap(seq).clear();
            return this;
        }

        InboxState state() {
            return new InboxState("bob", 1, held.isEmpty() ? 0 : held.lastKey(), held.isEmpty() ? 0 : held.firstKey());
        }

        @Override
        public Optional<Message> atOrAfter(long seq) {
            reads.add("at " + seq);
            Map.Entry<Long, Message> e = held.ceilingEntry(seq);
            return e == null ? Optional.empty() : Optional.of(e.getValue());
        }

        @Override
        public Optional<Message> byId(String id) {
            reads.add("id " + id);
            return Optional.ofNullable(byId.get(id));
        }

        Decision decide(long cursor, String idAtCursor) {
            return EpochResolution.decide("bob", cursor, idAtCursor, state(), this);
        }
    }

    @Nested
    @DisplayName("decides, from the hello and what the store holds,")
    class Decide {

        @Test
        @DisplayName("that a device with nothing continues from 0, reading nothing")
        void fresh() {
            Inbox inbox = new Inbox().holding(1, 5);
            assertThat(inbox.decide(0, "")).isEqualTo(new Continue(0));
            assertThat(inbox.reads).isEmpty();
        }

        @Test
        @DisplayName("that a cursor naming the message stored there continues, with one read")
        void matching() {
            Inbox inbox = new Inbox().holding(1, 5);
            assertThat(inbox.decide(3, "alice/c-3")).isEqualTo(new Continue(3));
            assertThat(inbox.reads).containsExactly("at 3");
        }

        @Test
        @DisplayName("a new epoch above the max seq when the cursor names another message than the one stored there")
        void otherMessage() {
            Inbox inbox = new Inbox().holding(1, 5);
            assertThat(inbox.decide(3, "alice/c-9")).isEqualTo(new NewEpoch(5, 3));
        }

        @Test
        @DisplayName("a new epoch above the cursor when the cursor is beyond the max seq")
        void beyond() {
            Inbox inbox = new Inbox().holding(1, 5);
            assertThat(inbox.decide(50, "alice/c-50")).isEqualTo(new NewEpoch(50, 50));
            assertThat(new Inbox().decide(1, "alice/c-1")).isEqualTo(new NewEpoch(1, 1));
        }

        @Test
        @DisplayName("that a cursor below what is still held continues when the dedup index knows its message there")
        void trimmed() {
            Inbox inbox = new Inbox().holding(1, 5).trimmedBelow(4);
            assertThat(inbox.decide(2, "alice/c-2")).isEqualTo(new Continue(2));
            assertThat(inbox.reads).containsExactly("at 2", "id alice/c-2");
        }

        @Test
        @DisplayName("a new epoch for a trimmed cursor whose message is unknown, of another user, or at another seq")
        void trimmedMismatch() {
            Inbox inbox = new Inbox().holding(1, 5).trimmedBelow(4);
            assertThat(inbox.decide(2, "alice/c-7")).isEqualTo(new NewEpoch(5, 2));
            inbox.byId.put("alice/x", message("x", "carol", 2));
            assertThat(inbox.decide(2, "alice/x")).isEqualTo(new NewEpoch(5, 2));
            assertThat(inbox.decide(2, "alice/c-1")).isEqualTo(new NewEpoch(5, 2));
        }
    }

    @Nested
    @DisplayName("resolves against the real store")
    class Resolve {

        @TempDir
        Path dir;

        @Test
        @DisplayName("continuing in the epoch, or starting a new one that later messages are numbered in")
        void resolve() {
            try (TestServerStore store = new TestServerStore(dir)) {
                List<Submission> three = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    byte[] p = ("m" + i).getBytes(StandardCharsets.UTF_8);
                    three.add(new Submission("alice", "c-" + i, "bob", p, Checksums.crc32c(p), 0));
                }
                store.commit(ServerCommit.append(three));
                Principal bob = new Principal("bob", "phone");

                Continuation same = resolve(store, bob, hello(2, "alice/c-2"));
                assertThat(same.error()).isNull();
                assertThat(same.cursor()).isEqualTo(2);
                assertThat(same.inbox()).isEqualTo(new InboxState("bob", 1, 3, 1));
                assertThat(same.kept().confirmed()).isZero();

                Continuation next = resolve(store, bob, hello(9, "alice/c-9"));
                assertThat(next.cursor()).isEqualTo(9);
                assertThat(next.inbox().epoch()).isEqualTo(2);
                assertThat(store.inbox("bob").epoch()).as("the store started it").isEqualTo(2);
            }
        }

        @Test
        @DisplayName("failing, on the context, when the new epoch's commit throws at once")
        void newEpochThrows() {
            try (TestServerStore store = new TestServerStore(dir)) {
                store.throwOnNextCommit(new StoreException("disk gone"));
                Continuation c = resolve(store, new Principal("bob", "phone"), hello(4, "alice/c-4"));
                assertThat(c.error()).hasMessageContaining("starting a new epoch failed")
                        .hasRootCauseMessage("disk gone");
                assertThat(store.inbox("bob").epoch()).isEqualTo(1);
            }
        }

        @Test
        @DisplayName("failing, on the context, when a read throws")
        void readThrows() {
            TestServerStore store = new TestServerStore(dir);
            store.close();
            Continuation c = resolve(store, new Principal("bob", "phone"), hello(4, "alice/c-4"));
            assertThat(c.error()).isNotNull();
        }

        /** Resolves as a session does: on the blocking executor, the outcome on the context. */
        private Continuation resolve(TestServerStore store, Principal who, Hello hello) {
            ManualRuntime runtime = new ManualRuntime();
            List<Continuation> out = new ArrayList<>();
            runtime.blocking().execute(() -> EpochResolution.resolve(store, runtime, who, hello, out::add));
            assertThat(out).as("nothing before the context runs").isEmpty();
            runtime.runDue();
            assertThat(out).hasSize(1);
            return out.get(0);
        }

        private Hello hello(long cursor, String id) {
            return new Hello(Frame.PROTOCOL_VERSION, "token", "bob", "phone", List.of("x"), 1, cursor, id);
        }
    }
}
