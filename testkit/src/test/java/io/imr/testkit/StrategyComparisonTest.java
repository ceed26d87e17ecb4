package io.imr.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.testkit.StrategyComparison.Row;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The strategy comparison")
class StrategyComparisonTest {

    static Row row(String strategy, long lost, long duplicates, double control, double confirmation, double p99) {
        return new Row(strategy, 3400, lost, duplicates, 0, control, confirmation, 28, 506, 7, p99);
    }

    @Test
    @DisplayName("prints one aligned line per strategy under a header, every figure of the report")
    void table() {
        StrategyComparison c = new StrategyComparison("strategies compared, faults lossy")
                .add(new Row("ack", 3400, 0, 0, 0, 209.64, 35.2, 28, 506, 7, 1643))
                .add(new Row("hybrid", 3400, 1, 2, 3, 179.6, 10.46, 140, 192, 2.25, 1437));
        assertThat(c.text()).isEqualTo("strategies compared, faults lossy\n"
                + "  strategy  delivered  lost  dup  order  control B/msg  confirm B/msg  pulls  retransmits  p50 ms  p99 ms\n"
                + "  ack            3400     0    0      0          209.6           35.2     28          506       7    1643\n"
                + "  hybrid         3400     1    2      3          179.6           10.5    140          192     2.3    1437\n");
    }

    @Test
    @DisplayName("takes every figure from a simulation report")
    void fromReport() {
        SimulationReport r = new SimulationReport("seqid", "lossy");
        r.add(new SeedResult(1, 10, 9, 18, 1, 2, 3, 0, 1800, 90, 4, 5, 0, 0, 4, 5, List.of(1L, 2L, 3L, 400L), List.of(), null));
        Row row = Row.of(r);
        assertThat(row).isEqualTo(new Row("seqid", 18, 1, 2, 3, 100.0, 5.0, 4, 5, 2, 400));
        assertThat(StrategyComparison.of("t", List.of(r)).rows()).containsExactly(row);
    }

    @Test
    @DisplayName("names as cheapest the clean strategy with the fewest confirmation bytes, and says why")
    void verdict() {
        StrategyComparison c = new StrategyComparison("t").add(row("ack", 0, 0, 209.6, 35.2, 1643))
                .add(row("hybrid", 0, 0, 179.6, 10.5, 1437)).add(row("seqid", 0, 0, 174.8, 1.0, 3390));
        assertThat(c.cheapest()).map(Row::strategy).contains("seqid");
        assertThat(c.verdict()).isEqualTo("cheapest: seqid, fewest confirmation bytes per message (1.0 against ack 35.2,"
                + " hybrid 10.5) with 0 lost, 0 duplicates, 0 order violations; control bytes per message 174.8;"
                + " p99 latency 3390 ms against 1437 ms for hybrid");
    }

    @Test
    @DisplayName("shows confirmation bytes below one per message to two significant digits, so that they can be told apart")
    void smallConfirmationFigures() {
        StrategyComparison c = new StrategyComparison("t").add(row("ack", 0, 0, 33.8, 0.04, 2013))
                .add(row("hybrid", 0, 0, 41.2, 0.055, 109)).add(row("seqid", 0, 0, 28.0, 0.0, 167));
        assertThat(c.text()).contains("  ack   ").containsPattern("33\\.8 +0\\.040 ").containsPattern("41\\.2 +0\\.055 ")
                .containsPattern("28\\.0 +0\\.0 ");
        assertThat(c.verdict()).startsWith("cheapest: seqid, fewest confirmation bytes per message (0.0 against ack 0.040,"
                + " hybrid 0.055)");
        assertThat(StrategyComparison.bytesPerMessage(35.24)).isEqualTo("35.2");
        assertThat(StrategyComparison.bytesPerMessage(1.0)).isEqualTo("1.0");
        assertThat(StrategyComparison.bytesPerMessage(0.5)).isEqualTo("0.50");
        assertThat(StrategyComparison.bytesPerMessage(0.00123)).isEqualTo("0.0012");
        assertThat(StrategyComparison.bytesPerMessage(0)).isEqualTo("0.0");
    }

    @Test
    @DisplayName("never names a strategy that lost or duplicated, however cheap")
    void brokenNeverWins() {
        StrategyComparison c = new StrategyComparison("t").add(row("ack", 0, 0, 209.6, 35.2, 100))
                .add(row("cheap", 1, 0, 10, 0.0, 100)).add(row("twice", 0, 3, 10, 0.5, 100));
        assertThat(c.cheapest()).map(Row::strategy).contains("ack");
        assertThat(c.verdict()).startsWith("cheapest: ack, fewest confirmation bytes per message (35.2 against cheap 0.0,")
                .endsWith("control bytes per message 209.6; broke a guarantee: cheap, twice")
                .doesNotContain("p99");
        StrategyComparison none = new StrategyComparison("t").add(row("cheap", 1, 0, 10, 0.0, 100));
        assertThat(none.cheapest()).isEmpty();
        assertThat(none.verdict()).isEqualTo("cheapest: none, every strategy lost, duplicated or reordered messages"
                + " (cheap)");
    }

    @Test
    @DisplayName("breaks a tie in confirmation bytes by control bytes, then by name")
    void ties() {
        StrategyComparison c = new StrategyComparison("t").add(row("b", 0, 0, 50, 1.0, 1))
                .add(row("a", 0, 0, 60, 1.0, 1)).add(row("c", 0, 0, 50, 1.0, 1));
        assertThat(c.cheapest()).map(Row::strategy).contains("b");
    }

    @Test
    @DisplayName("the same rows print the same bytes, and a row needs a name")
    void deterministic() {
        StrategyComparison a = new StrategyComparison("t").add(row("ack", 0, 0, 1, 2, 3));
        StrategyComparison b = new StrategyComparison("t").add(row("ack", 0, 0, 1, 2, 3));
        assertThat(a.text()).isEqualTo(b.text());
        assertThat(a.verdict()).isEqualTo(b.verdict());
        assertThatThrownBy(() -> row("", 0, 0, 1, 2, 3)).isInstanceOf(IllegalArgumentException.class);
    }
}
