package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.store.ClientCommit;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The hand-over recorder")
class HandOverRecorderTest {

    private final ManualRuntime runtime = new ManualRuntime();
    private final ManualClientStore store = new ManualClientStore("bob", "phone");
    private final Committed committed = new Committed(store.state());
    private final HandOverRecorder recorder = new HandOverRecorder(store, runtime, committed);

    @Test
    @DisplayName("runs one commit at a time, each for the furthest seq reported meanwhile")
    void oneAtATime() {
        recorder.handedOver(3);
        recorder.handedOver(5);
        recorder.handedOver(4);
        assertThat(store.commits).extracting(ClientCommit::handedOver).containsExactly(3L);
        store.completeNext();
        runtime.runDue();
        assertThat(store.commits).extracting(ClientCommit::handedOver).containsExactly(3L, 5L);
        store.completeNext();
        runtime.runDue();
        assertThat(committed.get().handedOver()).isEqualTo(5);
        recorder.handedOver(5);
        assertThat(store.waiting()).as("nothing new to record").isZero();
    }

    @Test
    @DisplayName("is not stuck after a store that throws: the next report commits again")
    void storeThrows() {
        store.throwOnCommit = new IllegalStateException("no space left");
        recorder.handedOver(2);
        runtime.runDue();
        recorder.handedOver(3);
        assertThat(store.commits).extracting(ClientCommit::handedOver).isEqualTo(List.of(3L));
    }

    @Test
    @DisplayName("records nothing once stopped")
    void stopped() {
        recorder.stop();
        recorder.handedOver(2);
        assertThat(store.commits).isEmpty();
    }
}
