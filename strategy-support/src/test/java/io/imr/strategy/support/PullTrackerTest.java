package io.imr.strategy.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.frame.Frame;
import io.imr.api.strategy.Action;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A pull tracker")
class PullTrackerTest {

    private final PullTracker pulls = new PullTracker(100, 1_000);

    @Test
    @DisplayName("keeps one pull outstanding and merges requests into it")
    void oneOutstanding() {
        assertThat(pulls.request(11, 0)).contains(new Action.PullRange(11, 100));
        assertThat(pulls.request(11, 10)).isEmpty();
        assertThat(pulls.request(50, 999)).isEmpty();
        assertThat(pulls.outstanding()).contains(new PullTracker.Outstanding(11, 100, 0));
    }

    @Test
    @DisplayName("takes an unanswered pull as lost after the timeout")
    void timeout() {
        pulls.request(11, 0);
        assertThat(pulls.request(11, 1_000)).contains(new Action.PullRange(11, 100));
        assertThat(pulls.outstanding().orElseThrow().sentAt()).isEqualTo(1_000);
    }

    @Test
    @DisplayName("says whether an answer was a full page and frees the slot")
    void answers() {
        pulls.request(11, 0);
        assertThat(pulls.answered(12, 100)).as("not the outstanding one").isFalse();
        assertThat(pulls.outstanding()).isPresent();
        assertThat(pulls.answered(11, 100)).isTrue();
        assertThat(pulls.outstanding()).isEmpty();
        assertThat(pulls.answered(11, 100)).as("a duplicate answer").isFalse();

        pulls.request(111, 5, 10);
        assertThat(pulls.answered(111, 4)).isFalse();
        assertThat(pulls.request(115, 11)).isPresent();
    }

    @Test
    @DisplayName("caps a limit at the page")
    void capsAtPage() {
        assertThat(pulls.request(1, 5_000, 0)).contains(new Action.PullRange(1, 100));
        assertThat(pulls.page()).isEqualTo(100);
    }

    @Test
    @DisplayName("forgets the outstanding pull on reset")
    void reset() {
        pulls.request(11, 0);
        pulls.reset();
        assertThat(pulls.request(11, 1)).isPresent();
    }

    @Test
    @DisplayName("refuses bad pages, timeouts and limits")
    void validates() {
        assertThatThrownBy(() -> new PullTracker(0, 1)).hasMessageContaining("page must be 1 to");
        assertThatThrownBy(() -> new PullTracker(Frame.MAX_BATCH + 1, 1)).hasMessageContaining("page must be 1 to");
        assertThatThrownBy(() -> new PullTracker(1, 0)).hasMessageContaining("timeout must be positive");
        assertThatThrownBy(() -> pulls.request(1, 0, 0)).hasMessageContaining("limit of 1 or more");
    }
}
