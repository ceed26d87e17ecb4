package io.imr.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScenarioTest {

    static BenchSettings settings(int count) {
        return new BenchSettings(List.of(Scenario.values()), List.of("imr:ack"), count, 256, 10, 3, 4, 500, 2, 3,
                7_000, 2_000, 1, null, false, null, List.of());
    }

    @Test
    void oneToOneSendsEveryMessageToOneDevice() {
        Scenario.Plan p = Scenario.ONE_TO_ONE.plan(settings(1_000));
        assertThat(p.senders()).containsExactly("alice/laptop");
        assertThat(p.receivers()).containsExactly("bob/phone");
        assertThat(p.sent()).isEqualTo(1_000);
        assertThat(p.deliveries()).isEqualTo(1_000);
        assertThat(p.rate()).isZero();
        assertThat(p.offlineFirst()).isFalse();
    }

    @Test
    void fanInSplitsTheCountAmongTheSendersToOneDevice() {
        Scenario.Plan p = Scenario.FAN_IN.plan(settings(1_005));
        assertThat(p.senders()).hasSize(10).contains("s1/laptop", "s10/laptop");
        assertThat(p.to()).containsExactly("bob");
        assertThat(p.perSender()).isEqualTo(100);
        assertThat(p.deliveries()).isEqualTo(p.sent()).isEqualTo(1_000);
    }

    @Test
    void devicesDeliverEveryMessageToEachDeviceOfOneUser() {
        Scenario.Plan p = Scenario.DEVICES.plan(settings(500));
        assertThat(p.receivers()).containsExactly("bob/device1", "bob/device2", "bob/device3");
        assertThat(p.sent()).isEqualTo(500);
        assertThat(p.deliveries()).isEqualTo(1_500);
    }

    @Test
    void pairsSendEachToItsOwnReceiver() {
        Scenario.Plan p = Scenario.PAIRS.plan(settings(400));
        assertThat(p.senders()).containsExactly("a1/laptop", "a2/laptop", "a3/laptop", "a4/laptop");
        assertThat(p.to()).containsExactly("b1", "b2", "b3", "b4");
        assertThat(p.receivers()).containsExactly("b1/phone", "b2/phone", "b3/phone", "b4/phone");
        assertThat(p.perDevice()).isEqualTo(p.perSender()).isEqualTo(100);
    }

    @Test
    void latencyOffersTheRateForItsDuration() {
        Scenario.Plan p = Scenario.LATENCY.plan(settings(100_000));
        assertThat(p.rate()).isEqualTo(500);
        assertThat(p.sent()).isEqualTo(1_000);
        assertThat(p.title()).contains("500 msg/s");
    }

    @Test
    void catchUpKeepsTheDeviceOfflineUntilEverythingWasSent() {
        Scenario.Plan p = Scenario.CATCH_UP.plan(settings(100));
        assertThat(p.offlineFirst()).isTrue();
        assertThat(p.sent()).isEqualTo(7_000);
    }

    @Test
    void theWarmUpIsSplitAmongTheSendersAndEachDeviceGetsItsShare() {
        assertThat(Scenario.ONE_TO_ONE.plan(settings(1_000)).warmupPerDevice()).isEqualTo(2_000);
        Scenario.Plan fanIn = Scenario.FAN_IN.plan(settings(1_000));
        assertThat(fanIn.warmupPerSender()).isEqualTo(200);
        assertThat(fanIn.warmupPerDevice()).isEqualTo(2_000);
        Scenario.Plan pairs = Scenario.PAIRS.plan(settings(400));
        assertThat(pairs.warmupPerSender()).isEqualTo(500);
        assertThat(pairs.warmupPerDevice()).isEqualTo(500);
        assertThat(Scenario.DEVICES.plan(settings(10)).warmupPerDevice()).isEqualTo(2_000);
        Scenario.Plan catchUp = Scenario.CATCH_UP.plan(settings(10));
        assertThat(catchUp.warmupPerSender()).as("the device warms up online, then goes offline").isEqualTo(2_000);
        assertThat(catchUp.warmupPerDevice()).isEqualTo(2_000);
    }

    @Test
    void theLatencyScenarioAlsoWarmsUpAtItsRateForTheWarmUpTime() {
        Scenario.Plan latency = Scenario.LATENCY.plan(settings(1_000));
        assertThat(latency.pacedWarmupPerSender()).as("500 a second for 3 s").isEqualTo(1_500);
        assertThat(latency.warmupPerDevice()).isEqualTo(2_000 + 1_500);
        assertThat(Scenario.ONE_TO_ONE.plan(settings(1_000)).pacedWarmupPerSender()).isZero();
        assertThat(Scenario.CATCH_UP.plan(settings(1_000)).pacedWarmupPerSender()).isZero();
    }

    @Test
    void unknownNamesAreRefusedWithTheKnownOnes() {
        assertThat(Scenario.byId("fan-in")).isEqualTo(Scenario.FAN_IN);
        assertThatThrownBy(() -> Scenario.byId("fanin")).hasMessageContaining("1to1, fan-in, devices, pairs, latency,"
                + " catch-up");
    }

    @Test
    void settingsRefuseAPayloadTooSmallForTheStamp() {
        assertThatThrownBy(() -> new BenchSettings(List.of(Scenario.ONE_TO_ONE), List.of("imr:ack"), 10, 15, 1, 1, 1,
                1, 1, 0, 1, 0, 1, null, false, null, List.of())).hasMessageContaining("--size must be at least 16");
    }

    @Test
    void settingsRefuseAJvmOptionThatIsNotOne() {
        for (String bad : List.of("UseParallelGC", "-Xmx1g -Xms1g", " ")) {
            assertThatThrownBy(() -> new BenchSettings(List.of(Scenario.ONE_TO_ONE), List.of("imr:ack"), 10, 256, 1, 1, 1,
                    1, 1, 0, 1, 0, 1, null, false, null, List.of(bad)))
                    .as(bad).hasMessageContaining("--jvm-option takes one JVM option starting with '-'");
        }
    }
}
