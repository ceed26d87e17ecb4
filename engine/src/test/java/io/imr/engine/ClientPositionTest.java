package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Checksums;
import io.imr.api.Message;
import io.imr.api.frame.Deliver;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Hello;
import io.imr.api.frame.Welcome;
import io.imr.api.store.ClientCommit;
import io.imr.api.store.ClientState;
import io.imr.api.strategy.Event;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The device's position in the server's numbering, apart from its own (G10): what its hello says, what a
 * resync welcome changes, and what a commit of messages the store holds already hands to the listener.
 */
@DisplayName("A device's position in the server's numbering")
class ClientPositionTest {

    private static Message message(String clientId, long seq) {
        byte[] p = clientId.getBytes();
        return Message.of("alice", clientId, "bob", seq, 1, 0, p, Checksums.crc32c(p));
    }

    /** A store that holds m1..m3 at seqs 1..3, got from generation g1-a (as a restarted device's). */
    private static ManualClientStore storeWithThree() {
        ManualClientStore store = new ManualClientStore("bob", "phone");
        store.commit(ClientCommit.rebase(new ClientCommit.Rebase("g1-a", 1, 0)));
        store.commit(ClientCommit.messages("g1-a", List.of(message("m1", 1), message("m2", 2), message("m3", 3))));
        store.completeAll();
        return store;
    }

    @Test
    @DisplayName("says hello with its position, the generation that vouches for it and its start")
    void hello() {
        ClientHarness h = new ClientHarness(storeWithThree(), 1_000_000, 1024);
        h.start().open();
        Hello hello = (Hello) h.channel.sent.get(0);
        assertThat(hello.cursor()).isEqualTo(3);
        assertThat(hello.idAtCursor()).isEqualTo("alice/m3");
        assertThat(hello.serverStore()).isEqualTo("g1-a");
        assertThat(hello.epoch()).isEqualTo(1);
        assertThat(hello.incarnation()).isEqualTo(1);
    }

    @Test
    @DisplayName("a resync welcome moves the position (and restarts the half from it), never its own numbering; what"
            + " it holds is not stored or handed over again, the rest follows its last message")
    void resync() {
        ManualClientStore store = storeWithThree();
        ClientHarness h = new ClientHarness(store, 1_000_000, 1024);
        long[] token = {0};
        h.strategy.client = (e, out) -> {
            if (e instanceof Event.FrameArrived f && f.frame() instanceof Deliver d) {
                out.persist(++token[0], d.messages());
            }
        };
        h.start().open().frame(new Welcome(Frame.PROTOCOL_VERSION, "scripted", "bob", "phone", 1, 0, 2, 1000, "g2-b",
                true));
        assertThat(store.commits).as("the position is committed before the session goes on")
                .contains(ClientCommit.rebase(new ClientCommit.Rebase("g2-b", 1, 0)));
        assertThat(h.strategy.clientEvents(Event.Connected.class)).as("not before the rebase returned").isEmpty();
        store.completeAll();
        h.runtime.runDue();
        assertThat(store.state().server()).isEqualTo(new ClientState.ServerPosition("g2-b", 1, 0, ""));
        assertThat(store.state().cursor()).as("its own numbering").isEqualTo(3);
        List<Event.Started> starts = h.strategy.clientEvents(Event.Started.class);
        assertThat(starts.get(starts.size() - 1).cursor()).as("the half starts at the server's cursor").isZero();
        assertThat(h.strategy.clientEvents(Event.Connected.class)).last()
                .satisfies(c -> assertThat(c.cursor()).isZero());

        // The restored server holds m1 and a message the device never got, n2.
        h.frame(new Deliver(List.of(message("m1", 1), message("n2", 2)), 2));
        store.completeAll();
        h.runtime.runDue();
        assertThat(store.state().cursor()).isEqualTo(4);
        assertThat(store.state().count()).isEqualTo(4);
        assertThat(store.state().server()).isEqualTo(new ClientState.ServerPosition("g2-b", 1, 2, "alice/n2"));
        List<String> handed = new ArrayList<>();
        h.handed.forEach(m -> handed.add(m.id() + "@" + m.seq()));
        assertThat(handed).as("only n2, at its own seq 4").containsExactly("alice/m1@1", "alice/m2@2", "alice/m3@3",
                "alice/n2@4");
    }

    @Test
    @DisplayName("a welcome above its position in the same epoch (retention trimmed the seqs between) records them as"
            + " expired in the commit that moves the position, tells the listener after what it had, and counts them")
    void expired() {
        ManualClientStore store = storeWithThree();
        ClientHarness h = new ClientHarness(store, 1_000_000, 1024);
        long[] token = {0};
        h.strategy.client = (e, out) -> {
            if (e instanceof Event.FrameArrived f && f.frame() instanceof Deliver d) {
                out.persist(++token[0], d.messages());
            }
        };
        h.start().open().frame(new Welcome(Frame.PROTOCOL_VERSION, "scripted", "bob", "phone", 1, 9, 12, 1000, "g1-a",
                false));
        io.imr.api.store.ExpiredRange range = new io.imr.api.store.ExpiredRange(1, 4, 9);
        assertThat(store.commits).as("one commit: the position and the range it passes over")
                .contains(ClientCommit.rebase(new ClientCommit.Rebase("g1-a", 1, 9, range)));
        assertThat(h.told).as("nothing before the commit returned").containsExactly("m 1", "m 2", "m 3");
        store.completeAll();
        h.runtime.runDue();
        assertThat(store.state().expired()).containsExactly(range);
        assertThat(store.state().server()).isEqualTo(new ClientState.ServerPosition("g1-a", 1, 9, ""));
        assertThat(h.registry.get(io.imr.engine.metrics.MetricNames.MESSAGES_EXPIRED).counter().count())
                .isEqualTo(6.0);

        h.frame(new Deliver(List.of(message("m10", 10)), 12));
        store.completeAll();
        h.runtime.runDue();
        assertThat(h.told).as("in order: what it had, the expired range, what follows")
                .containsExactly("m 1", "m 2", "m 3", "expired 4..9", "m 4");
        assertThat(store.state().server().seq()).isEqualTo(10);
    }

    @Test
    @DisplayName("a welcome below its position (a commit returned between hello and welcome) expires nothing")
    void behindIsNotExpired() {
        ManualClientStore store = storeWithThree();
        ClientHarness h = new ClientHarness(store, 1_000_000, 1024);
        h.start().open().frame(new Welcome(Frame.PROTOCOL_VERSION, "scripted", "bob", "phone", 1, 2, 12, 1000, "g1-a",
                false));
        store.completeAll();
        h.runtime.runDue();
        assertThat(store.state().expired()).isEmpty();
        assertThat(h.told).doesNotContain("expired 3..2");
    }

    @Test
    @DisplayName("which seqs a welcome says expired: above the position in its epoch; all up to the cursor on a resync")
    void expiredBy() {
        ClientState.ServerPosition at41 = new ClientState.ServerPosition("g1-a", 1, 41, "alice/m41");
        assertThat(ClientSession.expiredBy(at41, welcome(50, false))).isEqualTo(new io.imr.api.store.ExpiredRange(1,
                42, 50));
        assertThat(ClientSession.expiredBy(at41, welcome(41, false))).isNull();
        assertThat(ClientSession.expiredBy(at41, welcome(17, false))).as("a commit returned between hello and welcome")
                .isNull();
        assertThat(ClientSession.expiredBy(at41, welcome(17, true)))
                .as("a resync of another lineage, the server trimmed below 18: which of those it holds cannot be told")
                .isEqualTo(new io.imr.api.store.ExpiredRange(1, 1, 17));
        assertThat(ClientSession.expiredBy(at41, welcome(0, true))).as("a resync, nothing trimmed").isNull();
        assertThat(ClientSession.expiredBy(ClientState.ServerPosition.NONE, welcome(9, false)))
                .isEqualTo(new io.imr.api.store.ExpiredRange(1, 1, 9));
    }

    private static Welcome welcome(long cursor, boolean resync) {
        return new Welcome(Frame.PROTOCOL_VERSION, "scripted", "bob", "phone", 1, cursor, 60, 1000, "g2-b", resync);
    }
}
