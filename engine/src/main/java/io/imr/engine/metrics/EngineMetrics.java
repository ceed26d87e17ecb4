package io.imr.engine.metrics;

import io.imr.api.strategy.Action;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The meters of one engine (one side, one strategy), registered once and then only incremented:
 * the hot path never looks a meter up by name.
 */
public final class EngineMetrics {

    private final MeterRegistry registry;
    private final Tags tags;
    private final String strategy;

    public final Counter received;
    public final Counter committed;
    public final Counter duplicate;
    public final Counter corrupt;
    public final Counter gaps;
    public final Counter pulls;
    public final Counter pullMessages;
    public final Counter acksSent;
    public final Counter retransmits;
    public final Counter payloadBytes;
    public final Counter controlBytes;
    public final Counter confirmationBytes;
    public final DistributionSummary commitBatch;
    public final Timer commitDuration;
    public final Timer deliveryLatency;

    /**
     * @param side     {@link MetricNames#SIDE_CLIENT} or {@link MetricNames#SIDE_SERVER}
     * @param strategy the strategy's name
     */
    public EngineMetrics(MeterRegistry registry, String side, String strategy) {
        this.registry = registry;
        this.strategy = strategy;
        this.tags = Tags.of(MetricNames.TAG_STRATEGY, strategy, MetricNames.TAG_SIDE, side);
        received = counter(MetricNames.MESSAGES_RECEIVED, "messages");
        committed = counter(MetricNames.MESSAGES_COMMITTED, "messages");
        duplicate = counter(MetricNames.MESSAGES_DUPLICATE, "messages");
        corrupt = counter(MetricNames.MESSAGES_CORRUPT, "messages");
        gaps = counter(MetricNames.GAPS_DETECTED, "gaps");
        pulls = counter(MetricNames.PULLS, "requests");
        pullMessages = counter(MetricNames.PULL_MESSAGES, "messages");
        acksSent = counter(MetricNames.ACKS_SENT, "frames");
        retransmits = counter(MetricNames.RETRANSMITS, "messages");
        payloadBytes = counter(MetricNames.BYTES_PAYLOAD, "bytes");
        controlBytes = counter(MetricNames.BYTES_CONTROL, "bytes");
        confirmationBytes = counter(MetricNames.BYTES_CONFIRMATION, "bytes");
        commitBatch = DistributionSummary.builder(MetricNames.COMMIT_BATCH_SIZE).description("messages per commit")
                .tags(tags)
                .publishPercentiles(0.5, 0.99).register(registry);
        commitDuration = Timer.builder(MetricNames.COMMIT_DURATION).tags(tags).publishPercentiles(0.5, 0.99)
                .register(registry);
        deliveryLatency = Timer.builder(MetricNames.DELIVERY_LATENCY).tags(tags).publishPercentiles(0.5, 0.99, 0.999)
                .register(registry);
    }

    /** A session the server resynced, for this reason ({@link MetricNames#RESYNCS}). */
    public void resync(String reason) {
        Counter.builder(MetricNames.RESYNCS).description("in sessions").tags(tags).tag(MetricNames.TAG_REASON, reason)
                .register(registry).increment();
    }

    /** Messages retention removed from inboxes (server, {@link MetricNames#MESSAGES_TRIMMED}). */
    public void trimmed(long messages) {
        Counter.builder(MetricNames.MESSAGES_TRIMMED).description("messages retention removed from inboxes")
                .tags(tags).register(registry).increment(messages);
    }

    /**
     * Seqs a device recorded as expired when it came back: trimmed by the server before it got them (client,
     * {@link MetricNames#MESSAGES_EXPIRED}).
     */
    public void expired(long seqs) {
        Counter.builder(MetricNames.MESSAGES_EXPIRED).description("messages this device can no longer get (trimmed"
                + " by the server while it was away)").tags(tags).register(registry).increment(seqs);
    }

    /** A hello refused for its token, for this reason ({@link MetricNames#AUTH_REFUSED}). */
    public void authRefused(String reason) {
        Counter.builder(MetricNames.AUTH_REFUSED).description("hellos refused for their token or principal")
                .tags(tags).tag(MetricNames.TAG_REASON, reason).register(registry).increment();
    }

    /**
     * A frame of a device the server ignored, for this reason ({@link MetricNames#FRAMES_IGNORED}): it
     * changed nothing.
     */
    public void frameIgnored(String reason, long amount) {
        Counter.builder(MetricNames.FRAMES_IGNORED).description("frames of devices that changed nothing: acks of"
                + " messages not delivered to that device, frames of another strategy").tags(tags)
                .tag(MetricNames.TAG_REASON, reason).register(registry).increment(amount);
    }

    /** Something a limit of the server held back ({@link MetricNames#LIMITED}), of this kind. */
    public void limited(String kind, long amount) {
        Counter.builder(MetricNames.LIMITED).description("messages, pulls, sessions and connections a limit of the"
                + " server held back (rate limits, max sessions per user, max connections per address)").tags(tags)
                .tag(MetricNames.TAG_KIND, kind).register(registry).increment(amount);
    }

    /** A hello refused as stale ({@link MetricNames#HELLOS_STALE}). */
    public void staleHello() {
        Counter.builder(MetricNames.HELLOS_STALE).description("in hellos").tags(tags).register(registry).increment();
    }

    /**
     * A counter. Its unit is in its description, not its base unit: Prometheus would append the base
     * unit to the name, and {@code imr.messages.committed} is to stay {@code imr_messages_committed_total}.
     */
    private Counter counter(String name, String unit) {
        return Counter.builder(name).description("in " + unit).tags(tags).register(registry);
    }

    /**
     * Registers a gauge read from the engine (e.g. unconfirmed messages, sessions, outbox). A gauge
     * of the same name and tags from an earlier engine on the same registry (a client restarted in
     * one process) is replaced, so the gauge follows the engine that runs now.
     */
    public void gauge(String name, Supplier<Number> value) {
        Gauge old = registry.find(name).tags(tags).gauge();
        if (old != null) {
            registry.remove(old);
        }
        Gauge.builder(name, value).tags(tags).register(registry);
    }

    /** Counts a strategy's {@link Action.Signal}. */
    public void signal(Action.Signal signal) {
        switch (signal.kind()) {
            case DUPLICATE:
                duplicate.increment(signal.amount());
                break;
            case CORRUPT:
                corrupt.increment(signal.amount());
                break;
            case GAP_DETECTED:
                gaps.increment(signal.amount());
                break;
            case RETRANSMIT:
                retransmits.increment(signal.amount());
                break;
            case IGNORED_NOT_DELIVERED:
                frameIgnored(MetricNames.IGNORED_NOT_DELIVERED, signal.amount());
                break;
            case IGNORED_OTHER_STRATEGY:
                frameIgnored(MetricNames.IGNORED_OTHER_STRATEGY, signal.amount());
                break;
            default:
                break; // hold-back figures are visible through the buffered gauge
        }
    }

    /**
     * Counts bytes on the wire, split into payload and control bytes, and the confirmation bytes among
     * the control bytes.
     */
    public void frameBytes(int totalBytes, int payloadBytesInFrame, int confirmationBytesInFrame) {
        payloadBytes.increment(payloadBytesInFrame);
        controlBytes.increment(Math.max(0, totalBytes - payloadBytesInFrame));
        if (confirmationBytesInFrame > 0) {
            confirmationBytes.increment(confirmationBytesInFrame);
        }
    }

    /** Records a commit's size and duration. */
    public void commit(int messages, long nanos) {
        commitBatch.record(messages);
        commitDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The strategy these meters are tagged with. */
    public String strategy() {
        return strategy;
    }

    public MeterRegistry registry() {
        return registry;
    }
}
