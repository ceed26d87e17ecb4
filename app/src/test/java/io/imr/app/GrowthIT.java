package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code imr growth}, bounded: retention keeps the server's folder far below the devices'. */
@DisplayName("imr growth")
class GrowthIT {

    private static final Pattern ROW = Pattern.compile(
            "\\s*([\\d,]+)\\s+([\\d,.]+) MB\\s+([\\d,]+)\\s+([\\d,]+)\\s+([\\d,.]+) MB");

    @Test
    @Timeout(600)
    @DisplayName("200,000 messages to two devices: both hold every one, the server trims all but the last, and its"
            + " folder ends smaller than a device's")
    void bounded() throws Exception {
        Proc p = Proc.run(Duration.ofMinutes(8), "growth", "--messages", "200000", "--sample", "100000");
        assertThat(p.exitCode()).as(p.stderr() + p.outLines).isZero();
        List<String> rows = p.outLines.stream().filter(l -> ROW.matcher(l).matches()).toList();
        assertThat(rows).as(String.join("\n", p.outLines)).hasSize(3);
        Matcher last = ROW.matcher(rows.get(rows.size() - 1));
        assertThat(last.matches()).isTrue();
        assertThat(last.group(3)).as("held at the end: the message at the devices' watermark").isEqualTo("1");
        assertThat(last.group(4)).isEqualTo("199,999");
        double server = Double.parseDouble(last.group(2).replace(",", ""));
        double phone = Double.parseDouble(last.group(5).replace(",", ""));
        assertThat(server).as("the server's folder against the phone's, which keeps every message").isLessThan(phone);
        assertThat(String.join("\n", p.outLines)).contains("phone holds 200,000, tablet 200,000; 0 sends failed");
    }
}
