package io.imr.engine;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import java.util.ArrayList;
import java.util.List;

/** A connection as the engine sees it, recording what it was told. */
final class FakeChannel implements FrameChannel {
    final List<Frame> sent = new ArrayList<>();
    ErrorFrame closedWith;
    boolean closed;
    /** The peer's address this connection says it has. */
    String host = "";

    @Override
    public String peerHost() {
        return host;
    }

    @Override
    public void send(Frame frame) {
        if (!closed) {
            sent.add(frame);
        }
    }

    @Override
    public void close(ErrorFrame error) {
        if (!closed) {
            closed = true;
            closedWith = error;
        }
    }

    /** Times the engine asked this connection to stop being read, and how many such asks are in force now. */
    int pauses;
    int paused;

    @Override
    public void pauseReading() {
        pauses++;
        paused++;
    }

    @Override
    public void resumeReading() {
        paused--;
    }

    @Override
    public String describe() {
        return "fake";
    }

    /** The frames of one type sent so far, in order. */
    <T extends Frame> List<T> sent(Class<T> type) {
        return sent.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
