package io.imr.strategy.hybrid;

import io.imr.api.Message;
import io.imr.api.frame.AckUpTo;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.Event;
import io.imr.strategy.support.SequencedClient;
import io.imr.strategy.support.TimerSlot;
import java.util.List;

/**
 * The device's confirmations in the {@code hybrid} strategy: one {@code AckUpTo} of the committed cursor
 * (the highest contiguous committed seq), sent only after the commit that got there returned (G5), and
 * batched: once {@code ack-every} messages were committed since the last one, or {@code ack-delay} after
 * the first of them, whichever comes first, and at once when nothing more waits to be committed (the
 * stream went idle: waiting would only delay the server's window). A message that arrives again after it
 * was committed means the server did not get the last confirmation: it is repeated at once.
 */
final class CumulativeAcks implements SequencedClient.Confirmer {

    static final String ACK_TIMER = HybridStrategyProvider.NAME + ".ack";

    private final int ackEvery;
    private final long ackDelayNanos;
    private final TimerSlot timer = new TimerSlot(ACK_TIMER);
    /** The cursor last confirmed in this session. */
    private long acked;

    CumulativeAcks(HybridConfig config) {
        this.ackEvery = config.ackEvery();
        this.ackDelayNanos = config.ackDelay().toNanos();
    }

    @Override
    public void committed(List<Message> batch, SequencedClient.View view, long now, ClientActions out) {
        if (!view.connected()) {
            return; // the next session's hello carries the cursor
        }
        if (view.committed() - acked >= ackEvery || view.idle()) {
            send(view, out);
        } else if (view.committed() > acked) {
            timer.armIfIdle(now + ackDelayNanos, now, out);
        }
    }

    @Override
    public void committedAgain(List<Message> duplicates, SequencedClient.View view, long now, ClientActions out) {
        if (view.connected() && view.committed() > 0) {
            send(view, out);
        }
    }

    @Override
    public void connected(SequencedClient.View view, long now, ClientActions out) {
        acked = view.committed(); // the hello said so
        timer.cancel(out);
    }

    @Override
    public void disconnected(ClientActions out) {
        timer.cancel(out);
    }

    @Override
    public boolean timerFired(Event.TimerFired fired, SequencedClient.View view, ClientActions out) {
        if (!timer.fired(fired)) {
            return false;
        }
        if (view.connected() && view.committed() > acked) {
            send(view, out);
        }
        return true;
    }

    private void send(SequencedClient.View view, ClientActions out) {
        out.send(new AckUpTo(view.epoch(), view.committed()));
        acked = view.committed();
        timer.cancel(out);
    }
}
