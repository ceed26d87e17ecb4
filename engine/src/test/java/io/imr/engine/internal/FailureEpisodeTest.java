package io.imr.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A failure episode")
class FailureEpisodeTest {

    @Test
    @DisplayName("says why once when failures start, and once how many there were when it works again")
    void oneLineEachWay() {
        List<String> lines = new ArrayList<>();
        FailureEpisode e = new FailureEpisode("storing sends", lines::add);
        e.succeeded();
        assertThat(lines).isEmpty();
        IllegalStateException full = new IllegalStateException("commit failed",
                new RuntimeException("volume error", new IOException("No space left on device")));
        for (int i = 0; i < 1000; i++) {
            e.failed(full, "senders resend");
        }
        assertThat(e.failing()).isTrue();
        assertThat(lines).containsExactly("storing sends failed (No space left on device); senders resend");
        e.succeeded();
        e.succeeded();
        assertThat(lines).hasSize(2).last().isEqualTo("storing sends works again, after 1000 failures");
        assertThat(e.failing()).isFalse();
        e.failed(new IllegalStateException(), "x");
        assertThat(lines).last().isEqualTo("storing sends failed (IllegalStateException); x");
    }
}
