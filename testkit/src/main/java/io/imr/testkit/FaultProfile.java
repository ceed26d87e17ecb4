package io.imr.testkit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The faults of a simulation (section 3 of the specification), as named rates. Frame faults are
 * probabilities per frame sent; crash rates are expected crashes per process per virtual minute;
 * {@code commit-fail} is a probability per store commit. Immutable.
 *
 * <ul>
 *   <li>{@code loss}, {@code duplicate}, {@code reorder}, {@code delay}: a frame is dropped, delivered
 *       twice, overtaken by the frames after it, or held up (with the frames behind it) for up to 2 s;</li>
 *   <li>{@code corrupt}: a bit of the encoded frame flips (the frame CRC catches it: the receiver answers
 *       with an error frame and closes); {@code corrupt-payload}: a message's payload changes behind the
 *       frame CRC on its way to a device (the end-to-end checksum must catch it, G4);</li>
 *   <li>{@code reset}: the connection the frame travels on is reset; {@code half-open}: it silently stops
 *       delivering in one or both directions, and no close ever arrives (only heartbeats notice);</li>
 *   <li>{@code client-crash}, {@code server-crash}: {@code kill -9} of a device or of the server at any
 *       step, then a restart from its store after up to 5 s;</li>
 *   <li>{@code server-swap}: {@code kill -9} of the server, then a restart over the same data with another
 *       strategy of the world (devices offer every strategy; nothing may be lost or repeated across it);</li>
 *   <li>{@code logout}: a device's application closes its client (bye) and starts it again up to 3 s later;</li>
 *   <li>{@code commit-fail}: a store commit fails as on a full disk: nothing of it is stored;</li>
 *   <li>{@code forged-cursor}: a device of a receiving user that nobody else knows (restored from an old backup,
 *       buggy or hostile) says hello with a cursor the server cannot account for: beyond its max seq, or naming
 *       another message; the user's sequence and the other devices must not notice (G10);</li>
 *   <li>{@code stale-hello}: a hello a device sent in an earlier start (in flight from a crashed copy) reaches the
 *       server late, on a connection of its own; it must never replace the session of a later start (bug 6);</li>
 *   <li>{@code server-restore}: the server's data folder is copied (a backup) at one event, and at the next the
 *       server is killed and the copy put back in place before it restarts: what it stored after the copy is
 *       gone from it, and devices that have it must keep it, store nothing twice and skip nothing (G10). After the
 *       faults a device that never ran joins and must receive everything the server holds.</li>
 *   <li>{@code clock-jump}: the wall clock of the server or of a device jumps forward or back, by a second to three
 *       days (within ten days of the true time all told; tokens are valid for thirty): timers, backoffs, resends and
 *       heartbeats run on the monotonic clock and must not notice, and token expiry is checked against the wall
 *       clock, so a valid token stays valid across a jump back and forth.</li>
 *   <li>{@code away}: a device is switched off (kill -9) for longer than the server's {@code retire-after}, so
 *       that retention retires it and trims what it did not get once it is old enough; when it comes back it must
 *       be told exactly which range expired, record it with its position, and get everything after it: every
 *       message missing from a device lies in a range it recorded as expired, and every such range was trimmed
 *       by the server (never a silent gap). Retention runs in every profile: inboxes are trimmed below what
 *       every device confirmed.</li>
 *   <li>{@code rate-limit}: not a rate but a limit: the server takes at most this many messages and pulls a second
 *       from each device (its {@code send-rate} and {@code pull-rate}, bursts of one), answering the rest
 *       {@code RATE_LIMITED} (sends) or late (pulls); a device must keep what was limited in its outbox and send
 *       it again once told, and nothing may be lost, repeated or reordered for it; 0 for none.</li>
 * </ul>
 * Those five are per virtual minute, as the crashes; {@code rate-limit} is a number a second, up to 60.
 *
 * @param name  the profile's name, for reports
 * @param rates every fault's rate, by name; missing faults are 0
 */
public record FaultProfile(String name, Map<String, Double> rates) {

    public static final String LOSS = "loss";
    public static final String DUPLICATE = "duplicate";
    public static final String REORDER = "reorder";
    public static final String DELAY = "delay";
    public static final String CORRUPT = "corrupt";
    public static final String CORRUPT_PAYLOAD = "corrupt-payload";
    public static final String RESET = "reset";
    public static final String HALF_OPEN = "half-open";
    public static final String CLIENT_CRASH = "client-crash";
    public static final String SERVER_CRASH = "server-crash";
    public static final String SERVER_SWAP = "server-swap";
    public static final String LOGOUT = "logout";
    public static final String COMMIT_FAIL = "commit-fail";
    public static final String FORGED_CURSOR = "forged-cursor";
    public static final String STALE_HELLO = "stale-hello";
    public static final String SERVER_RESTORE = "server-restore";
    public static final String CLOCK_JUMP = "clock-jump";
    public static final String AWAY = "away";
    public static final String RATE_LIMIT = "rate-limit";

    /** Every fault name, in the order reports show them. */
    public static final List<String> FAULTS = List.of(LOSS, DUPLICATE, REORDER, DELAY, CORRUPT, CORRUPT_PAYLOAD,
            RESET, HALF_OPEN, CLIENT_CRASH, SERVER_CRASH, SERVER_SWAP, LOGOUT, COMMIT_FAIL, FORGED_CURSOR, STALE_HELLO,
            SERVER_RESTORE, CLOCK_JUMP, AWAY, RATE_LIMIT);

    private static final Map<String, FaultProfile> NAMED = named();

    public FaultProfile {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a fault profile needs a name");
        }
        Map<String, Double> copy = new TreeMap<>();
        rates.forEach((fault, rate) -> {
            check(fault, rate);
            copy.put(fault, rate);
        });
        rates = Map.copyOf(copy);
    }

    private static void check(String fault, Double rate) {
        if (!FAULTS.contains(fault)) {
            throw new IllegalArgumentException("unknown fault \"" + fault + "\"; faults: " + String.join(", ", FAULTS));
        }
        boolean perMinute = fault.equals(CLIENT_CRASH) || fault.equals(SERVER_CRASH) || fault.equals(SERVER_SWAP)
                || fault.equals(LOGOUT) || fault.equals(FORGED_CURSOR) || fault.equals(STALE_HELLO)
                || fault.equals(SERVER_RESTORE) || fault.equals(CLOCK_JUMP) || fault.equals(AWAY)
                || fault.equals(RATE_LIMIT);
        double max = perMinute ? 60 : 1;
        if (rate == null || rate.isNaN() || rate < 0 || rate > max) {
            throw new IllegalArgumentException("fault " + fault + " needs a rate from 0 to " + (perMinute ? "60 per minute"
                    : "1") + ", got " + rate);
        }
    }

    private static Map<String, FaultProfile> named() {
        Map<String, FaultProfile> m = new LinkedHashMap<>();
        m.put("none", new FaultProfile("none", Map.of()));
        m.put("lossy", new FaultProfile("lossy", Map.of(LOSS, 0.05, DUPLICATE, 0.02, REORDER, 0.03, DELAY, 0.01)));
        m.put("flaky-mobile", new FaultProfile("flaky-mobile", Map.of(LOSS, 0.02, DELAY, 0.03, REORDER, 0.01,
                RESET, 0.004, HALF_OPEN, 0.002)));
        m.put("crashy", new FaultProfile("crashy", Map.of(LOSS, 0.01, CLIENT_CRASH, 2.0, SERVER_CRASH, 1.0,
                SERVER_SWAP, 0.5, LOGOUT, 1.0, COMMIT_FAIL, 0.05)));
        m.put("hostile", new FaultProfile("hostile", Map.ofEntries(Map.entry(LOSS, 0.05), Map.entry(DUPLICATE, 0.03),
                Map.entry(REORDER, 0.03), Map.entry(DELAY, 0.02), Map.entry(CORRUPT, 0.005),
                Map.entry(CORRUPT_PAYLOAD, 0.01), Map.entry(RESET, 0.003), Map.entry(HALF_OPEN, 0.002),
                Map.entry(CLIENT_CRASH, 1.0), Map.entry(SERVER_CRASH, 0.5), Map.entry(SERVER_SWAP, 0.25),
                Map.entry(LOGOUT, 0.5),
                Map.entry(COMMIT_FAIL, 0.03), Map.entry(FORGED_CURSOR, 0.5), Map.entry(STALE_HELLO, 1.0),
                Map.entry(SERVER_RESTORE, 0.25), Map.entry(CLOCK_JUMP, 0.5), Map.entry(AWAY, 0.5),
                Map.entry(RATE_LIMIT, 5.0))));
        m.put("restores", new FaultProfile("restores", Map.of(LOSS, 0.01, CLIENT_CRASH, 1.0, SERVER_CRASH, 0.5,
                SERVER_RESTORE, 2.0, FORGED_CURSOR, 1.0, STALE_HELLO, 1.0)));
        m.put("retention", new FaultProfile("retention", Map.of(AWAY, 3.0, LOSS, 0.01, CLIENT_CRASH, 1.0,
                SERVER_CRASH, 0.5, SERVER_SWAP, 0.25, LOGOUT, 0.5, COMMIT_FAIL, 0.02)));
        m.put("clocks", new FaultProfile("clocks", Map.of(CLOCK_JUMP, 4.0, LOSS, 0.01, HALF_OPEN, 0.002, CLIENT_CRASH, 1.0,
                SERVER_CRASH, 0.5, LOGOUT, 0.5)));
        m.put("limits", new FaultProfile("limits", Map.of(RATE_LIMIT, 2.0, LOSS, 0.02, DUPLICATE, 0.01, CLIENT_CRASH,
                1.0, SERVER_CRASH, 0.5, LOGOUT, 0.5)));
        return m;
    }

    /**
     * The profile names, in order: none, lossy, flaky-mobile, crashy, hostile, restores, retention, clocks, limits.
     */
    public static List<String> names() {
        return List.copyOf(NAMED.keySet());
    }

    /**
     * The profile of this name.
     *
     * @throws IllegalArgumentException for an unknown name, listing the names available
     */
    public static FaultProfile named(String name) {
        FaultProfile p = NAMED.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown fault profile \"" + name + "\"; profiles: "
                    + String.join(", ", NAMED.keySet()));
        }
        return p;
    }

    /**
     * This profile with one rate changed; the name shows the change.
     *
     * @throws IllegalArgumentException for an unknown fault or a rate out of range
     */
    public FaultProfile with(String fault, double rate) {
        check(fault, rate);
        Map<String, Double> m = new TreeMap<>(rates);
        m.put(fault, rate);
        return new FaultProfile(name + "+" + fault + "=" + rate, m);
    }

    /** The rate of a fault, 0 when not set. */
    public double rate(String fault) {
        return rates.getOrDefault(fault, 0.0);
    }

    /** Whether any fault has a rate above 0. */
    public boolean faulty() {
        return rates.values().stream().anyMatch(r -> r > 0);
    }
}
