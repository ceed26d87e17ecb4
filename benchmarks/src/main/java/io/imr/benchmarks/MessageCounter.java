package io.imr.benchmarks;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Counts messages (or outbox entries) next to JMH's operations, so that results read directly
 * in messages per second whatever the batch size: JMH reports it as the "messages" line.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class MessageCounter {

    /** Messages committed in this iteration. */
    public long messages;

    @Setup(Level.Iteration)
    public void reset() {
        messages = 0;
    }
}
