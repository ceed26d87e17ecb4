package io.imr.app;

import io.imr.api.frame.Ping;
import io.imr.api.frame.Pull;
import io.imr.wire.FrameCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * Clients that never read: each says hello with a real token, leaves the welcome unread for a second, and then writes
 * pulls and pings as fast as the socket takes them, without ever reading a byte of what the server answers (its
 * receive buffer is kept small). The server
 * must stop reading such a peer (back-pressure) and close it, by the liveness check or as a slow consumer, without
 * its memory growing with what it cannot deliver. One thread each; a closed one is replaced by a new connection
 * until told to stop.
 */
final class NeverReaders {

    /** How one connection ended: held this long, with this many bytes written, closed by the server or by us. */
    record Ended(boolean webSocket, double heldSeconds, long bytesWritten, boolean closedByServer) {
    }

    /** How long a client waits after its hello, reading nothing, before it writes its pulls and pings. */
    static final long HELLO_WAIT_MILLIS = 1_000;

    private final FrameAttack.Target target;
    private final java.util.function.IntFunction<FrameMutator> mutators;
    private final List<Ended> ended = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final String source;

    /**
     * @param mutators the mutator of each client, by index: each says hello as a device of its own (hellos of one
     *                 device would replace each other's session)
     */
    NeverReaders(FrameAttack.Target target, java.util.function.IntFunction<FrameMutator> mutators, String source) {
        this.target = target;
        this.mutators = mutators;
        this.source = source;
    }

    /**
     * Starts {@code count} of them over each transport.
     *
     * @param stop   whether to open no new connection
     * @param giveUp whether to close the open ones ourselves (the server did not in time)
     */
    void start(int count, BooleanSupplier stop, BooleanSupplier giveUp) {
        FrameCodec codec = mutators.apply(0).codec();
        ByteArrayOutputStream tcp = new ByteArrayOutputStream();
        ByteArrayOutputStream ws = new ByteArrayOutputStream();
        for (int i = 0; i < 64; i++) {
            byte[] pull = codec.encode(new Pull(1, 4096, 0));
            byte[] ping = codec.encode(new Ping(i));
            tcp.writeBytes(FrameMutator.withLength(pull));
            tcp.writeBytes(FrameMutator.withLength(ping));
            ws.writeBytes(RawWebSocket.binary(pull));
            ws.writeBytes(RawWebSocket.binary(ping));
        }
        for (int i = 0; i < 2 * count; i++) {
            boolean webSocket = i % 2 == 1;
            byte[] loop = webSocket ? ws.toByteArray() : tcp.toByteArray();
            byte[] hello = mutators.apply(i).helloBody();
            byte[] first = webSocket ? RawWebSocket.binary(hello) : FrameMutator.withLength(hello);
            Thread t = new Thread(() -> {
                while (!stop.getAsBoolean()) {
                    Ended e = once(webSocket, first, loop, giveUp);
                    ended.add(e);
                    if (e.heldSeconds() < 0.5) {
                        try {
                            Thread.sleep(200); // could not connect: not in a tight loop
                        } catch (InterruptedException x) {
                            return;
                        }
                    }
                }
            }, "fuzz-never-reader-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private Ended once(boolean webSocket, byte[] hello, byte[] loop, BooleanSupplier giveUp) {
        long t0 = System.nanoTime();
        long written = 0;
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.bind(new InetSocketAddress(source, 0));
            s.connect(new InetSocketAddress(target.host(), webSocket ? target.wsPort() : target.tcpPort()), 10_000);
            OutputStream out = s.getOutputStream();
            if (webSocket) {
                out.write(RawWebSocket.upgradeRequest(target.host(), target.wsPort(), "/imr"));
                // The upgrade's answer is the one thing read: a WebSocket exists only after it.
                RawWebSocket.readUpgradeAnswer(s.getInputStream());
            }
            out.write(hello);
            written += hello.length;
            // A device waits for its welcome before it sends more (a frame before it is refused, and the connection
            // closed at once); this one lets the welcome sit unread, then never reads again.
            Thread.sleep(HELLO_WAIT_MILLIS);
            // A watchdog: a write blocked on a full socket returns only when the server closes it, or we do.
            Thread self = Thread.currentThread();
            Thread watchdog = new Thread(() -> {
                while (!s.isClosed()) {
                    if (giveUp.getAsBoolean()) {
                        try {
                            s.setSoLinger(true, 0);
                            s.close();
                        } catch (IOException e) {
                            // closed
                        }
                        return;
                    }
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, self.getName() + "-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            try {
                while (true) {
                    out.write(loop);
                    written += loop.length;
                }
            } catch (IOException e) {
                boolean byServer = !s.isClosed();
                watchdog.interrupt();
                if (byServer) {
                    s.setSoLinger(true, 0);
                }
                return new Ended(webSocket, (System.nanoTime() - t0) / 1e9, written, byServer);
            }
        } catch (IOException e) {
            return new Ended(webSocket, (System.nanoTime() - t0) / 1e9, written, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Ended(webSocket, (System.nanoTime() - t0) / 1e9, written, false);
        }
    }

    /** Waits for every thread to end. */
    void join() throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
    }

    List<Ended> ended() {
        return List.copyOf(ended);
    }
}
