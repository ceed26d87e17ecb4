package io.imr.app;

import io.imr.bench.ImrBroker;
import io.imr.bench.ProcessProbe;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Ping;
import io.imr.api.frame.Welcome;
import io.imr.embed.ImrClient;
import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.Principal;
import io.imr.engine.auth.SecretFile;
import io.imr.wire.FrameCodec;
import io.imr.wire.LengthPrefixedDecoder;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many idle, authenticated sessions on one {@code imr server} (a child JVM, as users run it), and what each costs the
 * server: its heap after a full GC, its threads and its open files, before and after, from the server process itself.
 * The sessions speak the wire protocol directly (hello, then a ping every half heartbeat, as a device does), so that
 * one JVM can hold tens of thousands; they come from several loopback source addresses, since one has about 28,000
 * ephemeral ports. Before them, a real device ({@link ImrClient} on a MapDB store) connects; once all are up and
 * have been held, a real sender sends it messages, and the time until the device committed them is measured:
 * delivery to one session among the many still works.
 */
final class IdleSessions {

    /**
     * @param count      idle sessions
     * @param strategy   the server's strategy
     * @param hold       how long all stay open before the measurement (a few heartbeats show none is dropped)
     * @param sources    loopback source addresses the sessions come from ({@code 127.0.0.2} on)
     * @param dir        where the server and the real devices keep their data
     */
    public record Settings(int count, String strategy, Duration hold, int sources, Path dir) {
    }

    /**
     * What the sessions cost.
     *
     * @param before    the server with only the real device connected
     * @param after     the server holding every session
     * @param opened    sessions welcomed
     * @param refused   sessions the server refused or closed (each with its reason, the first few in {@code reasons})
     * @param openSeconds how long opening them all took
     * @param deliveryMillis how long the real device took to commit what was sent to it, all sessions up
     */
    public record Result(ProcessProbe.Sample before, ProcessProbe.Sample after, int opened, int refused,
                         List<String> reasons, double openSeconds, double deliveryMillis, int delivered) {

        public long heapPerSession() {
            return opened == 0 ? 0 : (after.heapAfterGc() - before.heapAfterGc()) / opened;
        }
    }

    /** Messages the real device is sent once every session is up. */
    public static final int PROBE_MESSAGES = 100;

    private final Settings s;
    private final PrintStream out;

    public IdleSessions(Settings settings, PrintStream out) {
        this.s = settings;
        this.out = out;
    }

    /** One idle session: its socket, and what it reads (a Welcome first, then pongs). */
    private static final class Session {
        final CompletableFuture<Welcome> welcome = new CompletableFuture<>();
        volatile NetSocket socket;
        volatile boolean closed;
        /** Counted as opened (welcomed in time). */
        boolean opened;
    }

    public Result run() throws Exception {
        Files.createDirectories(s.dir());
        // Ctrl-C or SIGTERM takes the server process with it (a finally does not run then).
        Thread reaper = new Thread(() -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly),
                "sessions-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        try (ImrBroker server = ImrBroker.start(s.dir().resolve("server"), s.strategy(), List.of("-Xms1g"))) {
            long pid = server.process().pid();
            HmacTokens tokens = new HmacTokens(SecretFile.read(server.secretFile()));
            String[] hostPort = server.address().split(":");
            String host = hostPort[0];
            int port = Integer.parseInt(hostPort[1]);

            // The real device, connected before the crowd.
            AtomicInteger received = new AtomicInteger();
            AtomicLong lastReceived = new AtomicLong();
            ImrClient device = ImrClient.builder().server(server.address()).user("probe").device("phone")
                    .token(tokens.mint(new Principal("probe", "phone"), Duration.ofDays(1), System.currentTimeMillis()))
                    .dataDir(s.dir().resolve("probe-phone")).strategies(s.strategy())
                    .listener(m -> {
                        received.incrementAndGet();
                        lastReceived.set(System.nanoTime());
                    }).build();
            device.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
            ProcessProbe.Sample before = ProcessProbe.sample(pid);
            out.printf("imr sessions: the server holds 1 device: heap after GC %s, %d threads, %d open files%n",
                    ProcessProbe.mib(before.heapAfterGc()), before.threads(), before.openFiles());

            FrameCodec codec = new FrameCodec();
            Session[] sessions = new Session[s.count()];
            AtomicInteger created = new AtomicInteger();
            List<String> reasons = new ArrayList<>();
            int refused = 0;
            List<NetClient> clients = new ArrayList<>();
            for (int i = 0; i < s.sources(); i++) {
                clients.add(vertx.createNetClient(new NetClientOptions().setLocalAddress("127.0.0." + (2 + i))
                        .setConnectTimeout(30_000)));
            }
            // Every session pings at half the heartbeat from its welcome on, as a device does (the server drops one
            // silent for three heartbeats, and opening tens of thousands takes longer than that): a tenth of them
            // each tick, so that the pings spread over the interval.
            AtomicLong heartbeatMillis = new AtomicLong(10_000);
            AtomicLong nonce = new AtomicLong();
            long pingEvery = 500;
            long timer = vertx.setPeriodic(pingEvery, new io.vertx.core.Handler<>() {
                int slice;
                long ticks;

                @Override
                public void handle(Long id) {
                    // A tick each half second; a session's turn comes every (heartbeat / 2) / 0.5 s ticks.
                    long turns = Math.max(1, heartbeatMillis.get() / 2 / pingEvery);
                    int n = created.get();
                    for (int i = (int) (ticks % turns); i < n; i += (int) turns) {
                        Session x = sessions[i];
                        NetSocket socket = x.socket;
                        if (socket != null && !x.closed && x.welcome.isDone()) {
                            socket.write(Buffer.buffer(codec.encodeWithLength(new Ping(nonce.incrementAndGet()))));
                        }
                    }
                    ticks++;
                }
            });
            // Connections being opened at once: enough to keep the server busy, few enough for its accept queue.
            Semaphore opening = new Semaphore(256);
            long t0 = System.nanoTime();
            long nextReport = t0 + TimeUnit.SECONDS.toNanos(5);
            for (int i = 0; i < s.count(); i++) {
                if (!opening.tryAcquire(120, TimeUnit.SECONDS)) {
                    throw new IOException("the server answered none of 256 hellos within 120 s; see "
                            + s.dir().resolve("server").resolve("server.log"));
                }
                Session session = new Session();
                sessions[i] = session;
                created.incrementAndGet();
                String user = "idle" + i;
                Hello hello = new Hello(Frame.PROTOCOL_VERSION,
                        tokens.mint(new Principal(user, "d"), Duration.ofDays(1), System.currentTimeMillis()), user,
                        "d", List.of(s.strategy()), 0, 0, "", "", 1);
                byte[] helloBytes = codec.encodeWithLength(hello);
                session.welcome.whenComplete((w, e) -> opening.release());
                clients.get(i % clients.size()).connect(port, host).onComplete(ar -> {
                    if (ar.failed()) {
                        session.welcome.completeExceptionally(ar.cause());
                        return;
                    }
                    NetSocket socket = ar.result();
                    session.socket = socket;
                    LengthPrefixedDecoder decoder = new LengthPrefixedDecoder(codec);
                    socket.handler(b -> decoder.feed(ByteBuffer.wrap(b.getBytes()), f -> {
                        if (f instanceof Welcome w) {
                            heartbeatMillis.set(w.heartbeatMillis());
                            session.welcome.complete(w);
                        } else if (f instanceof ErrorFrame e) {
                            session.welcome.completeExceptionally(new IOException(e.code() + ": " + e.message()));
                        }
                    }));
                    socket.closeHandler(v -> {
                        session.closed = true;
                        session.welcome.completeExceptionally(new IOException("closed before its welcome"));
                    });
                    socket.write(Buffer.buffer(helloBytes));
                });
                if (System.nanoTime() > nextReport) {
                    nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    out.printf("imr sessions: %,d opening or open%n", i + 1);
                }
            }
            int opened = 0;
            for (Session session : sessions) {
                try {
                    session.welcome.get(120, TimeUnit.SECONDS);
                    session.opened = true;
                    opened++;
                } catch (Exception e) {
                    refused++;
                    if (reasons.size() < 5) {
                        reasons.add(String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
                    }
                }
            }
            double openSeconds = (System.nanoTime() - t0) / 1e9;
            out.printf("imr sessions: %,d welcomed in %.1f s, %,d refused%n", opened, openSeconds, refused);

            Thread.sleep(s.hold().toMillis());
            int closedMeanwhile = 0;
            for (Session x : sessions) {
                if (x.opened && x.closed) {
                    closedMeanwhile++;
                }
            }
            if (closedMeanwhile > 0) {
                refused += closedMeanwhile;
                opened -= closedMeanwhile;
                reasons.add(closedMeanwhile + " welcomed sessions were closed by the server while held");
            }
            ProcessProbe.Sample after = ProcessProbe.sample(pid);

            // Delivery to the one real device among them all.
            ImrClient sender = ImrClient.builder().server(server.address()).user("probe-sender").device("laptop")
                    .token(tokens.mint(new Principal("probe-sender", "laptop"), Duration.ofDays(1),
                            System.currentTimeMillis()))
                    .dataDir(s.dir().resolve("probe-sender")).strategies(s.strategy()).build();
            sender.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
            long sendStart = System.nanoTime();
            for (int i = 0; i < PROBE_MESSAGES; i++) {
                sender.send("probe", ("probe " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received.get() < PROBE_MESSAGES && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            int delivered = received.get();
            double deliveryMillis = delivered == 0 ? Double.NaN : (lastReceived.get() - sendStart) / 1e6;
            vertx.cancelTimer(timer);
            sender.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
            device.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
            for (Session session : sessions) {
                if (session.socket != null) {
                    session.socket.close();
                }
            }
            return new Result(before, after, opened, refused, List.copyOf(reasons), openSeconds, deliveryMillis,
                    delivered);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs
            }
        }
    }
}
