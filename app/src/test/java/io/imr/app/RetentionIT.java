package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention with real processes: an {@code imr server} that retires devices after 3 s, two devices of one user
 * ({@code imr receive}), a sender ({@code imr send}). What every device confirmed is trimmed; a device that was
 * away is told exactly which range it can no longer get, records it, and gets the rest.
 */
@DisplayName("Retention, with real processes")
class RetentionIT {

    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();

    @Test
    @Timeout(300)
    @DisplayName("trims what both devices confirmed, retires a device away for longer than retire-after; when it"
            + " returns it records the expired range, says so in one line and gets the rest; a fresh device too")
    void awayDeviceIsToldWhatExpired() throws Exception {
        Path config = dir.resolve("server.properties");
        Files.writeString(config, "imr.server.retire-after=6s\nimr.server.retention-sweep=200ms\n");
        try (ServerProc server = new ServerProc(dir.resolve("server"), "127.0.0.1:0",
                new String[] {"--metrics", "127.0.0.1:0", "--config", config.toString()})) {
            // The phone stays connected throughout (never retired); the tablet gets 5 and goes away.
            Proc phone = Proc.start("receive", "--server", server.address, "--user", "erin", "--device", "phone",
                    "--token-file", server.mintedFile(dir, "erin", "phone").toString(), "--data",
                    dir.resolve("erin-phone").toString());
            try {
                phone.awaitStderr("imr: connected", Duration.ofSeconds(60));
                // A device the server never saw holds nothing back: the tablet connects before anything is sent.
                Proc tablet5 = Proc.start("receive", "--server", server.address, "--user", "erin", "--device",
                        "tablet", "--token-file", server.mintedFile(dir, "erin", "tablet").toString(), "--data",
                        dir.resolve("erin-tablet").toString(), "--until", "5");
                tablet5.awaitStderr("imr: connected", Duration.ofSeconds(60));
                send(server, "a", 5);
                assertThat(tablet5.process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(tablet5.process.exitValue()).as(tablet5.stderr()).isZero();
                // Both confirmed 5: what lies below the message at the lowest watermark goes, that message stays.
                awaitTrimmed(server, 4);

                // The phone gets and confirms 10 more while the tablet is away.
                send(server, "b", 10);
                // Once the tablet was not seen for 6 s and b's messages are 6 s old, they go too, but the one at the
                // phone's watermark.
                awaitTrimmed(server, 14);

                Proc tablet = receive(server, "tablet", 6);
                assertThat(tablet.stderr()).as("one line says what expired").contains(
                        "imr: 9 messages expired before this device got them: seqs 6..14 of the server's sequence");
                String summary = inspect("tablet");
                assertThat(summary).as(summary).contains("\"count\":6")
                        .contains("\"expired\":[{\"epoch\":1,\"from\":6,\"to\":14}]").contains("\"gaps\":[]");

                Proc fresh = receive(server, "fresh", 1);
                assertThat(fresh.stderr()).contains("14 messages expired before this device got them: seqs 1..14");
                assertThat(inspect("fresh")).contains("\"expired\":[{\"epoch\":1,\"from\":1,\"to\":14}]");
                assertThat(server.counter("imr_messages_trimmed_total")).as("the phone still holds seq 15 back")
                        .isEqualTo(14);
            } finally {
                phone.kill9();
            }
            assertThat(inspect("phone")).as("the phone was never away").contains("\"count\":15")
                    .contains("\"expired\":[]");
        }
    }

    // ---------------------------------------------------------------- helpers

    private void send(ServerProc server, String sender, int n) throws Exception {
        String user = "erin-" + sender;
        Proc p = Proc.run(Delivery.T, "send", "--server", server.address, "--user", user, "--device", "d",
                "--token-file", server.mintedFile(dir, user, "d").toString(), "--to", "erin", "--count",
                Integer.toString(n), "--data", dir.resolve("send-" + sender).toString());
        assertThat(p.exitCode()).as("send " + sender + "; " + p.stderr()).isZero();
        log.add(sender + " sent " + n);
    }

    private Proc receive(ServerProc server, String device, int until) throws Exception {
        Proc p = Proc.run(Delivery.T, "receive", "--server", server.address, "--user", "erin", "--device", device,
                "--token-file", server.mintedFile(dir, "erin", device).toString(), "--data",
                dir.resolve("erin-" + device).toString(), "--until", Integer.toString(until));
        assertThat(p.exitCode()).as("receive " + device + " until " + until + "; " + log + "; " + p.stderr()).isZero();
        log.add(device + " holds " + until);
        return p;
    }

    private String inspect(String device) throws Exception {
        Proc p = Proc.run(Delivery.T, "inspect", "--data", dir.resolve("erin-" + device).toString(), "--json");
        assertThat(p.exitCode()).isZero();
        return String.join("\n", p.outLines);
    }

    private void awaitTrimmed(ServerProc server, double messages) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        double trimmed = 0;
        while (System.nanoTime() < deadline) {
            trimmed = server.counter("imr_messages_trimmed_total");
            if (trimmed >= messages) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(trimmed).as("messages trimmed; " + log).isEqualTo(messages);
        log.add(messages + " trimmed");
    }
}
