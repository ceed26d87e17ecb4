package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Checksums;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.store.InboxState;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.Submission;
import io.imr.engine.EpochResolution.Continuation;
import io.imr.engine.EpochResolution.Continue;
import io.imr.engine.EpochResolution.Resync;
import io.imr.engine.auth.Principal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EpochResolution}: where a device's session starts after its hello (G10). */
@DisplayName("Epoch resolution")
class EpochResolutionTest {

    private static Hello hello(long epoch, long cursor, String id, String generation) {
        return new Hello(Frame.PROTOCOL_VERSION, "token", "bob", "phone", List.of("x"), epoch, cursor, id, generation, 1);
    }

    /**
     * What the store vouches for: seq 3 with id alice/c-3 of generation g1, and seq 2 of g1 whatever its id (as a
     * store does for a trimmed seq); every question is recorded.
     */
    private static final class Held implements EpochResolution.Held {
        final List<String> asked = new ArrayList<>();

        @Override
        public boolean vouches(long seq, String id, String generation) {
            asked.add(seq + " " + id + " " + generation);
            return generation.equals("g1-a") && (seq == 3 && id.equals("alice/c-3") || seq == 2);
        }
    }

    private static final InboxState ONE_TO_FIVE = new InboxState("bob", 1, 5, 1);

    @Nested
    @DisplayName("decides, from the hello and what the store holds,")
    class Decide {

        @Test
        @DisplayName("that a device with nothing starts before the first message held, asking nothing")
        void fresh() {
            Held held = new Held();
            assertThat(EpochResolution.decide(hello(0, 0, "", ""), ONE_TO_FIVE, held)).isEqualTo(new Continue(0));
            assertThat(EpochResolution.decide(hello(0, 0, "", ""), new InboxState("bob", 1, 9, 4), held))
                    .as("trimmed below 4").isEqualTo(new Continue(3));
            assertThat(EpochResolution.decide(hello(0, 0, "", ""), new InboxState("bob", 1, 0, 0), held))
                    .isEqualTo(new Continue(0));
            assertThat(held.asked).isEmpty();
        }

        @Test
        @DisplayName("that a position the store vouches for continues")
        void vouched() {
            Held held = new Held();
            assertThat(EpochResolution.decide(hello(1, 3, "alice/c-3", "g1-a"), ONE_TO_FIVE, held))
                    .isEqualTo(new Continue(3));
            assertThat(held.asked).containsExactly("3 alice/c-3 g1-a");
        }

        @Test
        @DisplayName("a resync from the start, the sequence untouched, for anything the store cannot vouch for")
        void resync() {
            Held held = new Held();
            assertThat(EpochResolution.decide(hello(1, 50, "alice/c-50", "g1-a"), ONE_TO_FIVE, held))
                    .isEqualTo(new Resync(0, "beyond-max-seq"));
            assertThat(EpochResolution.decide(hello(1, 3, "alice/c-9", "g1-a"), ONE_TO_FIVE, held))
                    .isEqualTo(new Resync(0, "not-vouched"));
            assertThat(EpochResolution.decide(hello(1, 3, "alice/c-3", "g7-other"), ONE_TO_FIVE, held))
                    .as("a generation the store never ran (one of the original after a copy)")
                    .isEqualTo(new Resync(0, "not-vouched"));
            assertThat(EpochResolution.decide(hello(2, 3, "alice/c-3", "g1-a"), ONE_TO_FIVE, held))
                    .isEqualTo(new Resync(0, "other-epoch"));
            assertThat(EpochResolution.decide(hello(1, 3, "", "g1-a"), ONE_TO_FIVE, held))
                    .isEqualTo(new Resync(0, "no-id"));
            assertThat(EpochResolution.decide(hello(1, 3, "", "g1-a"), new InboxState("bob", 1, 9, 4), held))
                    .as("a position the server set at the start, with no message at it").isEqualTo(new Continue(3));
            assertThat(EpochResolution.decide(hello(1, 1, "alice/c-1", "g1-a"), new InboxState("bob", 1, 9, 4), held))
                    .as("below what is still held, not vouched for").isEqualTo(new Resync(3, "not-vouched"));
        }

        @Test
        @DisplayName("that a vouched position retention trimmed past continues before the first message held")
        void trimmedPast() {
            Held held = new Held();
            assertThat(EpochResolution.decide(hello(1, 2, "alice/c-2", "g1-a"), new InboxState("bob", 1, 9, 6), held))
                    .as("3..5 expired: the welcome's cursor 5 is above the device's 2").isEqualTo(new Continue(5));
            assertThat(EpochResolution.decide(hello(1, 2, "", "g1-a"), new InboxState("bob", 1, 9, 6), held))
                    .as("a position the server set, trimmed past since").isEqualTo(new Continue(5));
            assertThat(EpochResolution.decide(hello(1, 2, "", "g7-other"), new InboxState("bob", 1, 9, 6), held))
                    .as("the same from a generation the store never ran").isEqualTo(new Resync(5, "no-id"));
            assertThat(EpochResolution.decide(hello(1, 2, "alice/c-2", "g1-a"), new InboxState("bob", 1, 9, 10), held))
                    .as("everything trimmed: before the next message").isEqualTo(new Continue(9));
            assertThat(EpochResolution.decide(hello(1, 3, "alice/c-3", "g1-a"), new InboxState("bob", 1, 9, 3), held))
                    .as("the message at the cursor is still held").isEqualTo(new Continue(3));
        }
    }

    @Nested
    @DisplayName("resolves against the real store")
    class Resolve {

        @TempDir
        Path dir;

        @Test
        @DisplayName("continuing or resyncing, and never changing the user's sequence")
        void resolve() {
            try (TestServerStore store = new TestServerStore(dir)) {
                List<Submission> three = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    byte[] p = ("m" + i).getBytes(StandardCharsets.UTF_8);
                    three.add(new Submission("alice", "c-" + i, "bob", p, Checksums.crc32c(p), 0));
                }
                store.commit(ServerCommit.append(three));
                Principal bob = new Principal("bob", "phone");

                Continuation same = resolve(store, bob, hello(1, 2, "alice/c-2", store.generation()));
                assertThat(same.error()).isNull();
                assertThat(same.cursor()).isEqualTo(2);
                assertThat(same.resync()).isFalse();
                assertThat(same.inbox()).isEqualTo(new InboxState("bob", 1, 3, 1));
                assertThat(same.kept().confirmed()).isZero();

                Continuation forged = resolve(store, bob, hello(1, 9, "alice/c-9", store.generation()));
                assertThat(forged.cursor()).isZero();
                assertThat(forged.resync()).isTrue();
                assertThat(forged.reason()).isEqualTo("beyond-max-seq");
                assertThat(store.inbox("bob")).as("nothing of bob's changed").isEqualTo(new InboxState("bob", 1, 3, 1));
            }
        }

        @Test
        @DisplayName("failing, on the context, when a read throws")
        void readThrows() {
            TestServerStore store = new TestServerStore(dir);
            store.close();
            Continuation c = resolve(store, new Principal("bob", "phone"), hello(1, 4, "alice/c-4", "g1-a"));
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
    }
}
