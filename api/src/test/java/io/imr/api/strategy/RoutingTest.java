package io.imr.api.strategy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.imr.api.frame.Ping;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one routing point: every event reaches its verb, and a decorator written once wraps either side. */
class RoutingTest {

    private final List<String> calls = new ArrayList<>();

    private final ClientReliability client = new ClientReliability() {
        @Override
        public void receive(Event.FrameArrived event, ClientActions out) {
            calls.add("receive");
        }

        @Override
        public void persist(Event.ReadyToPersist event, ClientActions out) {
            calls.add("persist");
        }

        @Override
        public void confirm(Event.CommitDone event, ClientActions out) {
            calls.add("confirm");
        }

        @Override
        public void recover(ClientEvent.Recover event, ClientActions out) {
            calls.add("recover");
        }

        @Override
        public int buffered() {
            return 7;
        }
    };

    private final ServerReliability server = new ServerReliability() {
        @Override
        public void receive(ServerEvent.Receive event, ServerActions out) {
            calls.add("receive");
        }

        @Override
        public void persist(Event.ReadyToPersist event, ServerActions out) {
            calls.add("persist");
        }

        @Override
        public void confirm(Event.CommitDone event, ServerActions out) {
            calls.add("confirm");
        }

        @Override
        public void recover(ServerEvent.Recover event, ServerActions out) {
            calls.add("recover");
        }

        @Override
        public int unconfirmed() {
            return 3;
        }
    };

    /** Counts events on either side: written once. */
    static final class Counting<E extends Event, O extends Actions<?>> implements ReliabilityHalf<E, O> {
        final ReliabilityHalf<E, O> inner;
        int events;

        Counting(ReliabilityHalf<E, O> inner) {
            this.inner = inner;
        }

        @Override
        public void on(E event, O out) {
            events++;
            inner.on(event, out);
        }

        @Override
        public int held() {
            return inner.held();
        }
    }

    @Test
    void clientEventsReachTheirVerbs() {
        ClientActions out = new ClientActions();
        client.on(new Event.FrameArrived(0, 0, new Ping(1)), out);
        client.on(new Event.ReadyToPersist(0, 0), out);
        client.on(new Event.CommitDone(0, 0, 1), out);
        client.on(new Event.Started(0, 0, 1, 0), out);
        client.on(new Event.CommitFailed(0, 0, 1, "disk full"), out);
        assertEquals(List.of("receive", "persist", "confirm", "recover", "recover"), calls);
    }

    @Test
    void serverEventsReachTheirVerbs() {
        ServerActions out = new ServerActions();
        server.on(new Event.MessagesAppended(0, 0, List.of(), 0), out);
        server.on(new Event.FrameArrived(0, 0, new Ping(1)), out);
        server.on(new Event.ReadyToPersist(0, 0), out);
        server.on(new Event.CommitDone(0, 0, 1), out);
        server.on(new Event.InboxRead(0, 0, 1, List.of(), 0), out);
        server.on(new Event.Started(0, 0, 1, 0), out);
        assertEquals(List.of("receive", "receive", "persist", "confirm", "recover", "recover"), calls);
    }

    @Test
    void oneDecoratorWrapsBothSides() {
        Counting<ClientEvent, ClientActions> c = new Counting<>(client);
        Counting<ServerEvent, ServerActions> s = new Counting<>(server);
        ClientReliability wrappedClient = ClientReliability.of(c);
        ServerReliability wrappedServer = ServerReliability.of(s);
        wrappedClient.confirm(new Event.CommitDone(0, 0, 1), new ClientActions());
        wrappedServer.receive(new Event.MessagesAppended(0, 0, List.of(), 0), new ServerActions());
        wrappedServer.on(new Event.ReadyToPersist(0, 0), new ServerActions());
        assertEquals(1, c.events);
        assertEquals(2, s.events);
        assertEquals(7, wrappedClient.buffered());
        assertEquals(3, wrappedServer.unconfirmed());
        assertEquals(List.of("confirm", "receive", "persist"), calls);
    }

    @Test
    void sharedActionsGoIntoEitherSide() {
        ClientActions c = new ClientActions();
        c.send(new Ping(1)).schedule("t", 5);
        c.pull(3, 10);
        ServerActions s = new ServerActions();
        s.send(new Ping(1)).cancel("t");
        s.readInbox(1, 1, 10);
        assertEquals(3, c.drain().size());
        assertEquals(3, s.list().size());
    }
}
