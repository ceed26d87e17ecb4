package io.imr.strategy.hybrid;

import static io.imr.testkit.StrategyFixtures.MS;
import static io.imr.testkit.StrategyFixtures.msg;
import static io.imr.testkit.StrategyFixtures.only;
import static io.imr.testkit.StrategyFixtures.range;
import static io.imr.testkit.StrategyFixtures.scheduled;
import static io.imr.testkit.StrategyFixtures.sent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.frame.Ack;
import io.imr.api.frame.AckUpTo;
import io.imr.api.frame.Deliver;
import io.imr.api.option.InvalidOptionException;
import io.imr.api.strategy.Action;
import io.imr.api.strategy.ApiVersion;
import io.imr.api.strategy.ClientActions;
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
import io.imr.strategy.support.SequencedClient;
import io.imr.strategy.support.WindowedServer;
import io.imr.testkit.OptionSpecWalk;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The hybrid strategy's provider")
class HybridStrategyProviderTest {

    private final HybridStrategyProvider provider = new HybridStrategyProvider();

    @Test
    @DisplayName("is found by ServiceLoader under the name hybrid, for the current SPI")
    void registered() {
        StrategyRegistry registry = StrategyRegistry.load(HybridStrategyProviderTest.class.getClassLoader());
        assertThat(registry.names()).contains("hybrid");
        ReliabilityStrategyProvider found = registry.get("hybrid");
        assertThat(found).isInstanceOf(HybridStrategyProvider.class);
        assertThat(found.requiredApiVersion()).isEqualTo(ApiVersion.CURRENT);
        assertThat(found.description()).isNotBlank();
        assertThat(registry.problems()).isEmpty();
    }

    @Test
    @DisplayName("names its options")
    void optionNames() {
        assertThat(provider.optionNames()).containsExactlyInAnyOrder("hold-back", "gap-timeout", "tail-timeout",
                "pull-page", "window", "window-bytes", "retransmit-initial", "retransmit-max", "ack-every", "ack-delay");
    }

    @Test
    @DisplayName("runs on the defaults without options")
    void defaults() {
        assertThat(HybridConfig.from(StrategyOptions.none())).isEqualTo(HybridConfig.DEFAULT)
                .isEqualTo(new HybridConfig(1024, Duration.ofMillis(200), Duration.ofSeconds(2), 512, 1024, 8 << 20,
                        Duration.ofSeconds(1), Duration.ofSeconds(30), 256, Duration.ofMillis(20)));
        provider.validate(StrategyOptions.none());
    }

    @Test
    @DisplayName("reads every option")
    void readsOptions() {
        HybridConfig config = HybridConfig.from(StrategyOptions.of(Map.ofEntries(Map.entry("hold-back", "0"),
                Map.entry("gap-timeout", "50ms"), Map.entry("tail-timeout", "5s"), Map.entry("pull-page", "64"),
                Map.entry("window", "100"), Map.entry("window-bytes", "65536"),
                Map.entry("retransmit-initial", "200ms"), Map.entry("retransmit-max", "1m"),
                Map.entry("ack-every", "1"), Map.entry("ack-delay", "199ms"))));
        assertThat(config).isEqualTo(new HybridConfig(0, Duration.ofMillis(50), Duration.ofSeconds(5), 64, 100, 65536,
                Duration.ofMillis(200), Duration.ofMinutes(1), 1, Duration.ofMillis(199)));
    }

    @Test
    @DisplayName("refuses unknown options and values out of range, naming the option and what is allowed")
    void validates() {
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("push-window", "5"))))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessage("strategy hybrid has no option push-window; its options are: ack-delay, ack-every,"
                        + " gap-timeout, hold-back, pull-page, retransmit-initial, retransmit-max, tail-timeout, window,"
                        + " window-bytes");
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("ack-every", "0"))))
                .hasMessage("option ack-every must be a whole number from 1 to 65536, got \"0\"");
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("ack-delay", "0ms"))))
                .hasMessage("option ack-delay must be from 1ms to 10s, got \"0ms\"");
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("window-bytes", "1000"))))
                .hasMessage("option window-bytes must be a whole number from 1024 to 1073741824, got \"1000\"");
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("gap-timeout", "5ms"))))
                .hasMessage("option gap-timeout must be from 10ms to 10m, got \"5ms\"");
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("retransmit-initial", "5s",
                "retransmit-max", "2s"))))
                .hasMessage("option retransmit-max (2s) must not be below retransmit-initial (5s)");
        assertThatThrownBy(() -> provider.newClient(new ClientSetup("bob", "phone",
                StrategyOptions.of(Map.of("window", "0"))))).isInstanceOf(InvalidOptionException.class);
    }

    @Test
    @DisplayName("refuses an ack-delay not below retransmit-initial, or every batch would be resent before its ack")
    void ackDelayBelowRetransmit() {
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("ack-delay", "1s"))))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessage("option ack-delay (1s) must be below retransmit-initial (1s), or every batch would be"
                        + " resent before it is acknowledged");
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("ack-delay", "500ms",
                "retransmit-initial", "400ms"))))
                .hasMessageStartingWith("option ack-delay (500ms) must be below retransmit-initial (400ms)");
        provider.validate(StrategyOptions.of(Map.of("ack-delay", "999ms")));
        provider.validate(StrategyOptions.of(Map.of("ack-delay", "10s", "retransmit-initial", "11s")));
    }

    @Test
    @DisplayName("states simulation bounds that follow from its simulation options")
    void hints() {
        SimulationHints hints = provider.simulationHints();
        provider.validate(hints.options());
        HybridConfig c = HybridConfig.from(hints.options());
        assertThat(c.window()).as("small, so faults press on it").isLessThan(HybridConfig.DEFAULT.window());
        assertThat(hints.maxUnconfirmed()).isEqualTo(c.window());
        assertThat(hints.maxBuffered()).isEqualTo(c.window() + 2 * c.pullPage() + c.holdBack());
        assertThat(hints.pullTimeout()).isEqualTo(c.tailTimeout());
        assertThat(hints.maxPullsInFlight()).isEqualTo(2);
        assertThat(c.ackDelay()).isLessThan(c.retransmitInitial());
    }

    @Test
    @DisplayName("makes a windowed server that confirms cumulatively and keeps to the bound it states")
    void server() {
        SimulationHints hints = provider.simulationHints();
        ServerReliability server = provider.newServer(new ServerSetup("bob", "phone", hints.options()));
        assertThat(server).isInstanceOf(WindowedServer.class);
        WindowedServer windowed = (WindowedServer) server;
        assertThat(windowed.retransmitTimer()).isEqualTo("hybrid.retransmit");
        assertThat(windowed.notifyTimer()).isEqualTo("hybrid.notify");

        ServerActions out = new ServerActions();
        server.on(new Event.Started(0, 0, 1, 0), out);
        server.on(new Event.Connected(0, 0, 1, 0, 0), out);
        server.on(new Event.MessagesAppended(0, 0, range(1, 100), 100), out);
        assertThat(server.unconfirmed()).isEqualTo(hints.maxUnconfirmed());
        server.on(new Event.FrameArrived(0, 0, Ack.of(1, 1, 1)), out);
        assertThat(server.unconfirmed()).as("acks by id mean nothing").isEqualTo(hints.maxUnconfirmed());
        out.drain();
        server.on(new Event.FrameArrived(0, 0, new AckUpTo(1, 32)), out);
        assertThat(server.unconfirmed()).isZero();
        assertThat(only(out.drain(), Action.ReadInbox.class)).as("the device pulls beyond the window").isEmpty();
    }

    @Test
    @DisplayName("makes a sequenced client that acks cumulatively and pulls exactly a hole after the gap timeout")
    void client() {
        ClientReliability client = provider.newClient(new ClientSetup("bob", "phone", StrategyOptions.none()));
        assertThat(client).isInstanceOf(SequencedClient.class);
        ClientActions out = new ClientActions();
        client.on(new Event.Started(0, 0, 1, 10), out);
        client.on(new Event.Connected(0, 0, 1, 10, 10), out);
        out.drain();
        client.on(new Event.FrameArrived(0, 0, new Deliver(List.of(msg(13)), 13)), out);
        List<? extends Action> past = out.drain();
        assertThat(only(past, Action.PullRange.class)).as("reordering gets a gap timeout to fill the hole").isEmpty();
        assertThat(scheduled(past, "hybrid.gap")).isEqualTo(200 * MS);
        client.on(new Event.TimerFired(200 * MS, 0, "hybrid.gap"), out);
        assertThat(only(out.drain(), Action.PullRange.class)).containsExactly(new Action.PullRange(11, 2));

        client.on(new Event.FrameArrived(200 * MS, 0, new Deliver(List.of(msg(11), msg(12)), 13)), out);
        client.on(new Event.ReadyToPersist(200 * MS, 0), out);
        Action.Persist persist = only(out.drain(), Action.Persist.class).get(0);
        client.on(new Event.CommitDone(200 * MS, 0, persist.token()), out);
        assertThat(sent(out.drain(), AckUpTo.class)).containsExactly(new AckUpTo(1, 13));
    }

    @Test
    @DisplayName("declares each option once: the builder and the options text agree on its name, default and range")
    void optionSpecs() {
        new OptionSpecWalk<>(HybridConfig.class, m -> HybridConfig.from(StrategyOptions.of(m)), HybridConfig::builder)
                .companions(Map.of("retransmit-max", "1h", "ack-delay", "1ms")).check(HybridConfig.OPTIONS);
        assertThat(HybridConfig.builder().build()).isEqualTo(HybridConfig.DEFAULT);
        assertThat(HybridConfig.DEFAULT.toBuilder().build()).isEqualTo(HybridConfig.DEFAULT);
        assertThat(provider.optionNames()).isEqualTo(HybridConfig.OPTION_NAMES);
    }
}
