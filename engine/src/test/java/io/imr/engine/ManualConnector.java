package io.imr.engine;

import java.util.ArrayList;
import java.util.List;

/** A connector for engine tests: each attempt waits until the test opens or fails it. */
final class ManualConnector implements ClientConnector {

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
    ConnectionHandler open(FakeChannel channel) {
        return attempts.get(attempts.size() - 1).connected(channel);
    }

    void failLatest(String why) {
        attempts.get(attempts.size() - 1).failed(new java.io.IOException(why));
    }
}
