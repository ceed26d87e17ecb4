package io.imr.testkit;

import io.imr.api.strategy.Actions;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientEvent;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ReliabilityHalf;
import io.imr.api.strategy.ServerActions;
import io.imr.api.strategy.ServerEvent;
import io.imr.api.strategy.ServerReliability;

/**
 * A decorator of a strategy half of either side, written once: it sees every event in one place
 * ({@link #on}) and forwards to the half it wraps unless a subclass does otherwise. The base of the
 * test kit's observer ({@link ObservedProvider}) and of the planted bugs ({@link PlantedBug}); turned
 * into a half with {@link #client} or {@link #server}.
 *
 * @param <E> the side's events
 * @param <O> the side's actions
 */
abstract class Intercepting<E extends Event, O extends Actions<?>> implements ReliabilityHalf<E, O> {

    final ReliabilityHalf<E, O> half;

    Intercepting(ReliabilityHalf<E, O> half) {
        this.half = half;
    }

    @Override
    public void on(E event, O out) {
        half.on(event, out);
    }

    @Override
    public int held() {
        return half.held();
    }

    static ClientReliability client(Intercepting<ClientEvent, ClientActions> decorator) {
        return ClientReliability.of(decorator);
    }

    static ServerReliability server(Intercepting<ServerEvent, ServerActions> decorator) {
        return ServerReliability.of(decorator);
    }
}
