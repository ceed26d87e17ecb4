package io.imr.testkit;

import java.util.List;
import java.util.Optional;

/**
 * What one seed gave: the counters of the report (section 8 of the specification) and the first
 * guarantee broken, if any.
 *
 * @param seed             the seed
 * @param messages         messages the applications handed to {@code send}
 * @param confirmed        of those, confirmed to their senders
 * @param delivered        messages committed to a device's store (one per message and device)
 * @param lost             confirmed messages missing from a recipient's device at the end
 * @param duplicates       messages a device stored a second time
 * @param orderViolations  commits after which a device's store was not contiguous
 * @param corruptStored    messages stored with a payload their sender did not send
 * @param controlBytes     bytes on the wire that were not application payload
 * @param confirmationBytes bytes of frames between a receiving device and the server that carry no message
 *                         (ack, ack-up-to, pull, notify)
 * @param pulls            pull frames sent
 * @param retransmits      messages the strategies sent again
 * @param swaps            server restarts with another strategy
 * @param expired          seqs devices recorded as expired (trimmed by retention before they got them)
 * @param maxUnconfirmed   the highest {@code unconfirmed()} of a server half (G7)
 * @param maxBuffered      the highest {@code buffered()} of a client half (G7)
 * @param latenciesMillis  per delivered message, virtual milliseconds from the server's accept to the device's commit
 * @param swapPairs        each server restart with another strategy, as "from&gt;to", in order
 * @param violation        the first guarantee broken, or null
 */
public record SeedResult(long seed, long messages, long confirmed, long delivered, long lost, long duplicates,
                         long orderViolations, long corruptStored, long controlBytes, long confirmationBytes, long pulls,
                         long retransmits, long swaps, long expired,
                         int maxUnconfirmed, int maxBuffered, List<Long> latenciesMillis, List<String> swapPairs,
                         Violation violation) {

    public SeedResult {
        latenciesMillis = List.copyOf(latenciesMillis);
        swapPairs = List.copyOf(swapPairs);
    }

    public Optional<Violation> broken() {
        return Optional.ofNullable(violation);
    }
}
