package io.imr.store.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.store.StoreException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A store directory is held by one open store at a time")
class LockTest {

    @TempDir
    Path dir;

    /** Runs {@link LockProbe} in a child JVM and returns its one line. */
    private static String probe(String kind, Path dir) throws Exception {
        Process p = ChildJvm.start(LockProbe.class, kind, dir.toString());
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            return line;
        }
    }

    @Test
    @DisplayName("a second open in this JVM fails at once with LockedException, and the first keeps its lock")
    void sameJvm() throws Exception {
        try (MapDbClientStore store = MapDbClientStore.open(dir, "alice", "phone")) {
            assertThatThrownBy(() -> MapDbClientStore.open(dir, "alice", "phone"))
                    .isInstanceOf(StoreException.LockedException.class)
                    .hasMessage("store " + dir + " is in use by another open store in this process (lock file "
                            + dir.toRealPath().resolve("imr.lock") + ")");
            assertThatThrownBy(() -> MapDbClientStore.openExisting(dir)).isInstanceOf(StoreException.LockedException.class);
            assertThatThrownBy(() -> MapDbServerStore.open(dir)).isInstanceOf(StoreException.LockedException.class);
            // On Linux, closing any channel to a locked file drops the process's lock: the failed
            // attempts above must not have touched the lock file, so another process is still kept out.
            assertThat(probe("client", dir)).startsWith("locked: ");
            assertThat(store.state().user()).isEqualTo("alice");
        }
    }

    @Test
    @DisplayName("an open from another process fails with a one-line LockedException naming the lock file")
    void otherProcess() throws Exception {
        try (MapDbClientStore store = MapDbClientStore.open(dir, "alice", "phone")) {
            assertThat(probe("client", dir)).isEqualTo("locked: store " + dir + " is in use by another process (pid "
                    + ProcessHandle.current().pid() + ", lock file " + dir.toRealPath().resolve("imr.lock") + ")");
            assertThat(store.state().user()).isEqualTo("alice");
        }
        try (MapDbServerStore store = MapDbServerStore.open(dir.resolve("server"))) {
            assertThat(probe("server", dir.resolve("server"))).startsWith("locked: store " + dir.resolve("server")
                    + " is in use by another process");
            assertThat(store.inbox("x").epoch()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("closing releases the lock for this JVM and for other processes")
    void releasedAfterClose() throws Exception {
        MapDbClientStore.open(dir, "alice", "phone").close();
        MapDbClientStore.openExisting(dir).close();
        assertThat(probe("client", dir)).isEqualTo("opened");
        MapDbServerStore.open(dir.resolve("server")).close();
        assertThat(probe("server", dir.resolve("server"))).isEqualTo("opened");
        try (MapDbClientStore store = MapDbClientStore.open(dir, "alice", "phone")) {
            assertThat(store.state().device()).isEqualTo("phone");
        }
    }

    @Test
    @DisplayName("a failed open releases the lock it took")
    void failedOpenReleases() {
        MapDbClientStore.open(dir, "alice", "phone").close();
        assertThatThrownBy(() -> MapDbClientStore.open(dir, "bob", "phone")).isExactlyInstanceOf(StoreException.class);
        MapDbClientStore.open(dir, "alice", "phone").close();
    }
}
