package io.imr.engine;

import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientEvent;
import io.imr.api.strategy.ServerActions;
import io.imr.api.strategy.ServerEvent;
import io.imr.api.strategy.ApiVersion;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.ClientSetup;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.ServerReliability;
import io.imr.api.strategy.ServerSetup;

/** A strategy that does nothing, for tests of what the engine does on its own (sessions, auth, the send path). */
final class QuietStrategy implements ReliabilityStrategyProvider {

    @Override
    public String name() {
        return "quiet";
    }

    @Override
    public String description() {
        return "does nothing";
    }

    @Override
    public ApiVersion requiredApiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public ClientReliability newClient(ClientSetup setup) {
        return new ClientReliability() {
            @Override
            public void receive(Event.FrameArrived event, ClientActions out) {
            }

            @Override
            public void persist(Event.ReadyToPersist event, ClientActions out) {
            }

            @Override
            public void confirm(Event.CommitDone event, ClientActions out) {
            }

            @Override
            public void recover(ClientEvent.Recover event, ClientActions out) {
            }

            @Override
            public int buffered() {
                return 0;
            }
        };
    }

    @Override
    public ServerReliability newServer(ServerSetup setup) {
        return new ServerReliability() {
            @Override
            public void receive(ServerEvent.Receive event, ServerActions out) {
            }

            @Override
            public void persist(Event.ReadyToPersist event, ServerActions out) {
            }

            @Override
            public void confirm(Event.CommitDone event, ServerActions out) {
            }

            @Override
            public void recover(ServerEvent.Recover event, ServerActions out) {
            }

            @Override
            public int unconfirmed() {
                return 0;
            }
        };
    }
}
