package io.imr.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SoakCheckTest {

    private static final SoakCheck.PayloadOracle ORACLE = (sender, clientId) -> "sha-" + clientId;

    private static SoakCheck.Stored stored(long seq, String sender, String clientId) {
        return new SoakCheck.Stored(seq, sender, clientId, "sha-" + clientId);
    }

    private static SoakCheck.Confirmed confirmed(long seq, String sender, String clientId) {
        return new SoakCheck.Confirmed(sender, clientId, seq, "sha-" + clientId);
    }

    /** alice's outbox a1 sends 1..3 as seqs 1, 3, 5; dave's d1 sends 1..2 as seqs 2, 4. */
    private static List<SoakCheck.Stored> good() {
        return new ArrayList<>(List.of(stored(1, "alice", "a1-1"), stored(2, "dave", "d1-1"), stored(3, "alice", "a1-2"),
                stored(4, "dave", "d1-2"), stored(5, "alice", "a1-3")));
    }

    private static List<SoakCheck.Confirmed> confirmations() {
        return new ArrayList<>(List.of(confirmed(1, "alice", "a1-1"), confirmed(3, "alice", "a1-2"),
                confirmed(5, "alice", "a1-3"), confirmed(2, "dave", "d1-1"), confirmed(4, "dave", "d1-2"),
                // a confirmation repeated after a crash of its sender
                confirmed(4, "dave", "d1-2")));
    }

    private static SoakCheck.Tally check(List<SoakCheck.Stored> stored, List<SoakCheck.Confirmed> confirmed,
                                         List<String> problems) {
        return SoakCheck.check(stored, confirmed, ORACLE, problems);
    }

    @Test
    void aCompleteStoreIsClean() {
        List<String> problems = new ArrayList<>();
        SoakCheck.Tally t = check(good(), confirmations(), problems);
        assertThat(t).isEqualTo(new SoakCheck.Tally(5, 0, 0, 0, 0, 0, 0));
        assertThat(t.clean()).isTrue();
        assertThat(problems).isEmpty();
    }

    @Test
    void aConfirmedMessageMissingIsLostAndLeavesAHole() {
        List<SoakCheck.Stored> s = good();
        s.remove(2); // a1-2 at seq 3
        List<String> problems = new ArrayList<>();
        SoakCheck.Tally t = check(s, confirmations(), problems);
        assertThat(t.lost()).isEqualTo(1);
        assertThat(t.holes()).isEqualTo(1);
        assertThat(t.clean()).isFalse();
        assertThat(problems).anyMatch(p -> p.startsWith("lost: alice/a1-2"));
    }

    @Test
    void aMessageStoredTwiceIsADuplicate() {
        List<SoakCheck.Stored> s = good();
        s.add(stored(6, "alice", "a1-3"));
        SoakCheck.Tally t = check(s, confirmations(), new ArrayList<>());
        assertThat(t.duplicates()).isEqualTo(1);
        assertThat(t.outOfOrder()).as("a1-3 after a1-3").isEqualTo(1);
        assertThat(t.lost()).isZero();
    }

    @Test
    void anotherPayloadOrAnotherSeqIsAltered() {
        List<SoakCheck.Stored> s = good();
        s.set(1, new SoakCheck.Stored(2, "dave", "d1-1", "sha-something-else"));
        SoakCheck.Tally t = check(s, confirmations(), new ArrayList<>());
        assertThat(t.altered()).as("the payload against the sender's and against the manifest").isEqualTo(2);

        List<SoakCheck.Confirmed> c = confirmations();
        c.set(0, confirmed(7, "alice", "a1-1"));
        assertThat(check(good(), c, new ArrayList<>()).altered()).as("confirmed with another seq").isEqualTo(1);
    }

    @Test
    void anOutboxStoredAgainstItsOrderIsOutOfOrder() {
        List<SoakCheck.Stored> s = List.of(stored(1, "alice", "a1-2"), stored(2, "alice", "a1-1"));
        List<SoakCheck.Confirmed> c = List.of(confirmed(1, "alice", "a1-2"), confirmed(2, "alice", "a1-1"));
        SoakCheck.Tally t = check(s, c, new ArrayList<>());
        assertThat(t.outOfOrder()).isEqualTo(1);
        assertThat(t.lost() + t.duplicates() + t.altered() + t.holes() + t.unexpected()).isZero();
    }

    @Test
    void aMessageNobodyConfirmedIsUnexpected() {
        List<SoakCheck.Stored> s = good();
        s.add(stored(6, "mallory", "m1-1"));
        assertThat(check(s, confirmations(), new ArrayList<>()).unexpected()).isEqualTo(1);
    }

    @Test
    void aStoreThatStartsLateHasAHoleAtTheStart() {
        List<SoakCheck.Stored> s = good();
        s.remove(0);
        SoakCheck.Tally t = check(s, confirmations(), new ArrayList<>());
        assertThat(t.holes()).isEqualTo(1);
        assertThat(t.lost()).isEqualTo(1);
    }
}
