package io.imr.embed;

import io.imr.api.Message;
import io.imr.engine.MessageListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A listener that records what it was handed, and lets a test wait for a number of messages. */
final class Recorder implements MessageListener {

    private final List<Message> seen = new ArrayList<>();
    private final CountDownLatch latch;
    private final String threadPrefix = "imr-client-";
    private volatile String wrongThread;

    Recorder(int expected) {
        this.latch = new CountDownLatch(expected);
    }

    @Override
    public synchronized void onMessage(Message m) {
        String t = Thread.currentThread().getName();
        if (!t.startsWith(threadPrefix) || !t.endsWith("-listener")) {
            wrongThread = t;
        }
        seen.add(m);
        latch.countDown();
    }

    boolean await(int seconds) throws InterruptedException {
        return latch.await(seconds, TimeUnit.SECONDS);
    }

    synchronized List<Message> seen() {
        return new ArrayList<>(seen);
    }

    String wrongThread() {
        return wrongThread;
    }
}
