package io.imr.strategy.ack;

import io.imr.api.strategy.ServerReliability;
import io.imr.strategy.support.WindowedServer;
import java.time.Duration;

/**
 * The server's half of the {@code ack} strategy, for one device: the {@link WindowedServer} (see there)
 * with acks by id, and the window refilled from the inbox as acks drain it, so a device behind by more
 * than the window is brought up to date by pushes, paced by its acks.
 */
final class AckServer {

    static final String RETRANSMIT_TIMER = AckStrategyProvider.NAME + ".retransmit";
    static final String NOTIFY_TIMER = AckStrategyProvider.NAME + ".notify";

    private AckServer() {
    }

    /** A new server half with these settings. */
    static ServerReliability create(AckConfig config) {
        return new WindowedServer(new WindowedServer.Settings(AckStrategyProvider.NAME, config.window(),
                config.windowBytes(), config.retransmitInitial(), config.retransmitMax(),
                Duration.ofNanos(AckConfig.NOTIFY_INTERVAL_NANOS), AckConfig.MAX_PULL_READS, true, true));
    }
}
