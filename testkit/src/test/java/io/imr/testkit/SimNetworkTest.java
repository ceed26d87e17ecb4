package io.imr.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.frame.ErrorFrame;
import io.imr.api.frame.Frame;
import io.imr.api.frame.Ping;
import io.imr.engine.ClientConnector;
import io.imr.engine.ConnectionHandler;
import io.imr.engine.FrameChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The in-memory network")
class SimNetworkTest {

    final VirtualScheduler scheduler = new VirtualScheduler(5);
    final Recorder recorder = new Recorder(5, scheduler);
    final Checks checks = new Checks(recorder, scheduler);
    final List<String> server = new ArrayList<>();
    final List<String> client = new ArrayList<>();

    FrameChannel connect(SimNetwork network) {
        Life serverLife = new Life("server#1");
        network.serverUp(serverLife, channel -> handler(server));
        FrameChannel[] out = new FrameChannel[1];
        network.connector("bob/phone", new Life("bob/phone#1")).connect(new ClientConnector.Attempt() {
            @Override
            public ConnectionHandler connected(FrameChannel channel) {
                out[0] = channel;
                return handler(client);
            }

            @Override
            public void failed(Throwable cause) {
                client.add("failed");
            }
        });
        scheduler.runUntil(100_000_000);
        return out[0];
    }

    static ConnectionHandler handler(List<String> seen) {
        return new ConnectionHandler() {
            @Override
            public void onFrame(Frame frame) {
                seen.add(frame instanceof ErrorFrame e ? "error " + e.code() : frame.type().toString());
            }

            @Override
            public void onClosed(String reason) {
                seen.add("closed");
            }
        };
    }

    @Test
    @DisplayName("a corrupted frame never reaches the engine: the receiver answers with an error frame and closes")
    void corruption() {
        SimNetwork network = new SimNetwork(scheduler, new FaultProfile("all corrupt",
                Map.of(FaultProfile.CORRUPT, 1.0)), checks, recorder);
        FrameChannel channel = connect(network);
        channel.send(new Ping(1));
        network.heal();
        scheduler.runUntil(1_000_000_000);
        assertThat(server).containsExactly("closed");
        assertThat(client).containsExactly("error BAD_FRAME", "closed");
    }

    @Test
    @DisplayName("without faults, frames arrive in order, through the real codec")
    void inOrder() {
        SimNetwork network = new SimNetwork(scheduler, FaultProfile.named("none"), checks, recorder);
        FrameChannel channel = connect(network);
        for (int i = 0; i < 50; i++) {
            channel.send(new Ping(i));
        }
        scheduler.runUntil(1_000_000_000);
        assertThat(server).hasSize(50).containsOnly("ping");
        assertThat(recorder.controlBytes).isPositive();
    }

    @Test
    @DisplayName("a crashed server's peer hears a reset or nothing at all, and a new connection is refused")
    void serverCrash() {
        SimNetwork network = new SimNetwork(scheduler, FaultProfile.named("none"), checks, recorder);
        connect(network);
        network.serverDown();
        scheduler.runUntil(1_000_000_000);
        assertThat(client).isSubsetOf(List.of("closed"));
        network.connector("bob/phone", new Life("bob/phone#2")).connect(new ClientConnector.Attempt() {
            @Override
            public ConnectionHandler connected(FrameChannel channel) {
                throw new AssertionError("connected to a server that is down");
            }

            @Override
            public void failed(Throwable cause) {
                client.add("refused");
            }
        });
        scheduler.runUntil(2_000_000_000);
        assertThat(client).endsWith("refused");
    }
}
