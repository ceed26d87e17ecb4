package io.imr.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.Checksums;
import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Ping;
import io.imr.api.frame.Send;
import io.imr.api.frame.SendAck;
import io.imr.engine.ConnectionHandler;
import io.imr.engine.FrameChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The engine's inbound gate: connections stop being read while the engine has too much of their work")
class InboundGateTest {

    /** A transport's channel that records what it was asked: the nesting count of pauses, and frames sent. */
    private static final class Channel implements FrameChannel {
        int pauses;
        int maxPauses;
        final List<Frame> sent = new ArrayList<>();

        @Override
        public void send(Frame frame) {
            sent.add(frame);
        }

        @Override
        public void close(ErrorFrame error) {
        }

        @Override
        public String describe() {
            return "test channel";
        }

        @Override
        public void pauseReading() {
            pauses++;
            maxPauses = Math.max(maxPauses, pauses);
        }

        @Override
        public void resumeReading() {
            pauses--;
            assertThat(pauses).as("resumes never outnumber pauses").isGreaterThanOrEqualTo(0);
        }

        boolean reading() {
            return pauses == 0;
        }
    }

    private final QueueRuntime runtime = new QueueRuntime();
    private final List<Frame> processed = new ArrayList<>();
    private final List<String> closes = new ArrayList<>();

    private ConnectionHandler handler(InboundGate.Gated g) {
        return g.handler(processed::add, closes::add);
    }

    private static Send send(int i) {
        byte[] p = ("m" + i).getBytes();
        return Send.of("c", i + 1, "bob", p, Checksums.crc32c(p));
    }

    @Test
    @DisplayName("a connection stops being read at its high-water mark and is read again at its low-water mark")
    void connectionMarks() {
        InboundGate gate = new InboundGate(runtime, new InboundGate.Limits(4, 1, 100, 50, 100, 50));
        Channel c = new Channel();
        InboundGate.Gated g = gate.open(c);
        ConnectionHandler h = handler(g);
        for (int i = 0; i < 3; i++) {
            h.onFrame(new Ping(i));
        }
        assertThat(c.reading()).isTrue();
        h.onFrame(new Ping(3));
        assertThat(c.reading()).as("4 frames wait for the engine").isFalse();
        assertThat(g.frames()).isEqualTo(4);
        assertThat(gate.pending()).isEqualTo(4);
        assertThat(gate.pausedConnections()).isEqualTo(1);
        h.onFrame(new Ping(4)); // one the transport had read already
        assertThat(c.maxPauses).as("paused once, not once per frame").isEqualTo(1);
        runtime.run(3);
        assertThat(c.reading()).as("2 still wait, above the low-water mark of 1").isFalse();
        runtime.run(1);
        assertThat(c.reading()).isTrue();
        assertThat(gate.pausedConnections()).isZero();
        runtime.run(1);
        assertThat(processed).hasSize(5).allMatch(f -> f instanceof Ping);
        assertThat(gate.pending()).isZero();
        assertThat(gate.pauses()).isEqualTo(1);
    }

    @Test
    @DisplayName("a sender that does not wait for its send-acks stops being read until the engine answered enough of its sends")
    void unansweredSends() {
        InboundGate gate = new InboundGate(runtime, new InboundGate.Limits(1000, 10, 1000, 10, 3, 1));
        Channel c = new Channel();
        InboundGate.Gated g = gate.open(c);
        ConnectionHandler h = handler(g);
        for (int i = 0; i < 3; i++) {
            h.onFrame(send(i));
        }
        runtime.run(3);
        assertThat(g.frames()).as("the engine took every frame").isZero();
        assertThat(c.reading()).as("but has not answered any of the 3 sends").isFalse();
        g.channel().send(SendAck.of("c", 1, 1, 1));
        assertThat(c.reading()).isFalse();
        g.channel().send(new ErrorFrame(ErrorFrame.Code.SEND_REFUSED, "no such user", "c-1"));
        assertThat(c.reading()).as("a refusal answers a send too").isTrue();
        assertThat(g.unansweredSends()).isEqualTo(1);
        g.channel().send(new ErrorFrame(ErrorFrame.Code.UNAVAILABLE, "bye"));
        assertThat(g.unansweredSends()).as("other error frames answer no send").isEqualTo(1);
        assertThat(c.sent).hasSize(3);
    }

    @Test
    @DisplayName("counts each item of a batch as a send, and a send-ack answers as many as its runs cover")
    void batchesCountPerItem() {
        InboundGate gate = new InboundGate(runtime, new InboundGate.Limits(1000, 10, 1000, 10, 8, 2));
        Channel c = new Channel();
        InboundGate.Gated g = gate.open(c);
        ConnectionHandler h = handler(g);
        List<Send.Item> items = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            items.add(new Send.Item(i, "bob", new byte[0], 0));
        }
        h.onFrame(new Send("c", items));
        runtime.run(1);
        assertThat(g.unansweredSends()).isEqualTo(8);
        assertThat(c.reading()).as("eight sends in one frame reach the mark of 8").isFalse();
        g.channel().send(new SendAck("c", List.of(new SendAck.Run(1, 3, 1, 1), new SendAck.Run(4, 2, 9, 1))));
        assertThat(g.unansweredSends()).isEqualTo(3);
        assertThat(c.reading()).as("3 still above the low-water mark of 2").isFalse();
        g.channel().send(new SendAck("c", List.of(new SendAck.Run(6, 3, 20, 1))));
        assertThat(g.unansweredSends()).isZero();
        assertThat(c.reading()).isTrue();
    }

    @Test
    @DisplayName("the engine's own mark pauses every connection that brings more, and all are read again at its low mark")
    void engineMarks() {
        InboundGate gate = new InboundGate(runtime, new InboundGate.Limits(100, 50, 4, 2, 100, 50));
        Channel a = new Channel();
        Channel b = new Channel();
        ConnectionHandler ha = handler(gate.open(a));
        ConnectionHandler hb = handler(gate.open(b));
        ha.onFrame(new Ping(1));
        hb.onFrame(new Ping(2));
        ha.onFrame(new Ping(3));
        assertThat(a.reading() && b.reading()).isTrue();
        hb.onFrame(new Ping(4));
        assertThat(b.reading()).as("b brought the 4th frame").isFalse();
        ha.onFrame(new Ping(5));
        assertThat(a.reading()).isFalse();
        assertThat(gate.pausedConnections()).isEqualTo(2);
        runtime.run(2);
        assertThat(a.reading() || b.reading()).as("3 frames still wait, above 2").isFalse();
        runtime.run(1);
        assertThat(a.reading() && b.reading()).as("2 frames wait: both are read again").isTrue();
        assertThat(gate.pausedConnections()).isZero();
    }

    @Test
    @DisplayName("a closed connection leaves the paused set, its queued frames still run, and the close comes after them")
    void close() {
        InboundGate gate = new InboundGate(runtime, new InboundGate.Limits(2, 1, 100, 50, 100, 50));
        Channel c = new Channel();
        ConnectionHandler h = handler(gate.open(c));
        h.onFrame(new Ping(1));
        h.onFrame(new Ping(2));
        h.onClosed("gone");
        assertThat(gate.pausedConnections()).isEqualTo(1);
        runtime.run(3);
        assertThat(processed).hasSize(2);
        assertThat(closes).containsExactly("gone");
        assertThat(gate.pausedConnections()).isZero();
        assertThat(gate.pending()).isZero();
    }

    @Test
    @DisplayName("marks that make no sense are refused, naming them")
    void badLimits() {
        assertThatThrownBy(() -> new InboundGate.Limits(4, 4, 100, 50, 100, 50))
                .hasMessageContaining("connection water marks must be 0 <= low < high");
        assertThatThrownBy(() -> new InboundGate.Limits(4, 1, 100, -1, 100, 50))
                .hasMessageContaining("engine water marks");
        assertThatThrownBy(() -> new InboundGate(null, InboundGate.Limits.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("makes its marks from the engines' three high-water options, each low one a quarter, as the defaults")
    void quarters() {
        assertThat(InboundGate.Limits.quarters(1024, 32_768, 4096)).isEqualTo(InboundGate.Limits.DEFAULT);
        assertThat(InboundGate.Limits.quarters(4, 7, 100)).isEqualTo(new InboundGate.Limits(4, 1, 7, 1, 100, 25));
    }
}
