package io.imr.bench.mqtt;

import io.imr.bench.Broker;
import io.imr.bench.peer.BrokerProcess;
import java.util.Map;

/** A running Mosquitto. It counts nothing the bench reads: {@link #counters()} is empty. */
final class MqttBroker implements Broker {

    private final BrokerProcess process;
    private final String address;

    MqttBroker(BrokerProcess process, String address) {
        this.process = process;
        this.address = address;
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public ProcessHandle process() {
        return process.handle();
    }

    @Override
    public Map<String, Double> counters() {
        return Map.of();
    }

    @Override
    public void close() {
        process.close();
    }
}
