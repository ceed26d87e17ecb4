package io.imr.app;

import io.imr.api.frame.Welcome;
import io.imr.wire.FrameCodec;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * One thread of a frame attack: connection after connection to the server over TCP or WebSocket, each writing what
 * {@link AttackInputs} makes (after the upgrade, and a hello with a real token when the attempt says so), then reading
 * the server's answer to its end, until told to stop. Every {@code probeEvery}-th connection is a probe: one bad
 * frame, its answer checked against the one predicted. The others write a batch, end their side of the stream (so
 * that the server needs no timeout to see the end) and read what comes.
 */
final class FrameAttack implements Runnable {

    /** Where the server listens. */
    record Target(String host, int tcpPort, int wsPort) {
    }

    private final AttackInputs.Kind kind;
    private final boolean webSocket;
    private final Target target;
    private final AttackInputs inputs;
    private final FrameMutator mutator;
    private final FuzzTally tally;
    private final FuzzTally.Line line;
    private final BooleanSupplier stop;
    private final int probeEvery;
    private final String source;
    private final int answerMillis;

    /**
     * @param source the loopback address connections come from (several spread the ephemeral ports)
     * @param answer how long a connection may take to end once written
     */
    FrameAttack(AttackInputs.Kind kind, boolean webSocket, Target target, FrameMutator mutator, int batch,
                FuzzTally tally, BooleanSupplier stop, int probeEvery, String source, Duration answer) {
        this.kind = kind;
        this.webSocket = webSocket;
        this.target = target;
        this.mutator = mutator;
        this.inputs = new AttackInputs(mutator, batch);
        this.tally = tally;
        this.line = tally.line(name(kind, webSocket));
        this.stop = stop;
        this.probeEvery = probeEvery;
        this.source = source;
        this.answerMillis = (int) answer.toMillis();
    }

    static String name(AttackInputs.Kind kind, boolean webSocket) {
        return kind.label + (webSocket ? " ws" : " tcp");
    }

    @Override
    public void run() {
        long n = 0;
        while (!stop.getAsBoolean()) {
            boolean probe = n++ % probeEvery == 0;
            try {
                once(inputs.next(kind, webSocket, probe), probe);
            } catch (IOException e) {
                // Could not connect (ports of this source address used up for a moment): try again shortly.
                sleep(20);
            } catch (RuntimeException e) {
                tally.crashed(line, e);
                return;
            }
        }
    }

    private void once(AttackInputs.Attempt a, boolean probe) throws IOException {
        FrameCodec codec = mutator.codec();
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.bind(new InetSocketAddress(source, 0));
            s.connect(new InetSocketAddress(target.host(), webSocket ? target.wsPort() : target.tcpPort()), 10_000);
            s.setSoTimeout(answerMillis);
            OutputStream out = s.getOutputStream();
            InputStream in = new BufferedInputStream(s.getInputStream());
            ServerAnswer.Reader reader = new ServerAnswer.Reader(in, codec, webSocket);
            String what = line.name + (probe ? " probe" : " batch") + (a.hello() ? " after a hello" : "");
            try {
                if (webSocket) {
                    out.write(RawWebSocket.upgradeRequest(target.host(), target.wsPort(), "/imr"));
                    RawWebSocket.readUpgradeAnswer(in);
                }
                if (a.hello()) {
                    byte[] hello = mutator.helloBody();
                    out.write(webSocket ? RawWebSocket.binary(hello) : FrameMutator.withLength(hello));
                    Welcome w = reader.welcome();
                    if (w == null) {
                        tally.ended(line, reader.answer(ServerAnswer.Outcome.CLOSE, "no welcome"), probe, null, false,
                                what + " (the hello was not welcomed)");
                        s.setSoLinger(true, 0);
                        return;
                    }
                }
            } catch (IOException e) {
                // The upgrade or the hello failed: not a fuzz frame yet; counted as a connection that could not start.
                tally.ended(line, reader.answer(ServerAnswer.Outcome.RESET, "before the fuzz: " + e.getMessage()),
                        false, null, false, what);
                s.setSoLinger(true, 0);
                return;
            }
            int written = a.frames();
            try {
                out.write(a.bytes());
                out.flush();
                if (!probe) {
                    s.shutdownOutput();
                }
            } catch (IOException e) {
                // The server closed before it read all (it stops reading at the first bad frame): only the first
                // frame is sure to have been written. Its answer is still read.
                written = 1;
            }
            tally.sent(line, written);
            ServerAnswer answer = reader.toEnd();
            if (webSocket && answer.wsStatus() >= 0) {
                try {
                    out.write(RawWebSocket.frame(true, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8}));
                } catch (IOException e) {
                    // gone already
                }
            }
            tally.ended(line, answer, probe, a.expected(), a.large(), what);
            // No TIME_WAIT left behind on either side: tens of thousands of connections a minute come and go.
            s.setSoLinger(true, 0);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
