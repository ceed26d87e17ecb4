package io.imr.api.strategy;

/**
 * What every strategy half is to its driver: one routing point that takes any event of its side,
 * and one gauge. {@link ClientReliability} and {@link ServerReliability} route {@link #on} to their
 * four verbs; a decorator that watches or changes every event (a tracer, a test kit's observer) is
 * written once against this interface for both sides and turned back into a half with
 * {@link ClientReliability#of} or {@link ServerReliability#of}.
 *
 * @param <E> the side's events
 * @param <O> the side's actions
 */
public interface ReliabilityHalf<E extends Event, O extends Actions<?>> {

    /** Takes one event and puts the actions it leads to into {@code out}; drivers call this. */
    void on(E event, O out);

    /**
     * How many messages the half holds in memory for G7: on a client, those received and not
     * committed ({@link ClientReliability#buffered()}); on the server, those sent and not confirmed
     * ({@link ServerReliability#unconfirmed()}).
     */
    int held();
}
