package io.imr.strategy.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A watermark tracker")
class WatermarkTrackerTest {

    private final WatermarkTracker watermark = new WatermarkTracker();

    @Test
    @DisplayName("asks for a commit only when the watermark advanced beyond the persisted one")
    void persistsOnlyWhenAdvanced() {
        assertThat(watermark.needsPersist()).isFalse();
        assertThat(watermark.advanceTo(5)).isTrue();
        assertThat(watermark.advanceTo(3)).as("never back").isFalse();
        assertThat(watermark.confirmed()).isEqualTo(5);
        assertThat(watermark.needsPersist()).isTrue();
        assertThat(watermark.startPersist(1)).isEqualTo(5);
        assertThat(watermark.persisting()).isTrue();
        assertThat(watermark.needsPersist()).as("one commit at a time").isFalse();
        assertThat(watermark.done(1)).isTrue();
        assertThat(watermark.persisted()).isEqualTo(5);
        assertThat(watermark.needsPersist()).isFalse();
    }

    @Test
    @DisplayName("persists what advanced during a commit once it returned")
    void advanceDuringCommit() {
        watermark.advanceTo(5);
        watermark.startPersist(1);
        watermark.advanceTo(9);
        assertThat(watermark.needsPersist()).isFalse();
        watermark.done(1);
        assertThat(watermark.needsPersist()).isTrue();
        assertThat(watermark.startPersist(2)).isEqualTo(9);
    }

    @Test
    @DisplayName("asks again after a failed commit, as if nothing was persisted")
    void retriesAfterFailure() {
        watermark.advanceTo(5);
        watermark.startPersist(1);
        assertThat(watermark.failed(2)).as("not its token").isFalse();
        assertThat(watermark.failed(1)).isTrue();
        assertThat(watermark.persisted()).isZero();
        assertThat(watermark.needsPersist()).isTrue();
        assertThat(watermark.done(1)).as("answered already").isFalse();
    }

    @Test
    @DisplayName("starts over on reset, forgetting a running commit")
    void reset() {
        watermark.advanceTo(5);
        watermark.startPersist(1);
        watermark.reset(2);
        assertThat(watermark.confirmed()).isEqualTo(2);
        assertThat(watermark.persisted()).isZero();
        assertThat(watermark.done(1)).isFalse();
        assertThat(watermark.needsPersist()).isTrue();
    }

    @Test
    @DisplayName("refuses a commit with nothing to persist, token 0 and a negative watermark")
    void validates() {
        assertThatThrownBy(() -> watermark.startPersist(1)).isInstanceOf(IllegalStateException.class);
        watermark.advanceTo(1);
        assertThatThrownBy(() -> watermark.startPersist(0)).hasMessageContaining("token 0");
        assertThatThrownBy(() -> watermark.reset(-1)).hasMessageContaining("must not be negative");
    }

    @Test
    @DisplayName("restores what the store kept as persisted already: nothing to persist until it advances")
    void restore() {
        watermark.restore(3, 6);
        assertThat(watermark.epoch()).isEqualTo(3);
        assertThat(watermark.confirmed()).isEqualTo(6);
        assertThat(watermark.persisted()).isEqualTo(6);
        assertThat(watermark.needsPersist()).isFalse();
        assertThat(watermark.advanceTo(6)).isFalse();
        assertThat(watermark.advanceTo(7)).isTrue();
        assertThat(watermark.startPersist(1)).isEqualTo(7);
    }

    @Test
    @DisplayName("restores a device never seen as 0 in epoch 0, and refuses a negative epoch or watermark")
    void restoreValidates() {
        watermark.restore(0, 0);
        assertThat(watermark.epoch()).isZero();
        assertThat(watermark.needsPersist()).isFalse();
        assertThatThrownBy(() -> watermark.restore(-1, 0)).hasMessageContaining("epoch must not be negative");
        assertThatThrownBy(() -> watermark.restore(1, -1)).hasMessageContaining("must not be negative");
    }

    @Test
    @DisplayName("follows a session's cursor up in the same epoch, and persists it")
    void connectedUp() {
        watermark.restore(1, 6);
        assertThat(watermark.connected(1, 9)).isEqualTo(9);
        assertThat(watermark.needsPersist()).isTrue();
        assertThat(watermark.startPersist(1)).isEqualTo(9);
    }

    @Test
    @DisplayName("follows a session's cursor down in the same epoch, without persisting below what is stored")
    void connectedDown() {
        watermark.restore(1, 6);
        assertThat(watermark.connected(1, 2)).isEqualTo(2);
        assertThat(watermark.confirmed()).isEqualTo(2);
        assertThat(watermark.persisted()).as("the store keeps 6").isEqualTo(6);
        assertThat(watermark.needsPersist()).isFalse();
        watermark.advanceTo(6);
        assertThat(watermark.needsPersist()).isFalse();
        watermark.advanceTo(7);
        assertThat(watermark.startPersist(1)).isEqualTo(7);
    }

    @Test
    @DisplayName("keeps a running commit when a session of the same epoch starts")
    void connectedKeepsCommit() {
        watermark.restore(1, 0);
        watermark.advanceTo(5);
        watermark.startPersist(1);
        watermark.connected(1, 5);
        assertThat(watermark.persisting()).isTrue();
        assertThat(watermark.done(1)).isTrue();
        assertThat(watermark.persisted()).isEqualTo(5);
        assertThat(watermark.needsPersist()).isFalse();
    }

    @Test
    @DisplayName("starts over from the cursor in another epoch, with nothing of it persisted")
    void connectedNewEpoch() {
        watermark.restore(1, 6);
        watermark.advanceTo(8);
        watermark.startPersist(1);
        assertThat(watermark.connected(2, 3)).isEqualTo(3);
        assertThat(watermark.epoch()).isEqualTo(2);
        assertThat(watermark.persisted()).isZero();
        assertThat(watermark.done(1)).as("a commit of the old epoch's watermark").isFalse();
        assertThat(watermark.needsPersist()).isTrue();
        assertThat(watermark.startPersist(2)).isEqualTo(3);
        assertThat(watermark.connected(3, 0)).isZero();
        assertThat(watermark.needsPersist()).as("0 in a new epoch: nothing to persist").isFalse();
    }

    @Test
    @DisplayName("refuses a negative cursor")
    void connectedValidates() {
        assertThatThrownBy(() -> watermark.connected(1, -1)).hasMessageContaining("must not be negative");
    }
}
