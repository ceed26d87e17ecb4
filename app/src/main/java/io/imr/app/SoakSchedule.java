package io.imr.app;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The kills of a soak, drawn from its seed alone: the same seed gives the same kills in the same order, whatever
 * the processes did in between. Each kill waits a while after the one before, picks its victim (the server one time
 * in three, else one of the clients, each as likely), keeps it down a while, and names the strategy a killed server
 * comes back with (any of the soak's, so a restart may swap strategies).
 */
final class SoakSchedule {

    /** The victim number of the server; clients are numbered from 1. */
    public static final int SERVER = 0;

    /**
     * One kill.
     *
     * @param after    how long after the kill before (or the start) it comes
     * @param victim   {@link #SERVER} or a client's number (1 and up)
     * @param down     how long the victim stays down before it is started again
     * @param strategy the strategy a killed server restarts with (drawn for every kill, used by the server's)
     */
    public record Kill(Duration after, int victim, Duration down, String strategy) {
    }

    private final SplittableRandom random;
    private final int clients;
    private final List<String> strategies;
    private final long everyMillis;
    private final String first;

    /**
     * @param seed       the soak's seed
     * @param clients    how many client processes there are (numbered 1..clients)
     * @param strategies the strategies a server may run, at least one
     * @param every      the mean time between two kills
     */
    public SoakSchedule(long seed, int clients, List<String> strategies, Duration every) {
        if (clients < 1 || strategies.isEmpty() || every.toMillis() < 1) {
            throw new IllegalArgumentException("a schedule needs a client, a strategy and a positive mean gap");
        }
        this.random = new SplittableRandom(seed);
        this.clients = clients;
        this.strategies = List.copyOf(strategies);
        this.everyMillis = every.toMillis();
        this.first = pick();
    }

    /** The strategy the first server runs. */
    public String firstStrategy() {
        return first;
    }

    /** The next kill. */
    public Kill next() {
        // Between a quarter and seven quarters of the mean gap, so kills come both in bursts and after calm.
        long after = everyMillis / 4 + random.nextLong(everyMillis * 3 / 2 + 1);
        int victim = random.nextInt(3) == 0 ? SERVER : 1 + random.nextInt(clients);
        // A client may come back at once or after a while; a server at once or within half a second (its clients
        // retry every 2 s at most, so a longer absence would only idle them).
        long down = victim == SERVER ? random.nextLong(500) : random.nextLong(1_000);
        return new Kill(Duration.ofMillis(after), victim, Duration.ofMillis(down), pick());
    }

    private String pick() {
        return strategies.get(random.nextInt(strategies.size()));
    }
}
