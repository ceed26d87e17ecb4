package io.imr.strategy.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A token source")
class TokenSourceTest {

    @Test
    @DisplayName("hands out 1, 2, 3, ... and never 0")
    void growsFromOne() {
        TokenSource tokens = new TokenSource();
        assertThat(tokens.last()).isZero();
        assertThat(tokens.next()).isEqualTo(1);
        assertThat(tokens.next()).isEqualTo(2);
        assertThat(tokens.next()).isEqualTo(3);
        assertThat(tokens.last()).isEqualTo(3);
    }
}
