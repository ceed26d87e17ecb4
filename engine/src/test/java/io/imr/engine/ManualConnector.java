package io.imr.engine;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import java.util.ArrayList;
import java.util.List;

/** A connector for engine tests: each attempt waits until the test opens or fails it. */
final class ManualConnector implements ClientConnector {

    /** One connection as the engine sees it, recording what it was told. */
    static final class Channel implements FrameChannel {
        final List<Frame> sent = new ArrayList<>();
        ErrorFrame closedWith;
        boolean closed;

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

        @Override
        public String describe() {
            return "manual";
        }

        <T extends Frame> List<T> sent(Class<T> type) {
            return sent.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    final List<Attempt> attempts = new ArrayList<>();

    @Override
    public void connect(Attempt attempt) {
        attempts.add(attempt);
    }

    @Override
    public String describe() {
        return "manual connector";
    }

    /** Opens the latest attempt; the returned handler takes the server's frames. */
    ConnectionHandler open(Channel channel) {
        return attempts.get(attempts.size() - 1).connected(channel);
    }

    void failLatest(String why) {
        attempts.get(attempts.size() - 1).failed(new java.io.IOException(why));
    }
}
