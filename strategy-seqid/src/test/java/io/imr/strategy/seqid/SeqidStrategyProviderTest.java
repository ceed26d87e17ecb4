package io.imr.strategy.seqid;

import static io.imr.testkit.StrategyFixtures.msg;
import static io.imr.testkit.StrategyFixtures.only;
import static io.imr.testkit.StrategyFixtures.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.Message;
import io.imr.api.frame.Deliver;
import io.imr.api.option.InvalidOptionException;
import io.imr.api.strategy.Action;
import io.imr.api.strategy.ApiVersion;
import io.imr.api.strategy.ClientActions;
import io.imr.api.strategy.ClientEvent;
import io.imr.api.strategy.ClientReliability;
import io.imr.api.strategy.ClientSetup;
import io.imr.api.strategy.Event;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.ServerActions;
import io.imr.api.strategy.ServerReliability;
import io.imr.api.strategy.ServerSetup;
import io.imr.api.strategy.SimulationHints;
import io.imr.api.strategy.StrategyOptions;
import io.imr.api.strategy.StrategyRegistry;
import io.imr.testkit.OptionSpecWalk;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The seqid strategy's provider")
class SeqidStrategyProviderTest {

    private final SeqidStrategyProvider provider = new SeqidStrategyProvider();

    @Test
    @DisplayName("is found by ServiceLoader under the name seqid, for the current SPI")
    void registered() {
        StrategyRegistry registry = StrategyRegistry.load(SeqidStrategyProviderTest.class.getClassLoader());
        assertThat(registry.names()).contains("seqid");
        ReliabilityStrategyProvider found = registry.get("seqid");
        assertThat(found).isInstanceOf(SeqidStrategyProvider.class);
        assertThat(found.requiredApiVersion()).isEqualTo(ApiVersion.CURRENT);
        assertThat(found.description()).isNotBlank();
        assertThat(registry.problems()).isEmpty();
    }

    @Test
    @DisplayName("names its options")
    void optionNames() {
        assertThat(provider.optionNames()).containsExactlyInAnyOrder("hold-back", "tail-timeout", "pull-page",
                "push-window");
    }

    @Test
    @DisplayName("runs on the defaults without options")
    void defaults() {
        assertThat(SeqidConfig.from(StrategyOptions.none())).isEqualTo(SeqidConfig.DEFAULT)
                .isEqualTo(new SeqidConfig(1024, Duration.ofSeconds(2), 512, 512));
        provider.validate(StrategyOptions.none());
    }

    @Test
    @DisplayName("reads every option")
    void readsOptions() {
        SeqidConfig config = SeqidConfig.from(StrategyOptions.of(Map.of("hold-back", "0", "tail-timeout", "500ms",
                "pull-page", "4096", "push-window", "65536")));
        assertThat(config).isEqualTo(new SeqidConfig(0, Duration.ofMillis(500), 4096, 65536));
    }

    @Test
    @DisplayName("refuses unknown options and bad values, naming the option and what is allowed")
    void validates() {
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("window", "5"))))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessage("strategy seqid has no option window; its options are: hold-back, pull-page, push-window,"
                        + " tail-timeout");
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("push-window", "0"))))
                .hasMessage("option push-window must be a whole number from 1 to 65536, got \"0\"");
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("pull-page", "4097"))))
                .hasMessage("option pull-page must be a whole number from 1 to 4096, got \"4097\"");
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("hold-back", "-1"))))
                .hasMessage("option hold-back must be a whole number from 0 to 1000000, got \"-1\"");
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("tail-timeout", "50ms"))))
                .hasMessage("option tail-timeout must be from 100ms to 10m, got \"50ms\"");
        assertThatThrownBy(() -> new SeqidConfig(1024, Duration.ofSeconds(2), 512, 70_000))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessage("option push-window must be a whole number from 1 to 65536, got 70000");
        assertThatThrownBy(() -> provider.newServer(new ServerSetup("bob", "phone",
                StrategyOptions.of(Map.of("push-window", "x"))))).isInstanceOf(InvalidOptionException.class);
    }

    @Test
    @DisplayName("states simulation bounds that follow from its simulation options")
    void hints() {
        SimulationHints hints = provider.simulationHints();
        provider.validate(hints.options());
        SeqidConfig c = SeqidConfig.from(hints.options());
        assertThat(c.pushWindow()).as("small, so faults press on it").isLessThan(SeqidConfig.DEFAULT.pushWindow());
        assertThat(hints.maxUnconfirmed()).isEqualTo(c.pushWindow());
        assertThat(hints.maxBuffered()).isEqualTo(c.pushWindow() + 2 * c.pullPage() + c.holdBack());
        assertThat(hints.pullTimeout()).isEqualTo(c.tailTimeout());
        assertThat(hints.maxPullsInFlight()).isEqualTo(2);
    }

    @Test
    @DisplayName("makes a server that keeps to the bound it states")
    void serverKeepsItsBound() {
        SimulationHints hints = provider.simulationHints();
        ServerReliability server = provider.newServer(new ServerSetup("bob", "phone", hints.options()));
        assertThat(server).isInstanceOf(SeqidServer.class);
        ServerActions out = new ServerActions();
        server.on(new Event.Started(0, 0, 1, 0), out);
        server.on(new Event.Connected(0, 0, 1, 0, 0), out);
        server.on(new Event.MessagesAppended(0, 0, range(1, 100), 100), out);
        assertThat(server.unconfirmed()).isEqualTo(hints.maxUnconfirmed());
    }

    @Test
    @DisplayName("makes a client that pulls a whole page at once on a hole and sends nothing for a commit")
    void client() {
        ClientReliability client = provider.newClient(new ClientSetup("bob", "phone", StrategyOptions.none()));
        assertThat(on(client, new Event.Started(0, 0, 1, 0))).isEmpty();
        assertThat(on(client, new Event.Connected(0, 0, 1, 0, 0))).isEmpty();
        List<Action> hole = on(client, new Event.FrameArrived(0, 0, new Deliver(List.of(msg(2)), 2)));
        assertThat(only(hole, Action.PullRange.class)).containsExactly(new Action.PullRange(1, 512));

        List<Action> first = on(client, new Event.FrameArrived(0, 0, new Deliver(List.of(msg(1)), 2)));
        assertThat(only(first, Action.SendFrame.class)).isEmpty();
        Action.Persist persist = only(on(client, new Event.ReadyToPersist(0, 0)), Action.Persist.class).get(0);
        assertThat(persist.messages()).extracting(Message::seq).containsExactly(1L, 2L);
        List<Action> committed = on(client, new Event.CommitDone(0, 0, persist.token()));
        assertThat(only(committed, Action.SendFrame.class)).as("LastReceivedSeqID was committed; nothing is sent")
                .isEmpty();
    }

    private static List<Action> on(ClientReliability client, ClientEvent event) {
        ClientActions out = new ClientActions();
        client.on(event, out);
        return List.copyOf(out.drain());
    }

    @Test
    @DisplayName("declares each option once: the builder and the options text agree on its name, default and range")
    void optionSpecs() {
        new OptionSpecWalk<>(SeqidConfig.class, m -> SeqidConfig.from(StrategyOptions.of(m)), SeqidConfig::builder)
                .check(SeqidConfig.OPTIONS);
        assertThat(SeqidConfig.builder().build()).isEqualTo(SeqidConfig.DEFAULT);
        assertThat(SeqidConfig.DEFAULT.toBuilder().build()).isEqualTo(SeqidConfig.DEFAULT);
        assertThat(provider.optionNames()).isEqualTo(SeqidConfig.OPTION_NAMES);
    }
}
