package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The client session's state table")
class ClientSessionStateTest {

    @Test
    @DisplayName("every state can stop, only STOPPED is final, and a session comes up only through a welcome")
    void table() {
        for (ClientSessionState s : ClientSessionState.values()) {
            assertThat(s.mayMoveTo(ClientSessionState.STOPPED)).isEqualTo(s != ClientSessionState.STOPPED);
        }
        EnumSet<ClientSessionState> toUp = EnumSet.noneOf(ClientSessionState.class);
        for (ClientSessionState s : ClientSessionState.values()) {
            if (s.mayMoveTo(ClientSessionState.UP)) {
                toUp.add(s);
            }
        }
        assertThat(toUp).containsExactly(ClientSessionState.SETTLING);
        assertThat(ClientSessionState.WAITING.mayMoveTo(ClientSessionState.HELLO_SENT))
                .as("no hello without a connection").isFalse();
    }
}
