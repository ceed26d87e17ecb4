package io.imr.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Fault profiles")
class FaultProfileTest {

    @Test
    @DisplayName("the named profiles exist, none without faults and hostile with every fault")
    void named() {
        assertThat(FaultProfile.names()).containsExactly("none", "lossy", "flaky-mobile", "crashy", "hostile",
                "restores", "retention", "clocks", "limits");
        assertThat(FaultProfile.named("none").faulty()).isFalse();
        assertThat(FaultProfile.named("hostile").rates().keySet()).containsExactlyInAnyOrderElementsOf(FaultProfile.FAULTS);
    }

    @Test
    @DisplayName("an unknown profile, an unknown fault or a rate out of range is refused with what is allowed")
    void refused() {
        assertThatThrownBy(() -> FaultProfile.named("nope")).hasMessageContaining("lossy");
        assertThatThrownBy(() -> FaultProfile.named("none").with("gremlins", 0.1)).hasMessageContaining("loss");
        assertThatThrownBy(() -> FaultProfile.named("none").with("loss", 2)).hasMessageContaining("0 to 1");
        assertThat(FaultProfile.named("none").with("loss", 0.5).rate("loss")).isEqualTo(0.5);
    }
}
