package io.imr.testkit;

import java.util.List;

/**
 * A guarantee the simulation saw broken.
 *
 * @param guarantee which one: {@code G1} to {@code G10} of the specification, or {@code ENGINE} for an
 *                  exception that escaped the engine or strategy
 * @param seed      the seed that reproduces it
 * @param detail    what was seen, for a person
 * @param trail     the last events before it, oldest first, each with its virtual time
 */
public record Violation(String guarantee, long seed, String detail, List<String> trail) {

    public Violation {
        trail = List.copyOf(trail);
    }

    /** One line: the guarantee, the seed and what was seen. */
    public String headline() {
        return guarantee + " broken with seed " + seed + ": " + detail;
    }

    /** The headline and the trail, one event a line. */
    public String describe() {
        StringBuilder sb = new StringBuilder(headline()).append('\n').append("events that led there (last ")
                .append(trail.size()).append("):\n");
        trail.forEach(t -> sb.append("  ").append(t).append('\n'));
        return sb.toString();
    }
}
