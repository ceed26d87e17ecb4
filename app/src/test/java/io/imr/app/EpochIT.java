package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Welcome;
import io.imr.wire.FrameCodec;
import io.imr.wire.LengthPrefixedDecoder;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Epochs that no device can break (G10), with real processes: an {@code imr server}, {@code imr send}s and
 * {@code imr receive}s, each in its own JVM, and a hand-written client that says hello over a raw socket.
 */
@DisplayName("Epochs no device can break, with real processes")
class EpochIT {

    private static final Pattern STORED = Pattern.compile("\\{\"seq\":(\\d+),\"id\":\"([^\"]+)\",.*");

    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();

    @Test
    @Timeout(300)
    @DisplayName("a hello with a forged cursor changes nothing of the user's: a fresh device then gets everything")
    void forgedCursor() throws Exception {
        try (ServerProc server = new ServerProc(dir.resolve("server"), "127.0.0.1:0", new String[] {"--metrics", "127.0.0.1:0",
                "--config", noTrimming().toString()})) {
            send(server, "a", 3);
            // A device of erin's says hello at seq 50 of a sequence that has 3, naming a message never sent.
            Welcome first = rawHello(server, "rogue", 50, "mallory/x-50", "g1-000000000000");
            assertThat(first.resync()).as("the server cannot vouch for it: it resyncs that session").isTrue();
            assertThat(first.cursor()).as("served from the first message the server holds").isZero();
            assertThat(first.maxSeq()).isEqualTo(3);
            assertThat(first.epoch()).as("the user's sequence is untouched").isEqualTo(1);
            // Again, at a seq the server holds but naming another message: still nothing changes.
            Welcome second = rawHello(server, "rogue", 2, "mallory/x-2", first.serverStore());
            assertThat(second.resync()).isTrue();
            assertThat(second.epoch()).isEqualTo(1);
            assertThat(second.maxSeq()).isEqualTo(3);

            send(server, "b", 2);
            List<String> fresh = receive(server, "fresh", 5);
            assertThat(fresh).as("a device that never ran gets all 5, seq 1..5, once each; " + log).hasSize(5);
            assertThat(server.counter("imr_resyncs_total")).as("both forged hellos counted").isEqualTo(2);
            Welcome honest = rawHello(server, "other", 0, "", "");
            assertThat(honest.resync()).isFalse();
            assertThat(honest.maxSeq()).as("numbering went on at 4, not at 51").isEqualTo(5);
        }
    }

    @Test
    @Timeout(300)
    @DisplayName("a server restored from an older copy of its data folder: devices get what they lack by id, store"
            + " nothing twice and skip nothing; a fresh device gets everything the server holds")
    void serverRestoredFromACopy() throws Exception {
        Path data = dir.resolve("server");
        Path backup = dir.resolve("backup");
        ServerProc server = new ServerProc(data, "127.0.0.1:0", new String[] {"--config", noTrimming().toString()});
        try {
            send(server, "a", 5);
            assertThat(receive(server, "phone", 5)).hasSize(5);
            assertThat(server.stop()).isZero();
            copy(data, backup);
            log.add("data folder copied with 5 messages");

            server = server.restart("--config", noTrimming().toString());
            send(server, "b", 3);
            List<String> before = receive(server, "phone", 8);
            assertThat(before).hasSize(8);
            assertThat(server.stop()).isZero();
            copy(backup, data);
            log.add("data folder restored from the copy: the server forgot b's 3");

            server = server.restart("--config", noTrimming().toString());
            send(server, "c", 2);
            // The server holds a's 5 and c's 2 (at seqs 6 and 7, where b's were); phone holds a's and b's.
            List<String> phone = receive(server, "phone", 10);
            assertThat(phone).as("phone keeps b's 3 and gets c's 2, nothing twice; " + log).hasSize(10);
            assertThat(phone.subList(0, 8)).as("what phone held is untouched").isEqualTo(before);
            assertThat(phone.subList(8, 10)).as("c's, after phone's own last message").allMatch(id -> id.startsWith("erin-c/"));
            List<String> fresh = receive(server, "fresh", 7);
            assertThat(fresh).as("a fresh device gets what the restored server holds; " + log).hasSize(7);
            assertThat(fresh.subList(0, 5)).isEqualTo(before.subList(0, 5));
            Set<String> phoneIds = new HashSet<>(phone);
            assertThat(phoneIds).as("phone has everything the server holds").containsAll(fresh);
            assertThat(phoneIds).hasSize(10);
            assertThat(server.stop()).isZero();
        } finally {
            server.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Settings under which retention does not sweep during a test (its first sweep is a day away): these tests are
     * about restores and forged positions, and check that a fresh device gets everything the server holds, which
     * retention would otherwise shrink to what lies above the watermark every known device confirmed
     * (RetentionIT is about that).
     */
    private Path noTrimming() throws Exception {
        Path f = dir.resolve("no-trimming.properties");
        Files.writeString(f, "imr.server.retention-sweep=1d\n");
        return f;
    }

    /** {@code imr send} of n messages from a sender of its own to erin, until the server confirmed them all. */
    private void send(ServerProc server, String sender, int n) throws Exception {
        String user = "erin-" + sender;
        Proc p = Proc.run(Delivery.T, "send", "--server", server.address, "--user", user, "--device", "d",
                "--token-file", server.mintedFile(dir, user, "d").toString(), "--to", "erin", "--count",
                Integer.toString(n), "--data", dir.resolve("send-" + sender).toString());
        assertThat(p.exitCode()).as("send " + sender + "; " + p.stderr()).isZero();
        log.add(sender + " sent " + n);
    }

    /**
     * {@code imr receive --until total} for a device of erin (its data folder kept between runs), then its store
     * checked with {@code imr inspect --messages}: seqs 1..total without a hole, each id once. Returns the ids in
     * order.
     */
    private List<String> receive(ServerProc server, String device, int total) throws Exception {
        Path data = dir.resolve("erin-" + device);
        Proc p = Proc.run(Delivery.T, "receive", "--server", server.address, "--user", "erin", "--device", device,
                "--token-file", server.mintedFile(dir, "erin", device).toString(), "--data", data.toString(),
                "--until", Integer.toString(total));
        assertThat(p.exitCode()).as("receive " + device + " until " + total + "; " + log + "; " + p.stderr()).isZero();
        Proc messages = Proc.run(Delivery.T, "inspect", "--data", data.toString(), "--messages", "--json");
        List<String> ids = new ArrayList<>();
        long seq = 1;
        for (String l : messages.outLines) {
            Matcher m = STORED.matcher(l);
            assertThat(m.matches()).as(l).isTrue();
            assertThat(Long.parseLong(m.group(1))).isEqualTo(seq++);
            ids.add(m.group(2));
        }
        assertThat(new HashSet<>(ids)).as("each id once").hasSize(ids.size());
        assertThat(ids).as(device + " holds " + total).hasSize(total);
        log.add(device + " holds " + ids.size());
        return ids;
    }

    /** A hand-written client of erin's device: one hello over TCP, the server's answer, then the socket closed. */
    private Welcome rawHello(ServerProc server, String device, long cursor, String id, String serverStore)
            throws Exception {
        FrameCodec codec = new FrameCodec();
        String[] hostPort = server.address.split(":");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 10_000);
            s.setSoTimeout(30_000);
            Hello hello = new Hello(Frame.PROTOCOL_VERSION, server.minted("erin", device), "erin", device,
                    List.of("ack", "seqid", "hybrid"), cursor == 0 ? 0 : 1, cursor, id, serverStore, 1);
            s.getOutputStream().write(codec.encodeWithLength(hello));
            s.getOutputStream().flush();
            LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(codec);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            while (true) {
                int n = in.read(buf);
                assertThat(n).as("the server answered the hello").isPositive();
                List<Frame> frames = decoder.feed(buf, 0, n);
                if (!frames.isEmpty()) {
                    assertThat(frames.get(0)).isInstanceOf(Welcome.class);
                    log.add("raw hello of " + device + " at " + cursor + ": " + frames.get(0));
                    return (Welcome) frames.get(0);
                }
            }
        }
    }

    /** Replaces {@code to}'s files by copies of {@code from}'s (the lock file aside): a backup taken or put back. */
    private static void copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(to)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f) && !f.getFileName().toString().equals("imr.lock")) {
                    Files.delete(f);
                }
            }
        }
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f) && !f.getFileName().toString().equals("imr.lock")) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
    }
}
