package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Crashes of real processes, for each strategy: a server ({@code --strategy X}), an
 * {@code imr receive} and an {@code imr send}, each in its own JVM. As the sender's manifest grows,
 * the receiver is killed with SIGKILL twice, the server twice (restarted on the same data folder
 * and address, so the clients reconnect where they were) and the sender once (rerun with the same
 * data folder); in the end the receiver's store holds every message of the manifest exactly once,
 * in order, with the same seq and sha256. {@code -Dimr.crash.messages=N} makes a longer run
 * (default 6,000 per strategy, to keep the suite quick).
 */
@DisplayName("Crashes of real processes")
class CrashIT {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "strategy {0}")
    @ValueSource(strings = {"ack", "seqid", "hybrid"})
    @Timeout(600)
    @DisplayName("receiver, server and sender killed with SIGKILL and restarted: every confirmed message stored once, in order, intact")
    void killNineAndRestart(String strategy) throws Exception {
        int n = Integer.getInteger("imr.crash.messages", 6_000);
        try (Delivery run = new Delivery(dir, n, "--strategy", strategy)) {
            run.receiver.awaitStderr("imr: connected", Delivery.T);
            run.sender.awaitStderr("imr: connected", Delivery.T);
            // The sender hands all its messages over at once and the server commits them in large batches: the
            // manifest grows in jumps. So the kills follow each other as soon as the one before took effect,
            // from the first confirmation on, and again from half the messages on.
            List<String> midStream = new ArrayList<>();
            for (long at : new long[] {1, n / 2}) {
                boolean sending = run.awaitSent(at);
                boolean receiving = run.receiver.process.isAlive();
                run.killServer("--strategy", strategy);
                if (sending || receiving) {
                    midStream.add("server");
                }
                if (run.killReceiver()) {
                    midStream.add("receiver");
                }
                if (at == 1 && run.killSender()) {
                    midStream.add("sender");
                }
            }

            run.verify();
            assertThat(midStream).as("kills while messages were on their way; " + run.log).contains("server", "receiver");
            assertThat(run.serverCounter("imr_sessions", strategy)).as("the restarted server runs " + strategy)
                    .isNotNegative();
            assertThat(run.server.stop()).isZero();
        }
    }
}
