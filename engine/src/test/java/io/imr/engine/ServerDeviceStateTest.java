package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Checksums;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.Submission;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-device state is the engine's, the same for every strategy: the watermark a half persisted is
 * what the next half of the device starts from, after a restart of the server, with another strategy
 * too (real MapDB files). The first server is left as a crash would leave it: only its store is closed.
 */
@DisplayName("A device's state on the server")
class ServerDeviceStateTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("a restarted server, with another strategy, starts the device's half from the persisted watermark")
    void restartedServerResumesFromThePersistedWatermark() {
        ScriptedStrategy one = new ScriptedStrategy("one");
        String id3;
        try (ServerFixture first = new ServerFixture(dir, ServerEngineConfig.DEFAULT, one)) {
            List<Submission> five = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                byte[] p = ("m" + i).getBytes(StandardCharsets.UTF_8);
                five.add(new Submission("alice", "out-" + i, "bob", p, Checksums.crc32c(p), ManualRuntime.WALL_START));
            }
            id3 = first.store.commit(ServerCommit.append(five)).toCompletableFuture().join().get(2).message().id();

            ServerFixture.Connection bob = first.hello("bob", "phone", "one", 3, id3);
            first.runtime.runDue();
            bob.welcome();
            assertThat(one.logged("phone", "Started")).as("a device never seen starts from nothing")
                    .containsExactly("phone1:Started 0/0");
            assertThat(first.store.device("bob", "phone")).hasValueSatisfying(d -> assertThat(d.confirmed()).isEqualTo(3));
        }
        ScriptedStrategy two = new ScriptedStrategy("two");
        try (ServerFixture second = new ServerFixture(dir, ServerEngineConfig.DEFAULT, two)) {
            ServerFixture.Connection bob = second.hello("bob", "phone", "two", 3, id3);
            second.runtime.runDue();
            bob.welcome();
            assertThat(two.logged("phone", "Started")).as("the restarted server's half, of another strategy")
                    .containsExactly("phone1:Started 1/3");
        }
    }
}
