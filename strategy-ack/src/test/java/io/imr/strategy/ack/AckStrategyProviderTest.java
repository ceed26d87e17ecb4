package io.imr.strategy.ack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.option.InvalidOptionException;
import io.imr.api.strategy.ApiVersion;
import io.imr.api.strategy.ClientSetup;
import io.imr.api.strategy.ReliabilityStrategyProvider;
import io.imr.api.strategy.ServerSetup;
import io.imr.api.strategy.StrategyOptions;
import io.imr.api.strategy.StrategyRegistry;
import io.imr.strategy.support.SequencedClient;
import io.imr.strategy.support.WindowedServer;
import io.imr.testkit.OptionSpecWalk;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The ack strategy's provider")
class AckStrategyProviderTest {

    private final AckStrategyProvider provider = new AckStrategyProvider();

    @Test
    @DisplayName("is found by ServiceLoader under the name ack, for the current SPI")
    void registered() {
        StrategyRegistry registry = StrategyRegistry.load(AckStrategyProviderTest.class.getClassLoader());
        assertThat(registry.names()).contains("ack");
        ReliabilityStrategyProvider found = registry.get("ack");
        assertThat(found).isInstanceOf(AckStrategyProvider.class);
        assertThat(found.requiredApiVersion()).isEqualTo(ApiVersion.CURRENT);
        assertThat(found.description()).isNotBlank();
        assertThat(registry.problems()).isEmpty();
    }

    @Test
    @DisplayName("names its options")
    void optionNames() {
        assertThat(provider.optionNames()).containsExactlyInAnyOrder("hold-back", "gap-timeout", "tail-timeout",
                "pull-page", "window", "window-bytes", "retransmit-initial", "retransmit-max");
    }

    @Test
    @DisplayName("runs on the defaults without options")
    void defaults() {
        assertThat(AckConfig.from(StrategyOptions.none())).isEqualTo(AckConfig.DEFAULT);
        assertThat(AckConfig.DEFAULT.holdBack()).isEqualTo(1024);
        assertThat(AckConfig.DEFAULT.window()).isEqualTo(512);
        assertThat(AckConfig.DEFAULT.windowBytes()).isEqualTo(8 << 20);
        assertThat(AckConfig.DEFAULT.tailTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(AckConfig.DEFAULT.retransmitInitial()).isEqualTo(Duration.ofSeconds(1));
        assertThat(AckConfig.DEFAULT.retransmitMax()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    @DisplayName("reads every option")
    void readsOptions() {
        AckConfig config = AckConfig.from(StrategyOptions.of(Map.of("hold-back", "0", "gap-timeout", "250ms",
                "tail-timeout", "5s", "pull-page", "64", "window", "100", "window-bytes", "65536",
                "retransmit-initial", "200ms", "retransmit-max", "1m")));
        assertThat(config).isEqualTo(new AckConfig(0, Duration.ofMillis(250), Duration.ofSeconds(5), 64, 100, 65536,
                Duration.ofMillis(200), Duration.ofMinutes(1)));
    }

    @Test
    @DisplayName("refuses unknown options and bad values at validation, saying what is allowed")
    void validates() {
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("windw", "5"))))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageStartingWith("strategy ack has no option windw; its options are: gap-timeout, hold-back");
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("window", "0"))))
                .hasMessage("option window must be a whole number from 1 to 65536, got \"0\"");
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("hold-back", "lots"))))
                .hasMessage("option hold-back must be a whole number from 0 to 1000000, got \"lots\"");
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("tail-timeout", "5"))))
                .hasMessageContaining("option tail-timeout must be a whole number with a unit");
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("retransmit-initial", "5ms"))))
                .hasMessage("option retransmit-initial must be from 10ms to 10m, got \"5ms\"");
        assertThatThrownBy(() -> provider.validate(StrategyOptions.of(Map.of("retransmit-initial", "5s",
                "retransmit-max", "2s"))))
                .hasMessage("option retransmit-max (2s) must not be below retransmit-initial (5s)");
        assertThatThrownBy(() -> new AckConfig(-1, Duration.ofSeconds(1), Duration.ofSeconds(2), 512, 512, 8 << 20,
                Duration.ofSeconds(1), Duration.ofSeconds(30)))
                .hasMessage("option hold-back must be a whole number from 0 to 1000000, got -1");
        assertThatThrownBy(() -> new AckConfig(1, null, Duration.ofSeconds(2), 512, 512, 8 << 20,
                Duration.ofSeconds(1), Duration.ofSeconds(30)))
                .hasMessage("option gap-timeout must be from 10ms to 10m, got nothing");
    }

    @Test
    @DisplayName("parses one set of options once for all the halves made with it")
    void parsesOnce() {
        StrategyOptions options = StrategyOptions.of(Map.of("window", "64"));
        AckConfig first = provider.config(options);
        assertThat(provider.config(options)).isSameAs(first);
        assertThat(provider.newServer(new ServerSetup("bob", "phone", options))).isInstanceOf(WindowedServer.class);
        assertThat(provider.newClient(new ClientSetup("bob", "phone", options))).isInstanceOf(SequencedClient.class);
        assertThat(provider.config(options)).isSameAs(first);
        assertThat(provider.config(StrategyOptions.of(Map.of("window", "64")))).isEqualTo(first);
    }

    @Test
    @DisplayName("declares each option once: the builder and the options text agree on its name, default and range")
    void optionSpecs() {
        new OptionSpecWalk<>(AckConfig.class, m -> AckConfig.from(StrategyOptions.of(m)), AckConfig::builder)
                .check(AckConfig.OPTIONS);
        assertThat(AckConfig.builder().build()).isEqualTo(AckConfig.DEFAULT);
        assertThat(AckConfig.DEFAULT.toBuilder().build()).isEqualTo(AckConfig.DEFAULT);
        assertThat(provider.optionNames()).isEqualTo(AckConfig.OPTION_NAMES);
    }
}
