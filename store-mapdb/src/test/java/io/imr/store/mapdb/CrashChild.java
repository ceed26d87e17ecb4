package io.imr.store.mapdb;

import io.imr.api.Message;
import io.imr.api.store.Accepted;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientState;
import io.imr.api.store.DeviceState;
import io.imr.api.store.OutboxEntry;
import io.imr.api.store.ServerCommit;
import io.imr.api.store.Submission;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run in a child JVM by {@link CrashTest}, and killed with SIGKILL at a random moment: commits to
 * a store in a loop, up to four commits in flight (so groups form), and prints one "ack" line
 * per commit once its stage completed, that is, once it is durable. It resumes from whatever the
 * store holds, so a directory is killed and recovered again and again.
 *
 * <p>The stores run with a small journal ({@link #JOURNAL_BYTES}), so that kills land in every
 * part of a lap and in checkpoints. With a third argument, a {@link StoreFaults.Point}, the child
 * kills itself ({@code Runtime.halt}, no shutdown hooks, as SIGKILL) when a commit that makes a
 * checkpoint reaches that point (for {@code JOURNAL_WRITE} and {@code MAIN_APPLY}: once the new
 * lap started).
 *
 * <p>Lines: {@code ready}; client {@code ack CURSOR LAST_COUNTER REMOVED_UP_TO HANDED_OVER};
 * server {@code ack SENDER CLIENT_ID RECIPIENT SEQ} per submission and {@code device CONFIRMED}.
 */
public final class CrashChild {

    private static final PrintStream OUT = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    private static final int IN_FLIGHT = 4;
    static final long JOURNAL_BYTES = 64 * 1024;
    /** The exit status of a child that killed itself at its point. */
    static final int HALTED = 99;

    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        StoreFaults faults = args.length > 2 ? new HaltInCheckpoint(StoreFaults.Point.valueOf(args[2])) : StoreFaults.NONE;
        StoreOptions options = StoreOptions.DEFAULTS.withJournalBytes(JOURNAL_BYTES).withFaults(faults);
        if (args[0].equals("client")) {
            client(dir, options);
        } else {
            server(dir, options);
        }
    }

    /** Halts the process at one point of the first commit that makes a checkpoint. */
    private static final class HaltInCheckpoint implements StoreFaults {
        private final Point point;
        private boolean checkpointing;

        HaltInCheckpoint(Point point) {
            this.point = point;
        }

        @Override
        public void at(Point reached) {
            if (reached == Point.CHECKPOINT) {
                checkpointing = true;
            }
            if (checkpointing && reached == point) {
                OUT.flush();
                Runtime.getRuntime().halt(HALTED);
            }
        }

        @Override
        public void committed(long commitNumber, List<Object> operations) {
            checkpointing = false;
        }
    }

    private static synchronized void println(String line) {
        OUT.println(line);
        OUT.flush();
    }

    private static void fail(Throwable e) {
        println("error " + e);
        e.printStackTrace(OUT);
        OUT.flush();
        Runtime.getRuntime().halt(3);
    }

    /** Messages to alice in epoch 1, outbox entries to bob, the oldest confirmed, hand-over trailing the cursor. */
    private static void client(Path dir, StoreOptions options) throws InterruptedException {
        MapDbClientStore store = MapDbClientStore.open(dir, "alice", "phone", options);
        ClientState s = store.state();
        List<OutboxEntry> waiting = store.outbox();
        long nextSeq = s.cursor() + 1;
        long nextCounter = s.lastCounter() + 1;
        long removedUpTo = waiting.isEmpty() ? s.lastCounter() : waiting.get(0).counter() - 1;
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        SplittableRandom random = new SplittableRandom();
        println("ready");
        while (true) {
            inFlight.acquire();
            int n = 1 + random.nextInt(random.nextInt(10) == 0 ? 400 : 40);
            List<Message> messages = TestData.messages("alice", 1, nextSeq, nextSeq + n - 1);
            List<OutboxEntry> adds = random.nextInt(3) == 0
                    ? TestData.entries("bob", nextCounter, nextCounter + random.nextInt(20)) : List.of();
            long removeTo = Math.min(removedUpTo + random.nextInt(15), nextCounter - 1);
            List<Long> removes = new ArrayList<>();
            for (long c = removedUpTo + 1; c <= removeTo; c++) {
                removes.add(c);
            }
            long handedOver = nextSeq - 1;
            nextSeq += n;
            nextCounter += adds.size();
            removedUpTo = removeTo;
            String ack = "ack " + (nextSeq - 1) + " " + (nextCounter - 1) + " " + removedUpTo + " " + handedOver;
            store.commit(new ClientCommit(null, messages.isEmpty() ? "" : "g1-crash", messages, handedOver, adds, removes)).whenComplete((state, e) -> {
                if (e != null) {
                    fail(e);
                }
                println(ack);
                inFlight.release();
            });
        }
    }

    /** Submissions from three senders to three recipients, one in ten a resend of an acknowledged one. */
    private static void server(Path dir, StoreOptions options) throws InterruptedException {
        MapDbServerStore store = MapDbServerStore.open(dir, options);
        byte[] id = new byte[8];
        SplittableRandom random = new SplittableRandom();
        random.nextBytes(id);
        String outbox = HexFormat.of().formatHex(id);
        List<Submission> acked = new ArrayList<>();
        AtomicLong confirmed = new AtomicLong(store.device("r0", "d").map(DeviceState::confirmed).orElse(0L));
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        long counter = 0;
        println("ready");
        while (true) {
            inFlight.acquire();
            int k = 1 + random.nextInt(40);
            List<Submission> submissions = new ArrayList<>(k);
            for (int i = 0; i < k; i++) {
                synchronized (acked) {
                    if (!acked.isEmpty() && random.nextInt(10) == 0) {
                        submissions.add(acked.get(random.nextInt(acked.size())));
                        continue;
                    }
                }
                submissions.add(TestData.submission("s" + random.nextInt(3), outbox + "-" + ++counter,
                        "r" + random.nextInt(3)));
            }
            long watermark = confirmed.incrementAndGet();
            ServerCommit c = new ServerCommit(submissions, List.of(new DeviceState("r0", "d", 1, watermark, watermark)));
            store.commit(c).whenComplete((accepted, e) -> {
                if (e != null) {
                    fail(e);
                }
                StringBuilder lines = new StringBuilder();
                for (Accepted a : accepted) {
                    Message m = a.message();
                    lines.append("ack ").append(m.sender()).append(' ').append(m.clientId()).append(' ')
                            .append(m.recipient()).append(' ').append(m.seq()).append('\n');
                }
                lines.append("device ").append(watermark);
                println(lines.toString());
                synchronized (acked) {
                    for (Accepted a : accepted) {
                        if (!a.duplicate()) {
                            Message m = a.message();
                            acked.add(TestData.submission(m.sender(), m.clientId(), m.recipient()));
                        }
                    }
                }
                inFlight.release();
            });
        }
    }
}
