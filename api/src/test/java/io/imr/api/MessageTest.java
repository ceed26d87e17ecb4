package io.imr.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A message")
class MessageTest {

    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);

    @Test
    @DisplayName("has the id sender/clientId and equals another with the same bytes")
    void idAndEquality() {
        Message a = Message.of("alice", "0a1b-1", "bob", 1, 1, 0, HELLO, Checksums.crc32c(HELLO));
        Message b = Message.of("alice", "0a1b-1", "bob", 1, 1, 0, HELLO.clone(), Checksums.crc32c(HELLO));
        assertThat(a.id()).isEqualTo("alice/0a1b-1");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.payloadIntact()).isTrue();
    }

    @Test
    @DisplayName("knows when its payload no longer matches its sender's checksum")
    void detectsCorruption() {
        byte[] payload = HELLO.clone();
        Message m = Message.of("alice", "c-1", "bob", 1, 1, 0, payload, Checksums.crc32c(payload));
        payload[2] ^= 0x10;
        assertThat(m.payloadIntact()).isFalse();
    }

    @Test
    @DisplayName("refuses bad fields with a message naming the field")
    void validates() {
        int crc = Checksums.crc32c(HELLO);
        assertThatThrownBy(() -> Message.of("al ice", "c-1", "bob", 1, 1, 0, HELLO, crc))
                .hasMessageStartingWith("sender must be 1 to 64 characters");
        assertThatThrownBy(() -> Message.of("alice", "c/1", "bob", 1, 1, 0, HELLO, crc))
                .hasMessageStartingWith("client id must be");
        assertThatThrownBy(() -> Message.of("alice", "c-1", "bob", 0, 1, 0, HELLO, crc))
                .hasMessage("seq must be 1 or more, got 0");
        assertThatThrownBy(() -> Message.of("alice", "c-1", "bob", 1, 0, 0, HELLO, crc))
                .hasMessage("epoch must be 1 or more, got 0");
        assertThatThrownBy(() -> new Message("alice/c-2", "alice", "c-1", "bob", 1, 1, 0, HELLO, crc))
                .hasMessageContaining("message id must be sender/clientId");
        assertThatThrownBy(() -> Message.of("alice", "c-1", "bob", 1, 1, 0, new byte[Message.MAX_PAYLOAD + 1], crc))
                .hasMessageContaining("payload must be at most");
    }

    @Test
    @DisplayName("checks sender and recipient every time they are other objects, null included, also right after valid ones")
    void checksNamesOfEveryMessage() {
        int crc = Checksums.crc32c(HELLO);
        for (int round = 0; round < 3; round++) {
            Message ok = Message.of("alice", "c-1", "bob", 1, 1, 0, HELLO, crc);
            assertThat(Message.of(ok.sender(), "c-2", ok.recipient(), 2, 1, 0, HELLO, crc).id()).isEqualTo("alice/c-2");
            assertThatThrownBy(() -> Message.of(null, "c-1", "bob", 1, 1, 0, HELLO, crc))
                    .hasMessageStartingWith("sender must be");
            assertThatThrownBy(() -> Message.of("alice", "c-1", null, 1, 1, 0, HELLO, crc))
                    .hasMessageStartingWith("recipient must be");
            assertThatThrownBy(() -> new Message("bad name/c-1", "bad name", "c-1", "bob", 1, 1, 0, HELLO, crc))
                    .hasMessageStartingWith("sender must be");
            assertThatThrownBy(() -> new Message("alice/c-1", "alice", "c-1", new String("bo b"), 1, 1, 0, HELLO, crc))
                    .hasMessageStartingWith("recipient must be");
            assertThatThrownBy(() -> new Message("alice/c-1", "alice", "c-1", "", 1, 1, 0, HELLO, crc))
                    .hasMessageStartingWith("recipient must be");
        }
    }
}
