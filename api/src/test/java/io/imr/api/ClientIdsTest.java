package io.imr.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClientIdsTest {

    @Test
    void splitsWhatItJoins() {
        String id = ClientIds.of("0f3a9b.x:y_z", 42);
        assertEquals("0f3a9b.x:y_z-42", id);
        assertEquals("0f3a9b.x:y_z", ClientIds.outboxOf(id));
        assertEquals(42, ClientIds.counterOf(id));
        assertEquals(Long.MAX_VALUE, ClientIds.counterOf(ClientIds.of("o", Long.MAX_VALUE)));
    }

    @Test
    void refusesWhatIsNotOutboxAndCounter() {
        for (String bad : new String[] {"", "abc", "-1", "abc-", "abc-0", "abc-01", "a-b-1", "abc-1x", "a b-1",
                "abc-9223372036854775808", "abc-99999999999999999999", "x".repeat(65) + "-1"}) {
            assertFalse(ClientIds.isClientId(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> ClientIds.counterOf(bad), bad);
        }
        assertFalse(ClientIds.isClientId(null));
        assertTrue(ClientIds.isClientId("x".repeat(64) + "-9223372036854775807"));
        assertThrows(IllegalArgumentException.class, () -> ClientIds.of("a-b", 1));
        assertThrows(IllegalArgumentException.class, () -> ClientIds.of("ab", 0));
    }

    @Test
    void inOutbox() {
        assertTrue(ClientIds.inOutbox("abc-12", "abc"));
        assertTrue(ClientIds.inOutbox("a.b:c-1", "a.b:c"));
        assertFalse(ClientIds.inOutbox("abcd-12", "abc"));
        assertFalse(ClientIds.inOutbox("ab-12", "abc"));
        assertFalse(ClientIds.inOutbox("abc", "abc"));
        assertFalse(ClientIds.inOutbox("xbc-1", "abc"));
        assertFalse(ClientIds.inOutbox("abc1-1", "abc"));
    }
}
