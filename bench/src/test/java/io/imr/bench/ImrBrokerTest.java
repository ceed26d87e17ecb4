package io.imr.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ImrBrokerTest {

    @Test
    void countersSumTheServersSeriesByNameAndSkipTheClients() {
        String text = """
                # HELP imr_store_syncs_total Syncs
                # TYPE imr_store_syncs_total counter
                imr_store_syncs_total{side="server",strategy="ack"} 120.0
                imr_bytes_control_total{side="server",strategy="ack"} 1000.0
                imr_bytes_control_total{side="server",strategy="hybrid"} 24.0
                imr_bytes_control_total{side="client",strategy="ack"} 99999.0
                imr_commit_batch_size_count{side="server",strategy="ack"} 7.0
                imr_sessions 2.0
                imr_store_sync_duration_seconds_bucket{side="server",le="0.001"} 90.0
                imr_store_sync_duration_seconds_bucket{side="server",le="0.002"} 119.0
                imr_store_sync_duration_seconds_bucket{side="server",le="+Inf"} 120.0
                imr_store_sync_duration_seconds_bucket{side="client",le="0.001"} 5.0
                imr_store_sync_duration_seconds_bucket{role="x",side="server",le="0.005"} 7.0
                imr_store_sync_duration_seconds_count{side="server"} 120.0
                jvm_memory_used_bytes{area="heap"} 1.0E7
                """;
        Map<String, Double> c = ImrBroker.parse(text);
        assertThat(c).containsEntry("store_syncs", 120.0).containsEntry("bytes_control", 1024.0)
                .containsEntry("commit_batch_size_count", 7.0).containsEntry("sessions", 2.0)
                .doesNotContainKey("jvm_memory_used_bytes")
                .containsEntry("store_sync_duration_seconds_bucket|0.001", 90.0)
                .containsEntry("store_sync_duration_seconds_bucket|0.002", 119.0)
                .containsEntry("store_sync_duration_seconds_bucket|0.005", 7.0)
                .containsEntry("store_sync_duration_seconds_bucket|+Inf", 120.0)
                .containsEntry("store_sync_duration_seconds_count", 120.0)
                .doesNotContainKey("store_sync_duration_seconds_bucket");
    }
}
