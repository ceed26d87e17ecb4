package io.imr.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The simulation report")
class SimulationReportTest {

    static SeedResult seed(long seed, List<Long> latencies, Violation violation) {
        return new SeedResult(seed, 10, 9, 18, 0, 0, 0, 0, 1800, 90, 2, 3, 1, 0, 4, 5, latencies, List.of("ack>hybrid"), violation);
    }

    @Test
    @DisplayName("sums the seeds, takes percentiles of every delivery, and keeps the lowest failing seed")
    void sums() {
        SimulationReport r = new SimulationReport("ack", "lossy");
        r.add(seed(2, List.of(1L, 2L, 3L), new Violation("G2", 2, "stored twice", List.of("t1"))));
        r.add(seed(1, List.of(4L, 100L), new Violation("G1", 1, "lost", List.of("t0"))));
        assertThat(r.seeds()).isEqualTo(2);
        assertThat(r.failedSeeds()).isEqualTo(2);
        assertThat(r.firstViolation().seed()).isEqualTo(1);
        assertThat(r.latencyPercentile(0.5)).isEqualTo(3);
        assertThat(r.latencyPercentile(0.99)).isEqualTo(100);
        assertThat(r.text()).startsWith("strategy ack, faults lossy, seeds 1..2 (2)\n")
                .contains("messages sent              20\n").contains("control bytes / delivered  100.0\n");
        assertThat(r.json()).startsWith("{\"strategy\":\"ack\",\"faults\":\"lossy\",\"firstSeed\":1,\"seeds\":2,")
                .contains("\"violation\":{\"guarantee\":\"G1\",\"seed\":1,\"detail\":\"lost\",\"trail\":[\"t0\"]}}");
    }
}
