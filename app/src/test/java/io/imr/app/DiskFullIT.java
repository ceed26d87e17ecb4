package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, for real: the sender's, the server's and the receiver's data folders are each a tmpfs (mounted
 * by the test, which takes root; skipped with the reason where the kernel refuses). While messages flow, each in turn
 * is filled to the last byte. That process must say so in a line or two (not one per message), keep running,
 * confirm nothing it did not store, and once the filler is deleted, go on without a restart: in the end the
 * receiver's store holds every message of the sender's manifest once, in order, intact.
 */
@DisplayName("A full disk")
class DiskFullIT {

    private static final int N = 60_000;

    @TempDir
    Path dir;

    private final List<Path> mounts = new ArrayList<>();

    @AfterEach
    void unmount() throws Exception {
        for (Path m : mounts) {
            run("umount", "-l", m.toString());
        }
    }

    @Test
    @Timeout(600)
    @DisplayName("no space left at the sender, then the server, then the receiver: a line or two each, nothing lost or"
            + " confirmed early, and on with no restart once space is freed")
    void noSpaceLeft() throws Exception {
        for (String folder : new String[] {"server", "bob", "alice"}) {
            tmpfs(dir.resolve(folder));
        }
        try (Delivery run = new Delivery(dir, N, List.of("--rate", "2000"))) {
            run.receiver.awaitStderr("imr: connected", Delivery.T);
            run.sender.awaitStderr("imr: connected", Delivery.T);
            run.awaitSent(200);
            for (String who : new String[] {"sender", "server", "receiver"}) {
                Path filler = fill(dir.resolve(switch (who) {
                    case "sender" -> "alice";
                    case "server" -> "server";
                    default -> "bob";
                }));
                Proc p = switch (who) {
                    case "sender" -> run.sender;
                    case "server" -> run.server.proc;
                    default -> run.receiver;
                };
                p.awaitStderr("No space left on device", Delivery.T);
                Thread.sleep(2_000);
                assertThat(p.process.isAlive()).as("the " + who + " keeps running; " + p.stderr()).isTrue();
                long lines = p.stderr().lines().filter(l -> l.contains("No space left on device")).count();
                assertThat(lines).as("the " + who + " says it in a line, not one per message; " + p.stderr())
                        .isBetween(1L, 6L);
                if (who.equals("sender")) {
                    assertThat(p.stderr()).as("the sender names the first message it could not store")
                            .containsPattern("message \\d+ and after could not be stored in the outbox");
                }
                Files.delete(filler);
                p.awaitStderr(who.equals("sender") ? "stores again" : "works again", Delivery.T);
            }
            run.verify();
            assertThat(run.server.proc.process.isAlive()).isTrue();
        }
    }

    /** Mounts a 64 MiB tmpfs on this (new) folder, or skips the test with the reason. */
    private void tmpfs(Path at) throws Exception {
        Files.createDirectories(at);
        String out = run("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", at.toString());
        assumeTrue(out == null, "a tmpfs could not be mounted (this needs root and a kernel that allows it): " + out);
        mounts.add(at);
    }

    /** Writes zeros into a new file until the file system has no byte left; returns the file. */
    private static Path fill(Path fs) throws IOException {
        Path filler = fs.resolve("filler");
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
            }
        } catch (IOException e) {
            assertThat(e.getMessage()).contains("No space left");
        }
        // What a chunk did not fit into: byte by byte, so that not even a page is left.
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
            for (int i = 0; i < chunk.length; i++) {
                out.write(0);
                out.flush();
            }
        } catch (IOException e) {
            // full
        }
        return filler;
    }

    /** Runs a command; null when it exited 0, else what it printed. */
    private static String run(String... command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : (out.isEmpty() ? "exit " + p.exitValue() : out);
    }
}
