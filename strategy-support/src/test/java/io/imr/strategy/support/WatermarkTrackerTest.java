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
}
