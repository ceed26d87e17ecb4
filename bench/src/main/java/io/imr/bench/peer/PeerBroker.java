package io.imr.bench.peer;

import io.imr.bench.Broker;
import java.util.Map;

/** A peer's broker program, running: its address and process. It counts nothing the bench reads. */
public final class PeerBroker implements Broker {

    private final BrokerProcess process;
    private final String address;

    public PeerBroker(BrokerProcess process, String address) {
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

    /** Empty: the peers' brokers are measured from outside (CPU) and through their clients (bytes). */
    @Override
    public Map<String, Double> counters() {
        return Map.of();
    }

    @Override
    public void close() {
        process.close();
    }
}
