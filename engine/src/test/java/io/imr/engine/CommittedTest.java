package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.store.ClientState;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The committed state a client engine holds")
class CommittedTest {

    private static ClientState state(long epoch, long cursor, long handedOver) {
        return new ClientState("bob", "phone", "0123456789abcdef", epoch, cursor, "", 0, cursor, handedOver, 0, 0,
                ClientState.ServerPosition.NONE, 1);
    }

    @Test
    @DisplayName("never moves back, whatever order commits return in")
    void neverBack() {
        Committed c = new Committed(state(1, 10, 5));
        assertThat(c.take(state(1, 9, 9))).isFalse();
        assertThat(c.take(state(1, 10, 4))).isFalse();
        assertThat(c.get()).isEqualTo(state(1, 10, 5));
        assertThat(c.take(state(1, 10, 5))).as("an outbox commit leaves both as they are").isTrue();
        assertThat(c.take(state(2, 3, 0))).as("a new epoch, even with a lower cursor").isTrue();
        assertThat(c.take(state(1, 50, 50))).isFalse();
        assertThat(c.get().epoch()).isEqualTo(2);
    }
}
