package io.imr.strategy.ack;

import io.imr.api.strategy.Event;
import io.imr.api.strategy.ServerActions;
import io.imr.api.strategy.ServerEvent;
import io.imr.api.strategy.ServerReliability;
import io.imr.strategy.support.WindowedServer;
import java.time.Duration;

/**
 * The server's half of the {@code ack} strategy, for one device: the {@link WindowedServer} (see there)
 * with acks by id, and the window refilled from the inbox as acks drain it, so a device behind by more
 * than the window is brought up to date by pushes, paced by its acks.
 */
final class AckServer implements ServerReliability {

    static final String RETRANSMIT_TIMER = AckStrategyProvider.NAME + ".retransmit";
    static final String NOTIFY_TIMER = AckStrategyProvider.NAME + ".notify";

    private final WindowedServer server;

    AckServer(AckConfig config) {
        this.server = new WindowedServer(new WindowedServer.Settings(AckStrategyProvider.NAME, config.window(),
                config.windowBytes(), config.retransmitInitial(), config.retransmitMax(),
                Duration.ofNanos(AckConfig.NOTIFY_INTERVAL_NANOS), AckConfig.MAX_PULL_READS, true, true));
    }

    @Override
    public void receive(ServerEvent.Receive event, ServerActions out) {
        server.receive(event, out);
    }

    @Override
    public void persist(Event.ReadyToPersist event, ServerActions out) {
        server.persist(event, out);
    }

    @Override
    public void confirm(Event.CommitDone event, ServerActions out) {
        server.confirm(event, out);
    }

    @Override
    public void recover(ServerEvent.Recover event, ServerActions out) {
        server.recover(event, out);
    }

    @Override
    public int unconfirmed() {
        return server.unconfirmed();
    }
}
