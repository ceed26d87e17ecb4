package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.store.StoreException;
import io.imr.engine.ClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("imr send's feeder")
class SendFeederTest {

    private static final long S = 1_000_000_000L;

    /** An outbox that stores what it is sent when told to, or fails it (and everything after it, as the engine does). */
    private static final class FakeOutbox implements SendCommand.Feeder.Outbox {
        long stored;
        long room = 1_000;
        final List<Long> sent = new ArrayList<>();
        final java.util.Map<Long, CompletableFuture<Long>> waiting = new java.util.LinkedHashMap<>();

        @Override
        public long lastStored() {
            return stored;
        }

        @Override
        public long room() {
            return room;
        }

        @Override
        public CompletionStage<Long> send(long counter) {
            sent.add(counter);
            CompletableFuture<Long> f = new CompletableFuture<>();
            waiting.put(counter, f);
            return f;
        }

        void storeAll() {
            stored = sent.get(sent.size() - 1);
            waiting.clear();
        }

        /** Fails every send above the last stored one, as the engine does when an enqueue commit fails. */
        void failAll(String why) {
            waiting.forEach((counter, f) -> {
                if (counter > stored) {
                    f.completeExceptionally(new ClientException("the send could not be stored in the outbox: " + why,
                            new StoreException(why)));
                }
            });
            waiting.clear();
        }
    }

    private final FakeOutbox outbox = new FakeOutbox();
    private final List<String> said = new ArrayList<>();

    @Test
    @DisplayName("hands the next batch over only once the last is stored")
    void waitsForTheStore() {
        SendCommand.Feeder f = new SendCommand.Feeder(outbox, 10, new SendCommand.Pacing(2.0), said::add);
        f.feed(0);
        assertThat(outbox.sent).containsExactly(1L);
        f.feed(2 * S);
        assertThat(outbox.sent).as("1 is not stored yet").containsExactly(1L);
        outbox.storeAll();
        f.feed(3 * S);
        assertThat(outbox.sent).containsExactly(1L, 2L, 3L);
        assertThat(f.allHandedOver()).isFalse();
    }

    @Test
    @DisplayName("after a failed enqueue: one line, a second's pause, the same messages again from the store's last, one line when it stores again")
    void failedEnqueueRetried() {
        SendCommand.Feeder f = new SendCommand.Feeder(outbox, 5, new SendCommand.Pacing(null), said::add);
        f.feed(0);
        assertThat(outbox.sent).containsExactly(1L, 2L, 3L, 4L, 5L);
        outbox.stored = 2;
        outbox.failAll("No space left on device");
        f.feed(S / 10);
        assertThat(said).containsExactly("message 3 and after could not be stored in the outbox (No space left on device);"
                + " trying again every second");
        f.feed(S / 2);
        assertThat(outbox.sent).as("nothing during the pause").hasSize(5);
        f.feed(S / 10 + S);
        assertThat(outbox.sent.subList(5, outbox.sent.size())).as("3..5 again, no gap").containsExactly(3L, 4L, 5L);
        outbox.failAll("No space left on device");
        f.feed(2 * S);
        f.feed(4 * S);
        assertThat(said).as("one line for the whole episode").hasSize(1);
        assertThat(outbox.sent.subList(8, outbox.sent.size())).containsExactly(3L, 4L, 5L);
        outbox.storeAll();
        f.feed(5 * S);
        assertThat(said).last().isEqualTo("the outbox stores again (up to message 5)");
        assertThat(f.allHandedOver()).isTrue();
    }

    @Test
    @DisplayName("sends refused because an earlier one failed are handed over again too, from the first that failed")
    void refusedAfterAFailureRetried() {
        SendCommand.Feeder f = new SendCommand.Feeder(outbox, 4, new SendCommand.Pacing(null), said::add);
        f.feed(0);
        outbox.stored = 1;
        outbox.waiting.get(2L).completeExceptionally(new ClientException("x", new StoreException("No space left")));
        outbox.waiting.get(3L).completeExceptionally(new IllegalArgumentException("counter 3 would leave a gap"));
        outbox.waiting.get(4L).completeExceptionally(new IllegalArgumentException("counter 4 would leave a gap"));
        outbox.waiting.clear();
        f.feed(1);
        f.feed(2 * S);
        assertThat(outbox.sent.subList(4, outbox.sent.size())).containsExactly(2L, 3L, 4L);
    }

    @Test
    @DisplayName("a failed message that a later stored one overtook is an error, never a silent skip")
    void overtakenIsAnError() {
        SendCommand.Feeder f = new SendCommand.Feeder(outbox, 4, new SendCommand.Pacing(null), said::add);
        f.feed(0);
        outbox.waiting.get(2L).completeExceptionally(new ClientException("x", new StoreException("No space left")));
        outbox.stored = 4;
        f.feed(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.feed(2 * S))
                .hasMessageContaining("message 2 could not be stored").hasMessageContaining("never be sent");
    }

    @Test
    @DisplayName("a disk nearly full that stores a few and fails again is said once a minute, not at every retry")
    void flappingSaidOnceAMinute() {
        SendCommand.Feeder f = new SendCommand.Feeder(outbox, 1_000, new SendCommand.Pacing(10.0), said::add);
        long t = 0;
        f.feed(t);
        for (int round = 0; round < 20; round++) {
            outbox.failAll("No space left on device");
            t += S / 10;
            f.feed(t);
            t += S;
            f.feed(t); // handed over again
            outbox.storeAll();
            t += S / 10;
            f.feed(t); // stored: recovered, and on
        }
        assertThat(said).as("within a minute: one line down, one up; " + said).hasSize(2);
        t += 61 * S;
        outbox.failAll("No space left on device");
        f.feed(t);
        assertThat(said).hasSize(3).last().asString().contains("could not be stored");
    }

    @Test
    @DisplayName("never more than the outbox has room for")
    void room() {
        outbox.room = 3;
        SendCommand.Feeder f = new SendCommand.Feeder(outbox, 10, new SendCommand.Pacing(null), said::add);
        f.feed(0);
        assertThat(outbox.sent).containsExactly(1L, 2L, 3L);
        outbox.storeAll();
        outbox.room = 2;
        f.feed(1);
        assertThat(outbox.sent).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    @DisplayName("a send refused by the server or failed by a close is not retried")
    void otherFailuresIgnored() {
        SendCommand.Feeder f = new SendCommand.Feeder(outbox, 2, new SendCommand.Pacing(null), said::add);
        f.feed(0);
        outbox.stored = 2;
        outbox.waiting.get(1L).completeExceptionally(new ClientException.SendRefusedException("bad checksum"));
        outbox.waiting.get(2L).completeExceptionally(new ClientException("closed", new StoreException.ClosedException("closed")));
        f.feed(2 * S);
        assertThat(said).isEmpty();
        assertThat(outbox.sent).hasSize(2);
    }
}
