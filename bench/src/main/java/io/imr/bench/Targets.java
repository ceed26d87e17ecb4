package io.imr.bench;

import io.imr.bench.jetstream.JetStreamTarget;
import io.imr.bench.mqtt.MqttTarget;
import java.util.List;

/** The targets by name: {@code imr:STRATEGY} for imr with one strategy, and the peers. */
public final class Targets {

    /** The peers a run can be compared with. */
    public static final List<String> PEERS = List.of("mqtt", "jetstream");

    private Targets() {
    }

    /** The target named {@code name}, whose broker (if a JVM) runs with {@code serverJvmArgs}; throws {@link IllegalArgumentException} naming the known ones. */
    public static Target byName(String name, List<String> serverJvmArgs) {
        if (name.startsWith("imr:")) {
            return new ImrTarget(name.substring("imr:".length()), serverJvmArgs);
        }
        return switch (name) {
            case "mqtt" -> new MqttTarget();
            case "jetstream" -> new JetStreamTarget();
            default -> throw new IllegalArgumentException("unknown target '" + name + "': imr:STRATEGY, "
                    + String.join(", ", PEERS));
        };
    }
}
