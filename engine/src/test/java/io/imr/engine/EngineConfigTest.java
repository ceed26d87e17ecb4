package io.imr.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.imr.api.option.DurationOption;
import io.imr.api.option.IntOption;
import io.imr.api.option.InvalidOptionException;
import io.imr.api.option.OptionSpec;
import io.imr.api.strategy.PerStrategyOptions;
import io.imr.api.strategy.StrategyOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The engines' settings")
class EngineConfigTest {

    /** One option: its spec, the builder's setter and the record's accessor. */
    private record Field<B, C>(OptionSpec<?> spec, BiConsumer<B, Object> set, Function<C, Object> get) {
    }

    /** Each bound passes and reaches the setting; one step beyond fails, naming the option, the range and the value. */
    private static <B, C> void checkRanges(List<Field<B, C>> fields, java.util.function.Supplier<B> builder,
                                           Function<B, C> build) {
        for (Field<B, C> f : fields) {
            for (Object bound : bounds(f.spec(), 0)) {
                B b = builder.get();
                f.set().accept(b, bound);
                assertThat(f.get().apply(build.apply(b))).as(f.spec().name() + " = " + bound).isEqualTo(bound);
            }
            for (Object beyond : bounds(f.spec(), 1)) {
                B b = builder.get();
                f.set().accept(b, beyond);
                assertThatThrownBy(() -> build.apply(b)).as(f.spec().name() + " = " + beyond)
                        .isInstanceOf(InvalidOptionException.class)
                        .hasMessageStartingWith("option " + f.spec().name() + " must be " + f.spec().allowed() + ", got ");
            }
        }
    }

    /** The bounds (step 0), or one step beyond each where the type allows (step 1). */
    private static List<Object> bounds(OptionSpec<?> spec, int step) {
        if (spec instanceof IntOption i) {
            return step == 0 ? List.of(i.min(), i.max())
                    : i.max() == Integer.MAX_VALUE ? List.of(i.min() - 1) : List.of(i.min() - 1, i.max() + 1);
        }
        DurationOption d = (DurationOption) spec;
        return step == 0 ? List.of(d.min(), d.max())
                : List.of(d.min().minusNanos(1), d.max().plusNanos(1));
    }

    @Nested
    @DisplayName("of a server")
    class Server {

        private final List<Field<ServerEngineConfig.Builder, ServerEngineConfig>> fields = List.of(
                new Field<>(ServerEngineConfig.HEARTBEAT, (b, v) -> b.heartbeat((Duration) v),
                        ServerEngineConfig::heartbeat),
                new Field<>(ServerEngineConfig.HELLO_TIMEOUT, (b, v) -> b.helloTimeout((Duration) v),
                        ServerEngineConfig::helloTimeout),
                new Field<>(ServerEngineConfig.MAX_PENDING_SENDS, (b, v) -> b.maxPendingSends((Integer) v),
                        ServerEngineConfig::maxPendingSends),
                new Field<>(ServerEngineConfig.DEVICE_IDLE_EVICTION, (b, v) -> b.deviceIdleEviction((Duration) v),
                        ServerEngineConfig::deviceIdleEviction),
                new Field<>(ServerEngineConfig.INBOUND_FRAMES, (b, v) -> b.inboundFrames((Integer) v),
                        ServerEngineConfig::inboundFrames),
                new Field<>(ServerEngineConfig.INBOUND_ENGINE_FRAMES, (b, v) -> b.inboundEngineFrames((Integer) v),
                        ServerEngineConfig::inboundEngineFrames),
                new Field<>(ServerEngineConfig.INBOUND_SENDS, (b, v) -> b.inboundSends((Integer) v),
                        ServerEngineConfig::inboundSends),
                new Field<>(ServerEngineConfig.RETIRE_AFTER, (b, v) -> b.retireAfter((Duration) v),
                        ServerEngineConfig::retireAfter),
                new Field<>(ServerEngineConfig.RETENTION_SWEEP, (b, v) -> b.retentionSweep((Duration) v),
                        ServerEngineConfig::retentionSweep),
                new Field<>(ServerEngineConfig.MAX_AGE, (b, v) -> b.maxAge((Duration) v), ServerEngineConfig::maxAge),
                new Field<>(ServerEngineConfig.MAX_COUNT, (b, v) -> b.maxCount((Integer) v),
                        ServerEngineConfig::maxCount),
                new Field<>(ServerEngineConfig.SEND_RATE, (b, v) -> b.sendRate((Integer) v),
                        ServerEngineConfig::sendRate),
                new Field<>(ServerEngineConfig.SEND_BURST, (b, v) -> b.sendBurst((Integer) v),
                        ServerEngineConfig::sendBurst),
                new Field<>(ServerEngineConfig.PULL_RATE, (b, v) -> b.pullRate((Integer) v),
                        ServerEngineConfig::pullRate),
                new Field<>(ServerEngineConfig.MAX_PAYLOAD, (b, v) -> b.maxPayload((Integer) v),
                        ServerEngineConfig::maxPayload),
                new Field<>(ServerEngineConfig.MAX_SESSIONS_PER_USER, (b, v) -> b.maxSessionsPerUser((Integer) v),
                        ServerEngineConfig::maxSessionsPerUser),
                new Field<>(ServerEngineConfig.MAX_CONNECTIONS_PER_ADDRESS,
                        (b, v) -> b.maxConnectionsPerAddress((Integer) v), ServerEngineConfig::maxConnectionsPerAddress),
                new Field<>(ServerEngineConfig.CONNECTION_RATE,
                        (b, v) -> b.connectionRate((Integer) v), ServerEngineConfig::connectionRate));

        @Test
        @DisplayName("start from the named defaults, which are their specs' defaults")
        void defaults() {
            ServerEngineConfig c = ServerEngineConfig.builder().build();
            assertThat(c).isEqualTo(ServerEngineConfig.DEFAULT).isEqualTo(new ServerEngineConfig(
                    Duration.ofSeconds(10), Duration.ofSeconds(10), 8192, Duration.ofMinutes(5), 1024, 32_768, 4096,
                    Duration.ofDays(30), Duration.ofSeconds(10), Duration.ZERO, 0, 0, 0, 0, 0, 0, 0, 0));
            assertThat(c.heartbeat()).isEqualTo(ServerEngineConfig.DEFAULT_HEARTBEAT);
            for (var f : fields) {
                assertThat(f.get().apply(c)).as(f.spec().name()).isEqualTo(f.spec().defaultValue());
            }
            assertThat(fields).extracting(Field::spec).containsExactlyElementsOf(ServerEngineConfig.OPTIONS);
        }

        @Test
        @DisplayName("take each bound of each range and refuse one step beyond, naming the option")
        void ranges() {
            checkRanges(fields, ServerEngineConfig::builder, ServerEngineConfig.Builder::build);
            assertThatThrownBy(() -> ServerEngineConfig.builder().heartbeat(Duration.ofMillis(9)).build())
                    .hasMessage("option heartbeat must be from 10ms to 1h, got 9ms");
            assertThatThrownBy(() -> ServerEngineConfig.builder().heartbeat(null).build())
                    .hasMessage("option heartbeat must be from 10ms to 1h, got nothing");
            assertThatThrownBy(() -> ServerEngineConfig.builder().inboundFrames(3).build())
                    .hasMessage("option inbound-frames must be a whole number from 4 to 1048576, got 3");
        }

        @Test
        @DisplayName("copy into a builder that changes only what it is told")
        void toBuilder() {
            ServerEngineConfig c = ServerEngineConfig.builder().heartbeat(Duration.ofSeconds(1)).build();
            ServerEngineConfig d = c.toBuilder().helloTimeout(Duration.ofSeconds(2)).build();
            assertThat(d).isEqualTo(new ServerEngineConfig(Duration.ofSeconds(1), Duration.ofSeconds(2), 8192,
                    Duration.ofMinutes(5), 1024, 32_768, 4096, Duration.ofDays(30), Duration.ofSeconds(10), Duration.ZERO,
                    0, 0, 0, 0, 0, 0, 0, 0));
            assertThat(c.helloTimeout()).as("the original is unchanged").isEqualTo(Duration.ofSeconds(10));
        }
    }

    @Nested
    @DisplayName("of a client")
    class Client {

        private final List<Field<ClientEngineConfig.Builder, ClientEngineConfig>> fields = List.of(
                new Field<>(ClientEngineConfig.RECONNECT_INITIAL, (b, v) -> b.reconnectInitial((Duration) v),
                        ClientEngineConfig::reconnectInitial),
                new Field<>(ClientEngineConfig.RECONNECT_MAX, (b, v) -> b.reconnectMax((Duration) v),
                        ClientEngineConfig::reconnectMax),
                new Field<>(ClientEngineConfig.WELCOME_TIMEOUT, (b, v) -> b.welcomeTimeout((Duration) v),
                        ClientEngineConfig::welcomeTimeout),
                new Field<>(ClientEngineConfig.SEND_WINDOW, (b, v) -> b.sendWindow((Integer) v),
                        ClientEngineConfig::sendWindow),
                new Field<>(ClientEngineConfig.RESEND_AFTER, (b, v) -> b.resendAfter((Duration) v),
                        ClientEngineConfig::resendAfter),
                new Field<>(ClientEngineConfig.MAX_OUTBOX, (b, v) -> b.maxOutbox((Integer) v),
                        ClientEngineConfig::maxOutbox),
                new Field<>(ClientEngineConfig.INBOUND_FRAMES, (b, v) -> b.inboundFrames((Integer) v),
                        ClientEngineConfig::inboundFrames));

        /** A builder whose reconnect bounds do not tie each other down while one is tried at its bounds. */
        private ClientEngineConfig.Builder loose() {
            return ClientEngineConfig.builder().strategies(List.of("ack")).reconnectInitial(Duration.ofMillis(1))
                    .reconnectMax(Duration.ofHours(1));
        }

        @Test
        @DisplayName("start from the named defaults, which are their specs' defaults")
        void defaults() {
            ClientEngineConfig c = ClientEngineConfig.of("ack");
            assertThat(c).isEqualTo(ClientEngineConfig.builder().strategies(List.of("ack")).build())
                    .isEqualTo(new ClientEngineConfig(List.of("ack"), PerStrategyOptions.none(), Duration.ofMillis(100),
                            Duration.ofSeconds(10), Duration.ofSeconds(10), 1024, Duration.ofSeconds(10), 1_000_000,
                            1024));
            assertThat(c.sendWindow()).isEqualTo(ClientEngineConfig.DEFAULT_SEND_WINDOW);
            for (var f : fields) {
                assertThat(f.get().apply(c)).as(f.spec().name()).isEqualTo(f.spec().defaultValue());
            }
            assertThat(fields).extracting(Field::spec).containsExactlyElementsOf(ClientEngineConfig.OPTIONS);
        }

        @Test
        @DisplayName("take each bound of each range and refuse one step beyond, naming the option")
        void ranges() {
            checkRanges(fields, this::loose, ClientEngineConfig.Builder::build);
            assertThatThrownBy(() -> loose().sendWindow(65_537).build())
                    .hasMessage("option send-window must be a whole number from 1 to 65536, got 65537");
        }

        @Test
        @DisplayName("refuse a longest reconnect delay below the first, and a client that offers no strategy")
        void crossChecks() {
            assertThatThrownBy(() -> ClientEngineConfig.builder().strategies(List.of("ack"))
                    .reconnectInitial(Duration.ofSeconds(2)).reconnectMax(Duration.ofSeconds(1)).build())
                    .isInstanceOf(InvalidOptionException.class)
                    .hasMessage("option reconnect-max (1s) must not be below reconnect-initial (2s)");
            assertThat(ClientEngineConfig.builder().strategies(List.of("ack")).reconnectInitial(Duration.ofSeconds(2))
                    .reconnectMax(Duration.ofSeconds(2)).build().reconnectMax()).isEqualTo(Duration.ofSeconds(2));
            assertThatThrownBy(() -> ClientEngineConfig.builder().build()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("a client must offer at least one strategy");
        }

        @Test
        @DisplayName("copy into a builder that changes only what it is told")
        void toBuilder() {
            PerStrategyOptions options = PerStrategyOptions.of("ack", StrategyOptions.of(Map.of("window", "8")));
            ClientEngineConfig c = ClientEngineConfig.builder().strategies(List.of("ack", "seqid")).options(options)
                    .sendWindow(64).build();
            ClientEngineConfig d = c.toBuilder().resendAfter(Duration.ofSeconds(3)).build();
            assertThat(d.strategies()).containsExactly("ack", "seqid");
            assertThat(d.options()).isEqualTo(options);
            assertThat(d.sendWindow()).isEqualTo(64);
            assertThat(d.resendAfter()).isEqualTo(Duration.ofSeconds(3));
            assertThat(c.resendAfter()).as("the original is unchanged").isEqualTo(Duration.ofSeconds(10));
        }
    }
}
