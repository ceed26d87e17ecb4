package io.imr.testkit;

import io.imr.api.Message;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Notify;
import io.imr.api.frame.Pull;
import io.imr.api.frame.PullResult;
import io.imr.api.frame.Send;
import io.imr.engine.ClientConnector;
import io.imr.engine.ConnectionHandler;
import io.imr.engine.FrameChannel;
import io.imr.wire.FrameCodec;
import io.imr.wire.ProtocolException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The in-memory network between devices and the server. Every frame is encoded with the real
 * {@link FrameCodec} and decoded on arrival, so a corrupted frame is real bytes with a bit flipped:
 * the receiving side answers it as the Vert.x transport does (an error frame, then close; the frame
 * never reaches the engine). Faults are drawn from the simulation's one random source.
 *
 * <p>A link is FIFO per direction unless a fault says otherwise (a reordered frame is overtaken; a
 * delayed one holds up those behind it). Deliveries run as tasks of the receiving process's
 * {@link Life}, so nothing reaches a crashed process.
 */
final class SimNetwork {

    private static final long LATENCY_MIN = 500_000;
    private static final long LATENCY_MAX = 5_000_000;

    private final VirtualScheduler scheduler;
    private final FrameCodec codec = new FrameCodec();
    private final Checks checks;
    private final Recorder recorder;
    private final List<Link> links = new ArrayList<>();
    private FaultProfile faults;
    private Function<FrameChannel, ConnectionHandler> server;
    private Life serverLife;

    SimNetwork(VirtualScheduler scheduler, FaultProfile faults, Checks checks, Recorder recorder) {
        this.scheduler = scheduler;
        this.faults = faults;
        this.checks = checks;
        this.recorder = recorder;
    }

    /** From now on, no more faults (the convergence phase). Links already half-open stay so. */
    void heal() {
        faults = new FaultProfile("healed", java.util.Map.of());
    }

    /** The server accepts connections with this function, in this life. */
    void serverUp(Life life, Function<FrameChannel, ConnectionHandler> accept) {
        this.serverLife = life;
        this.server = accept;
    }

    /**
     * The server process died: its ends are gone; each peer hears a reset or, as after a power cut,
     * nothing at all (its heartbeats must notice).
     */
    void serverDown() {
        server = null;
        for (Link l : new ArrayList<>(links)) {
            l.processDied(l.serverEnd);
        }
    }

    /** A device process died: as {@link #serverDown()}, for its links. */
    void deviceDown(String device) {
        for (Link l : new ArrayList<>(links)) {
            if (l.device.equals(device)) {
                l.processDied(l.clientEnd);
            }
        }
    }

    /** Opens connections to the server for one incarnation of a device. */
    ClientConnector connector(String device, Life life) {
        return new ClientConnector() {
            @Override
            public void connect(Attempt attempt) {
                scheduler.schedule(latency(), life, () -> open(device, life, attempt));
            }

            @Override
            public String describe() {
                return "sim://server";
            }
        };
    }

    private long latency() {
        return scheduler.between(LATENCY_MIN, LATENCY_MAX);
    }

    private void open(String device, Life life, ClientConnector.Attempt attempt) {
        if (server == null) {
            recorder.event(device, "connect refused: server down");
            attempt.failed(new IOException("connection refused (server down)"));
            return;
        }
        Link link = new Link(device);
        link.clientEnd = new End(link, life, true);
        link.serverEnd = new End(link, serverLife, false);
        links.add(link);
        recorder.event(device, "connected, link " + link.id);
        link.serverEnd.handler = server.apply(link.serverEnd);
        link.clientEnd.handler = attempt.connected(link.clientEnd);
    }

    private int nextLinkId;

    /** One connection: two ends, two directions. */
    final class Link {
        final int id = ++nextLinkId;
        final String device;
        End clientEnd;
        End serverEnd;

        Link(String device) {
            this.device = device;
        }

        void processDied(End dead) {
            links.remove(this);
            dead.gone = true;
            End peer = dead == clientEnd ? serverEnd : clientEnd;
            if (scheduler.random().nextBoolean()) {
                recorder.event(device, "link " + id + " reset by the crash");
                peer.closeArrives(latency(), "connection reset");
            } else {
                recorder.event(device, "link " + id + " left half-open by the crash");
                dead.outDead = true;
                peer.outDead = true;
            }
        }

        void reset() {
            links.remove(this);
            recorder.event(device, "link " + id + " RESET (injected)");
            clientEnd.outDead = true;
            serverEnd.outDead = true;
            clientEnd.closeArrives(latency(), "connection reset");
            serverEnd.closeArrives(latency(), "connection reset");
        }
    }

    /** One side of a link, as the engine on that side sees it. */
    final class End implements FrameChannel {
        final Link link;
        final Life life;
        final boolean client;
        ConnectionHandler handler;
        /** Closed by this side: sends nothing more. */
        boolean closed;
        /** The close was reported to this side's engine. */
        boolean reported;
        /** This side's process died. */
        boolean gone;
        /** Frames (and the close) sent from this side silently vanish: half-open, or after a reset. */
        boolean outDead;
        /** When the last frame from this side arrives at the peer: FIFO unless a fault reorders. */
        long lastArrival;

        End(Link link, Life life, boolean client) {
            this.link = link;
            this.life = life;
            this.client = client;
        }

        End peer() {
            return client ? link.serverEnd : link.clientEnd;
        }

        String who() {
            return client ? link.device : "server";
        }

        @Override
        public void send(Frame frame) {
            if (closed || gone) {
                return;
            }
            if (client) {
                checks.deviceSends(link.device, link.id, frame);
            } else {
                checks.serverSends(link.device, frame);
            }
            transmit(frame);
        }

        private void transmit(Frame frame) {
            Frame f = frame;
            if (!client && scheduler.chance(faults.rate(FaultProfile.CORRUPT_PAYLOAD))) {
                f = corruptPayload(f);
            }
            byte[] bytes = codec.encode(f);
            count(f, bytes.length);
            recorder.event(who() + ">", f);
            if (outDead) {
                return;
            }
            if (scheduler.chance(faults.rate(FaultProfile.RESET))) {
                link.reset();
                return;
            }
            if (scheduler.chance(faults.rate(FaultProfile.HALF_OPEN))) {
                int which = scheduler.random().nextInt(3);
                recorder.event(who(), "link " + link.id + " goes HALF-OPEN (" + (which == 0 ? "both ways"
                        : which == 1 ? "from " + who() : "to " + who()) + ")");
                if (which != 2) {
                    outDead = true;
                }
                if (which != 1) {
                    peer().outDead = true;
                }
                if (outDead) {
                    return;
                }
            }
            if (scheduler.chance(faults.rate(FaultProfile.LOSS))) {
                recorder.event(who(), "  frame LOST");
                return;
            }
            if (scheduler.chance(faults.rate(FaultProfile.CORRUPT))) {
                bytes = bytes.clone();
                int bit = scheduler.random().nextInt(bytes.length * 8);
                bytes[bit / 8] ^= (byte) (1 << (bit % 8));
                recorder.event(who(), "  frame CORRUPTED at bit " + bit);
            }
            long arrival = scheduler.now() + latency();
            if (scheduler.chance(faults.rate(FaultProfile.DELAY))) {
                arrival += scheduler.between(100_000_000, 2_000_000_000);
                recorder.event(who(), "  frame DELAYED");
            }
            if (scheduler.chance(faults.rate(FaultProfile.REORDER))) {
                // Overtaken by what follows: later frames do not wait for it.
                arrival += scheduler.between(5_000_000, 200_000_000);
                recorder.event(who(), "  frame REORDERED");
            } else {
                arrival = Math.max(arrival, lastArrival);
                lastArrival = arrival;
            }
            deliverAt(arrival, bytes);
            if (scheduler.chance(faults.rate(FaultProfile.DUPLICATE))) {
                recorder.event(who(), "  frame DUPLICATED");
                deliverAt(arrival + scheduler.between(0, 50_000_000), bytes);
            }
        }

        private void deliverAt(long arrival, byte[] bytes) {
            End to = peer();
            scheduler.schedule(arrival - scheduler.now(), to.life, () -> to.arrive(bytes));
        }

        /** Bytes from the peer. */
        void arrive(byte[] bytes) {
            if (reported || gone || handler == null) {
                return;
            }
            Frame frame;
            try {
                frame = codec.decode(bytes);
            } catch (ProtocolException e) {
                recorder.event(who(), "bad frame, answering with an error and closing: " + e.getMessage());
                close(e.toErrorFrame());
                report("bad frame: " + e.getMessage());
                return;
            }
            if (client && frame instanceof PullResult r) {
                checks.pullAnswered(link.device, link.id, r.fromSeq());
            }
            handler.onFrame(frame);
        }

        @Override
        public void close(ErrorFrame error) {
            if (closed || gone) {
                return;
            }
            if (error != null) {
                transmit(error);
            }
            closed = true;
            recorder.event(who(), "closes link " + link.id);
            links.remove(link);
            if (!outDead) {
                peer().closeArrives(Math.max(scheduler.now() + latency(), lastArrival) - scheduler.now(), "closed by peer");
            }
            // As the Vert.x transport does: a close this side asked for is reported to this side too.
            scheduler.schedule(0, life, () -> report("closed"));
        }

        void closeArrives(long delay, String reason) {
            scheduler.schedule(delay, life, () -> report(reason));
        }

        private void report(String reason) {
            if (reported || gone || handler == null) {
                return;
            }
            reported = true;
            closed = true;
            handler.onClosed(reason);
        }

        @Override
        public String describe() {
            return "sim link " + link.id + " (" + link.device + ")";
        }

        private void count(Frame f, int bytes) {
            long payload = 0;
            if (f instanceof Deliver d) {
                for (Message m : d.messages()) {
                    payload += m.payload().length;
                }
            } else if (f instanceof PullResult p) {
                for (Message m : p.messages()) {
                    payload += m.payload().length;
                }
            } else if (f instanceof Send s) {
                for (Send.Item item : s.items()) {
                    payload += item.payload().length;
                }
            } else if (f instanceof Pull) {
                recorder.pulls++;
            }
            if (f instanceof Ack || f instanceof AckUpTo || f instanceof Pull || f instanceof Notify) {
                recorder.confirmationBytes += bytes;
            }
            recorder.payloadBytes += payload;
            recorder.controlBytes += bytes - payload;
        }
    }

    /** One message's payload changed behind the frame CRC, its checksum kept: only the end-to-end check sees it. */
    private Frame corruptPayload(Frame f) {
        List<Message> ms;
        if (f instanceof Deliver d) {
            ms = d.messages();
        } else if (f instanceof PullResult p && !p.messages().isEmpty()) {
            ms = p.messages();
        } else {
            return f;
        }
        int i = scheduler.random().nextInt(ms.size());
        Message m = ms.get(i);
        byte[] payload = m.payload().clone();
        if (payload.length == 0) {
            return f;
        }
        payload[scheduler.random().nextInt(payload.length)] ^= 0x5a;
        List<Message> changed = new ArrayList<>(ms);
        changed.set(i, new Message(m.id(), m.sender(), m.clientId(), m.recipient(), m.seq(), m.epoch(),
                m.serverTimeMillis(), payload, m.payloadChecksum()));
        recorder.event("server", "  payload of " + m.id() + " CORRUPTED behind the frame CRC");
        return f instanceof Deliver d ? new Deliver(changed, d.maxSeq())
                : new PullResult(((PullResult) f).fromSeq(), changed, ((PullResult) f).maxSeq(), ((PullResult) f).epoch());
    }
}
