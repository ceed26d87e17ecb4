package io.imr.strategy.ack;

import static org.assertj.core.api.Assertions.assertThat;

import io.imr.api.Message;
import io.imr.api.strategy.Action.Signal.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One client half and one server half wired together through {@link LoopDriver}: messages go from the
 * inbox to the device's store over a lossy network, across reconnects, crashes and failed commits.
 */
@DisplayName("The ack strategy, client and server together")
class AckLoopTest {

    private static final int MESSAGES = 2_000;
    private static final long HOUR = Duration.ofHours(1).toNanos();

    /** A hostile but finite world: every fault of the model's network and store, at rates that keep runs short. */
    private static final LoopDriver.Faults HOSTILE = new LoopDriver.Faults(0.08, 0.05, 0.03, 0.05, 0.06, 0.02, 0.02);

    /** Small windows and buffers, so that the bounds, overflow and paging are exercised too. */
    private static final AckConfig TIGHT = AckConfig.builder().holdBack(16).gapTimeout(Duration.ofMillis(300))
            .tailTimeout(Duration.ofSeconds(1)).pullPage(64).window(32).windowBytes(64 << 10)
            .retransmitInitial(Duration.ofMillis(500)).retransmitMax(Duration.ofSeconds(5)).build();

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    @DisplayName("delivers every message exactly once and in order, and has every message confirmed")
    void exactlyOnceInOrder(long seed) {
        assertDeliveredAndConfirmed(run(seed, HOSTILE, TIGHT));
    }

    @Test
    @DisplayName("the hostile runs meet every fault the strategy must survive")
    void faultsExercised() {
        Map<Kind, Long> signals = new EnumMap<>(Kind.class);
        long commitFailures = 0;
        long sessionsEnded = 0;
        long pulls = 0;
        for (long seed = 1; seed <= 8; seed++) {
            LoopDriver driver = run(seed, HOSTILE, TIGHT);
            driver.signals.forEach((kind, n) -> signals.merge(kind, n, Long::sum));
            commitFailures += driver.commitFailures;
            sessionsEnded += driver.disconnects + driver.clientCrashes + driver.serverRestarts;
            pulls += driver.pulls;
        }
        assertThat(signals).as("duplicates, retransmits, holes, overflow and corruption were met")
                .containsKeys(Kind.DUPLICATE, Kind.RETRANSMIT, Kind.GAP_DETECTED, Kind.HELD_BACK,
                        Kind.HOLD_BACK_OVERFLOW, Kind.CORRUPT);
        assertThat(commitFailures).as("commits failed").isPositive();
        assertThat(sessionsEnded).as("sessions ended").isPositive();
        assertThat(pulls).as("the device pulled").isPositive();
    }

    @Test
    @DisplayName("runs with the default options too")
    void defaults() {
        assertDeliveredAndConfirmed(run(11, HOSTILE, AckConfig.DEFAULT));
    }

    @Test
    @DisplayName("on a clean network sends nothing twice and pulls nothing")
    void cleanNetwork() {
        LoopDriver driver = run(5, LoopDriver.Faults.NONE, AckConfig.DEFAULT);
        assertDeliveredAndConfirmed(driver);
        assertThat(driver.signals.getOrDefault(Kind.DUPLICATE, 0L)).isZero();
        assertThat(driver.signals.getOrDefault(Kind.RETRANSMIT, 0L)).isZero();
        assertThat(driver.pulls).isZero();
    }

    @Test
    @DisplayName("replays a seed exactly")
    void deterministic() {
        LoopDriver first = run(7, HOSTILE, TIGHT);
        LoopDriver second = run(7, HOSTILE, TIGHT);
        assertThat(second.events).isEqualTo(first.events);
        assertThat(second.now()).isEqualTo(first.now());
        assertThat(second.signals).isEqualTo(first.signals);
        assertThat(second.framesSent).isEqualTo(first.framesSent);
    }

    private static LoopDriver run(long seed, LoopDriver.Faults faults, AckConfig config) {
        LoopDriver driver = new LoopDriver(seed, MESSAGES, faults, () -> AckClient.create(config),
                () -> AckServer.create(config));
        driver.run(HOUR);
        return driver;
    }

    private static void assertDeliveredAndConfirmed(LoopDriver driver) {
        List<Long> seqs = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (Message m : driver.store()) {
            seqs.add(m.seq());
            ids.add(m.id());
        }
        List<Long> expectedSeqs = new ArrayList<>();
        List<String> expectedIds = new ArrayList<>();
        for (Message m : driver.inbox()) {
            expectedSeqs.add(m.seq());
            expectedIds.add(m.id());
        }
        assertThat(expectedSeqs).hasSize(MESSAGES);
        assertThat(seqs).as("exactly once, in order").containsExactlyElementsOf(expectedSeqs);
        assertThat(ids).containsExactlyElementsOf(expectedIds);
        assertThat(driver.store()).allMatch(Message::payloadIntact);
        assertThat(driver.persistedWatermark()).as("confirmed on the server").isEqualTo(MESSAGES);
        assertThat(driver.server().unconfirmed()).isZero();
        assertThat(driver.client().buffered()).isZero();
    }
}
