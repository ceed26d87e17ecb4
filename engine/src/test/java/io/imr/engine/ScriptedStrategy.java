package io.imr.engine;

import io.imr.api.strategy.ApiVersion;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientEvent;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.ClientSetup;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.ServerActions;
import io.imr.api.strategy.ServerEvent;
import io.imr.api.strategy.ServerReliability;
import io.imr.api.strategy.ServerSetup;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A strategy whose halves do what the test scripts: every event a client half gets is recorded
 * and handed to {@link #client}; a server half is {@link #server}. Counts the halves made, so a
 * test sees each restart.
 */
final class ScriptedStrategy implements ReliabilityStrategyProvider {

    private final String name;
    volatile BiConsumer<ClientEvent, ClientActions> client = (e, out) -> { };
    volatile BiConsumer<ServerEvent, ServerActions> server = (e, out) -> { };
    final List<ClientEvent> clientEvents = new ArrayList<>();
    int clientHalves;
    int serverHalves;

    ScriptedStrategy(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return "does what the test says";
    }

    @Override
    public ApiVersion requiredApiVersion() {
        return ApiVersion.CURRENT;
    }

    /** The events of one type the client halves got, in order. */
    <T extends ClientEvent> List<T> clientEvents(Class<T> type) {
        return clientEvents.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Override
    public ClientReliability newClient(ClientSetup setup) {
        clientHalves++;
        return new ClientReliability() {
            private void record(ClientEvent e, ClientActions out) {
                clientEvents.add(e);
                client.accept(e, out);
            }

            @Override
            public void receive(Event.FrameArrived event, ClientActions out) {
                record(event, out);
            }

            @Override
            public void persist(Event.ReadyToPersist event, ClientActions out) {
                record(event, out);
            }

            @Override
            public void confirm(Event.CommitDone event, ClientActions out) {
                record(event, out);
            }

            @Override
            public void recover(ClientEvent.Recover event, ClientActions out) {
                record(event, out);
            }

            @Override
            public int buffered() {
                return 0;
            }
        };
    }

    @Override
    public ServerReliability newServer(ServerSetup setup) {
        serverHalves++;
        return new ServerReliability() {
            @Override
            public void receive(ServerEvent.Receive event, ServerActions out) {
                server.accept(event, out);
            }

            @Override
            public void persist(Event.ReadyToPersist event, ServerActions out) {
                server.accept(event, out);
            }

            @Override
            public void confirm(Event.CommitDone event, ServerActions out) {
                server.accept(event, out);
            }

            @Override
            public void recover(ServerEvent.Recover event, ServerActions out) {
                server.accept(event, out);
            }

            @Override
            public int unconfirmed() {
                return 0;
            }
        };
    }
}
